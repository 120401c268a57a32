// The sections besides the rounds: trace, heap, rss, concurrency, retry.
import { defaultOptions } from '../../src/engine/options.js';
import { BenchPage } from './browser.js';
import { CutProxy } from './cut-proxy.js';
import type { Harness, Sample } from './harness.js';
import { CHUNKED, DEFAULT_CHUNK, ours, RAW_FSYNC, TUS, usable, type Ctx } from './plan.js';
import { fmt, median, MB, MiB, table } from './report.js';
import { rounds } from './rounds.js';
import { engines } from './sections/engines.js';
import { s3 } from './sections/s3.js';
import { tus } from './sections/tus.js';

/**
 * Where the time goes, as the server saw it during the rounds (the probe timestamps every request):
 * medians per variant. Plus one page-traced upload per chunk size for the engine's own work per chunk.
 */
async function trace({ harness, plan, files, index, results }: Ctx): Promise<void> {
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

async function heap({ harness, plan, files, index, results }: Ctx): Promise<void> {
  console.log(
    `\n== page heap: ${plan.heapMiB.join(' vs ')} MiB (peak usedJSHeapSize minus before; kept = after a GC minus before; max of 2) ==`,
  );
  const out = [];
  for (const v of usable(harness, [ours(DEFAULT_CHUNK), ours(CHUNKED), ours(0), RAW_FSYNC])) {
    for (let i = 0; i < plan.heapMiB.length; i++) {
      const runs: Sample[] = [];
      for (let k = 0; k < 2; k++)
        runs.push(
          await harness.upload({
            variant: v,
            round: k + 1,
            indices: [index.heap[i]],
            bytes: plan.heapMiB[i] * MiB,
            sources: [files.heap[i]],
          }),
        );
      out.push({
        variant: v.id,
        sizeMiB: plan.heapMiB[i],
        heapBaseMB: median(runs.map((s) => s.heapBase)) / MB,
        heapGrowthMB: Math.max(...runs.map((s) => s.heapPeak - s.heapBase)) / MB,
        heapRetainedMB: Math.max(...runs.map((s) => s.heapRetained)) / MB,
        pageTaskMs: median(runs.map((s) => s.pageTaskMs)),
        chromiumCpuMs: median(runs.map((s) => s.chromiumCpuMs)),
        mbps: median(runs.map((s) => s.mbps)),
        failures: runs.filter((s) => s.verified === 'FAILED').length,
      });
    }
  }
  results.heap = out;
  console.log(
    table([
      [
        'variant',
        'file',
        'heap before',
        'peak growth',
        'kept after GC',
        'page task ms',
        'chromium CPU ms',
        'MB/s',
      ],
      ...out.map((h) => [
        h.variant,
        `${h.sizeMiB} MiB`,
        `${fmt(h.heapBaseMB, 2)} MB`,
        `${fmt(h.heapGrowthMB, 3)} MB`,
        `${fmt(h.heapRetainedMB, 3)} MB`,
        fmt(h.pageTaskMs, 0),
        fmt(h.chromiumCpuMs, 0),
        fmt(h.mbps),
      ]),
    ]),
  );
}

async function rss({ harness, plan, files, index, results }: Ctx): Promise<void> {
  console.log(
    `\n== server RSS while receiving ${plan.sizeMiB} MiB, then ${plan.bigMiB} MiB (VmRSS every 20 ms) ==`,
  );
  const out = [];
  for (const v of usable(harness, [ours(DEFAULT_CHUNK), ours(CHUNKED), ours(0), RAW_FSYNC, TUS])) {
    const upload = (big: boolean) =>
      harness.upload({
        variant: v,
        round: 1,
        indices: [big ? index.big : index.main],
        bytes: (big ? plan.bigMiB : plan.sizeMiB) * MiB,
        sources: [big ? files.big : files.main],
      });
    // The smaller upload first: a server's first seconds grow its heap whatever the size; flat means
    // the bigger upload peaks where the smaller one did.
    const small = await upload(false);
    const s = await upload(true);
    out.push({
      variant: v.id,
      smallPeakMB: small.serverRssPeak / MB,
      baseMB: s.serverRssBase / MB,
      peakMB: s.serverRssPeak / MB,
      firstQuarterMB: s.serverRssFirstQuarter / MB,
      lastQuarterMB: s.serverRssLastQuarter / MB,
      overSmallMB: (s.serverRssPeak - small.serverRssPeak) / MB,
      serverCpuMs: s.serverCpuMs,
      mbps: s.mbps,
      verified: s.verified,
    });
  }
  results.rss = out;
  console.log(
    table([
      [
        'variant',
        `peak at ${plan.sizeMiB} MiB`,
        'before',
        '1st quarter',
        'last quarter',
        'peak',
        'peak - small peak',
        'srv CPU ms',
        'MB/s',
        'stored',
      ],
      ...out.map((r) => [
        r.variant,
        `${fmt(r.smallPeakMB)} MB`,
        `${fmt(r.baseMB)} MB`,
        `${fmt(r.firstQuarterMB)} MB`,
        `${fmt(r.lastQuarterMB)} MB`,
        `${fmt(r.peakMB)} MB`,
        `${fmt(r.overSmallMB)} MB`,
        fmt(r.serverCpuMs, 0),
        fmt(r.mbps),
        r.verified,
      ]),
    ]),
  );
}

async function concurrency({ harness, plan, files, index, results }: Ctx): Promise<void> {
  if (!harness.has('ours')) return;
  const n = plan.concurrentFiles;
  console.log(`\n== concurrency: ${n} x ${plan.concurrentMiB} MiB at once vs one at a time ==`);
  const v = ours(DEFAULT_CHUNK);
  const one = plan.concurrentMiB * MiB;
  const singles: Sample[] = [];
  for (let i = 0; i < 5; i++)
    singles.push(
      await harness.upload({
        variant: v,
        round: i + 1,
        indices: [index.many[i]],
        bytes: one,
        sources: [files.many[i]],
      }),
    );
  const many: Sample[] = [];
  for (let k = 0; k < 3; k++)
    many.push(
      await harness.upload({
        variant: v,
        round: k + 1,
        indices: index.many,
        bytes: one * n,
        sources: files.many,
        concurrency: n,
      }),
    );
  const single = median(singles.map((s) => s.mbps));
  const aggregate = median(many.map((s) => s.mbps));
  results.concurrency = {
    files: n,
    fileMiB: plan.concurrentMiB,
    singleMbps: single,
    singleRuns: singles.map((s) => s.mbps),
    aggregateMbps: aggregate,
    aggregateRuns: many.map((s) => s.mbps),
    ratio: aggregate / single,
    errors: many.flatMap((s) => s.errors),
    retries: many.reduce((x, s) => x + s.retries, 0),
    failures: many.filter((s) => s.verified === 'FAILED').length,
    serverRssPeakMB: Math.max(...many.map((s) => s.serverRssPeak)) / MB,
    serverRssGrowthMB: Math.max(...many.map((s) => s.serverRssPeak - s.serverRssBase)) / MB,
  };
  const c = results.concurrency as {
    ratio: number;
    errors: string[];
    retries: number;
    failures: number;
    serverRssGrowthMB: number;
  };
  console.log(
    `one ${plan.concurrentMiB} MiB upload: ${fmt(single)} MB/s (median of 5); ${n} at once: ${fmt(aggregate)} MB/s aggregate` +
      ` (median of 3) = ${fmt(c.ratio, 2)}x; errors ${c.errors.length}, retries ${c.retries}, failed checks ${c.failures},` +
      ` server RSS +${fmt(c.serverRssGrowthMB)} MB`,
  );
}

interface RetryCut {
  /** Chromium's own re-send of the cut request (same X-Start-Byte), on a new connection. */
  cutToResendMs: number | null;
  /** What the re-send got: the 409 with the offset, or a reset ('none') as the server closed mid-body. */
  resendAnswer: number | 'none' | null;
  cutToStatusMs: number | null;
  /** The status answer leaving the server to the retry's first byte arriving. */
  statusToRetryByteMs: number | null;
  cutToRetryFirstByteMs: number | null;
  statusRttClientMs: number | null;
  statusServerMs: number | null;
  errorToStatusSendMs: number | null;
  /**
   * Page clock: the cut request's failure (or 409) reaching the page to the resuming POST's send(). What
   * the client controls: the budget is the status round trip it measured plus the first retry delay.
   */
  failureToRetrySendMs: number | null;
  firstRetryDelayMs: number;
  chromiumResent: boolean;
  sequence: string[];
  retries: number;
  verified: string;
  mbps: number;
}

async function retry({ harness, plan, files, index, results }: Ctx): Promise<void> {
  const sizeMiB = plan.heapMiB[0];
  const cutBytes = 4 * MiB;
  const all: Record<string, { summary: object; cuts: RetryCut[] }> = {};
  for (const name of ['ours', 'ours-closestatus'] as const) {
    const server = harness.servers.get(name);
    if (!server) continue;
    console.log(
      `\n== retry latency (${name}): ${plan.retryCuts} uploads of ${sizeMiB} MiB, each POST cut after ${cutBytes / MiB} MiB by a proxy ==`,
    );
    const cuts = await cutAndRetry(harness, server.url, name, { plan, files, index, sizeMiB, cutBytes });
    all[name] = { summary: printRetry(cuts), cuts };
  }
  results.retry = all;
}

async function cutAndRetry(
  harness: Harness,
  url: string,
  name: 'ours' | 'ours-closestatus',
  {
    plan,
    files,
    index,
    sizeMiB,
    cutBytes,
  }: Pick<Ctx, 'plan' | 'files' | 'index'> & { sizeMiB: number; cutBytes: number },
): Promise<RetryCut[]> {
  const proxy = await CutProxy.start(url);
  const page = await BenchPage.open(harness.browser, proxy.url, harness.files);
  const out: RetryCut[] = [];
  try {
    for (let k = 0; k < plan.retryCuts; k++) {
      const s = await harness.upload({
        beforeEach: () => proxy.arm(cutBytes),
        variant: ours(DEFAULT_CHUNK, name),
        round: k + 1,
        indices: [index.heap[0]],
        bytes: sizeMiB * MiB,
        sources: [files.heap[0]],
        trace: true,
        page,
        hash: true,
      });
      const cutAt = proxy.cutAt ?? NaN;
      const cut = proxy.log.find((e) => e.cut);
      const after = proxy.log.filter((e) => e.arrived >= cutAt);
      const status = after.find((e) => e.method === 'GET');
      // The retry proper: the first POST that goes on from where the server is (Chromium itself may
      // first re-send the cut request on a fresh connection; the server answers that one 409).
      const resumed = after.find((e) => e.method === 'POST' && e.startByte !== cut?.startByte);
      const resend = after.find((e) => e.method === 'POST' && e.startByte === cut?.startByte);
      // Client side (page clock): the cut POST's end, then the status request's round trip.
      const rows = s.trace ?? [];
      const failedAt = rows.findIndex((r) => r[0] === 'POST');
      const failed = rows[failedAt];
      const get = rows.slice(failedAt + 1).find((r) => r[0] === 'GET');
      // The POST that resumed: the last one (it carried the upload to its end).
      const resumedRow = rows.filter((r) => r[0] === 'POST').at(-1);
      out.push({
        cutToResendMs: resend ? resend.arrived - cutAt : null,
        resendAnswer: resend ? (resend.status ?? 'none') : null,
        statusToRetryByteMs:
          status?.finished != null && resumed?.firstByte != null ? resumed.firstByte - status.finished : null,
        cutToStatusMs: status ? status.arrived - cutAt : null,
        cutToRetryFirstByteMs: resumed?.firstByte != null ? resumed.firstByte - cutAt : null,
        statusRttClientMs: get ? get[4] - get[2] : null,
        statusServerMs: status?.finished != null ? status.finished - status.arrived : null,
        errorToStatusSendMs: get && failed ? get[2] - failed[4] : null,
        failureToRetrySendMs:
          resumedRow && failed && resumedRow !== failed ? resumedRow[2] - failed[4] : null,
        firstRetryDelayMs: defaultOptions().retryDelays[0],
        chromiumResent: resend !== undefined,
        sequence: after.map(
          (e) =>
            `${e.method} ${e.path}${e.startByte !== null ? ` @${e.startByte}` : ''} -> ${e.status ?? 'cut'}`,
        ),
        retries: s.retries,
        verified: s.verified,
        mbps: s.mbps,
      });
    }
  } finally {
    await page.page.context().close();
    await proxy.close();
  }
  return out;
}

function printRetry(out: RetryCut[]) {
  const med = (f: (r: RetryCut) => number | null) => median(out.map(f).filter((x) => x !== null));
  const summary = {
    cutToRetryFirstByteMs: med((r) => r.cutToRetryFirstByteMs),
    failureToRetrySendMs: med((r) => r.failureToRetrySendMs),
    statusRttClientMs: med((r) => r.statusRttClientMs),
    firstRetryDelayMs: defaultOptions().retryDelays[0],
  };
  console.log(
    table([
      [
        'cut',
        'cut->retry 1st byte',
        'cut->re-send',
        're-send got',
        'cut->status',
        'failure->retry send (page)',
        'status RTT (page)',
        'status->retry byte',
        'retries',
        'stored',
      ],
      ...out.map((r, i) => [
        `#${i + 1}`,
        `${fmt(r.cutToRetryFirstByteMs ?? NaN, 1)} ms`,
        `${fmt(r.cutToResendMs ?? NaN, 1)} ms`,
        r.resendAnswer === null ? 'no re-send' : r.resendAnswer === 'none' ? 'reset' : String(r.resendAnswer),
        `${fmt(r.cutToStatusMs ?? NaN, 1)} ms`,
        `${fmt(r.failureToRetrySendMs ?? NaN, 1)} ms`,
        `${fmt(r.statusRttClientMs ?? NaN, 1)} ms`,
        `${fmt(r.statusToRetryByteMs ?? NaN, 1)} ms`,
        String(r.retries),
        r.verified,
      ]),
    ]),
  );
  console.log(
    `medians: page saw the failure -> retry sent ${fmt(summary.failureToRetrySendMs, 1)} ms, budget = status RTT ` +
      `${fmt(summary.statusRttClientMs, 1)} ms + first retry delay ${summary.firstRetryDelayMs} ms; ` +
      `on the wire, cut -> retry's first byte ${fmt(summary.cutToRetryFirstByteMs, 1)} ms`,
  );
  return summary;
}

export const sections: Record<string, (ctx: Ctx) => Promise<void>> = {
  rounds,
  trace,
  heap,
  rss,
  concurrency,
  retry,
  s3,
  tus,
  engines,
};
