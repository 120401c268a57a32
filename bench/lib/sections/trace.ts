import type { Sample } from '../harness.js';
import { ours, type Ctx } from '../plan.js';
import { fmt, median, MiB, table } from '../report.js';

/**
 * Where the time goes, as the server saw it during the rounds (the probe timestamps every request):
 * medians per variant. Plus one page-traced upload per chunk size for the engine's own work per chunk.
 */
export async function trace({ harness, plan, files, index, results }: Ctx): Promise<void> {
  const samples = results.samples ?? [];
  if (!samples.length) return console.log('\n(trace needs the rounds)');
  console.log(`\n== trace: where the time goes, timestamped at the server during the rounds (medians) ==`);
  const engine = new Map<string, number>();
  for (const c of plan.chunksMiB) {
    const s = await harness.upload({
      variant: ours(c),
      round: 0,
      indices: [index.main],
      bytes: plan.sizeMiB * MiB,
      sources: [files.main],
      trace: true,
    });
    // In the page: an answer's readyState 4 to the next send(), i.e. the engine's own work per chunk.
    const rows = s.trace ?? [];
    engine.set(s.variant, median(rows.slice(1).map((r, k) => r[2] - rows[k][4])));
  }
  const variants = [...new Set(samples.map((s) => s.variant))];
  const out = variants.map((id) => {
    const mine = samples.filter((s) => s.variant === id);
    const m = (f: (s: Omit<Sample, 'trace'>) => number) => median(mine.map(f));
    return {
      variant: id,
      ms: m((s) => s.ms),
      bodies: m((s) => s.server.bodies),
      others: m((s) => s.server.others),
      receivingMs: m((s) => s.server.receivingMs),
      answerMs: m((s) => s.server.answerMs),
      answerMedianMs: m((s) => s.server.answerMedianMs),
      answerLastMs: m((s) => s.server.answerLastMs),
      betweenMs: m((s) => s.server.betweenMs),
      enginePerChunkMs: engine.get(id) ?? NaN,
    };
  });
  results.trace = out;
  console.log(
    table([
      [
        'variant',
        'upload ms',
        'bodies',
        'other req',
        'receiving ms',
        'answering ms',
        'per body',
        'last body',
        'between ms',
        'engine/chunk',
      ],
      ...out.map((b) => [
        b.variant,
        fmt(b.ms, 0),
        fmt(b.bodies, 0),
        fmt(b.others, 0),
        fmt(b.receivingMs, 0),
        fmt(b.answerMs, 1),
        fmt(b.answerMedianMs, 1),
        fmt(b.answerLastMs, 1),
        fmt(b.betweenMs, 1),
        Number.isNaN(b.enginePerChunkMs) ? '' : `${fmt(b.enginePerChunkMs, 2)} ms`,
      ]),
    ]),
  );
  console.log(
    'receiving: head to body read; answering: body read to answer sent (closing writes, fsync, bookkeeping);\n' +
      'between: answer sent to the next request (client turnaround + loopback); engine/chunk: page-side, per chunk',
  );
}
