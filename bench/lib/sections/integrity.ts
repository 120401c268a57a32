// Issue #14: what `integrity` costs. The element on our server with and without it, in one run: at the
// default chunk-size 0 (one request, the unsliced File), at the 16 MiB requests integrity sends instead
// (INTEGRITY_CHUNK_SIZE), and with integrity (a SHA-256 of every body and of the file, in two Workers,
// checked by the server per request and over the stored file). Also the page's JS heap during each.
// First, the SHA-256s the worker could use, in a Worker of the same page, over the same file.
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { INTEGRITY_CHUNK_SIZE } from '../../../src/engine/options.js';
import type { HasherKind, HasherRequest, HasherResult } from '../../page/hashers.js';
import { ROOT } from '../build.js';
import type { Variant } from '../harness.js';
import { alternate, pairedTable, ratio, summarize } from '../paired.js';
import { usable, type Ctx } from '../plan.js';
import { fmt, MB, median, MiB, table } from '../report.js';

const BLOCK_MIB = INTEGRITY_CHUNK_SIZE / MiB;
const WHOLE: Variant = { id: 'element, chunk-size 0', kind: 'element', server: 'ours', chunkMiB: 0 };
const BLOCKS: Variant = { ...WHOLE, id: `element, chunk-size ${BLOCK_MIB} MiB`, chunkMiB: BLOCK_MIB };
const INTEGRITY: Variant = { ...WHOLE, id: `element, integrity (${BLOCK_MIB} MiB)`, integrity: true };
const TUS_INTEGRITY: Variant = { ...INTEGRITY, id: `element (tus), integrity`, protocol: 'tus' };
const TUS_BLOCKS: Variant = { ...BLOCKS, id: `element (tus), chunk-size ${BLOCK_MIB} MiB`, protocol: 'tus' };

const KINDS: HasherKind[] = ['read only', 'ours (JS)', 'hash-wasm', 'WebCrypto, per piece'];
/** The integrity worker's reads of the whole file (PIECE in src/engine/integrity/worker.ts). */
const PIECE = 8 * MiB;

/** One hasher over the page's file `i`, in a Worker of its own. */
const hashOnce = (page: Page, script: string, request: { kind: HasherKind; piece: number; i: number }) =>
  page.evaluate(
    ([code, { kind, piece, i }]) =>
      new Promise<HasherResult>((resolve) => {
        const file = document.querySelector<HTMLInputElement>('#file')!.files![i];
        const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
        const worker = new Worker(url);
        worker.onmessage = ({ data }: MessageEvent<HasherResult>) => {
          worker.terminate();
          URL.revokeObjectURL(url);
          resolve(data);
        };
        worker.postMessage({ file, kind, piece } satisfies HasherRequest);
      }),
    [script, request] as const,
  );

/** Each SHA-256 over the main file in 8 MiB reads, in a Worker, alternating; MB/s of reading and of hashing. */
async function hashers({ harness, plan, index }: Ctx): Promise<Record<string, unknown>[]> {
  const { outputFiles } = await build({
    entryPoints: ['bench/page/hashers.ts'],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'error',
  });
  const script = outputFiles[0].text;
  const page = harness.pages.get('ours')!.page;
  const runs: HasherResult[] = [];
  console.log(`\n== integrity: SHA-256 in a Worker over ${plan.sizeMiB} MiB in ${PIECE / MiB} MiB reads ==`);
  for (let round = 1; round <= plan.rounds; round++)
    for (const kind of round % 2 ? KINDS : [...KINDS].reverse()) {
      const r = await hashOnce(page, script, { kind, piece: PIECE, i: index.main });
      runs.push(r);
      console.log(`  r${round} ${kind.padEnd(22)} read ${fmt(r.readMs, 0)} ms, hash ${fmt(r.hashMs, 0)} ms`);
    }
  const digests = new Set(
    runs.filter((r) => r.kind === 'ours (JS)' || r.kind === 'hash-wasm').map((r) => r.hex),
  );
  if (digests.size !== 1) throw new Error(`the incremental SHA-256s disagree: ${[...digests].join(', ')}`);
  const rows = KINDS.map((kind) => {
    const mine = runs.filter((r) => r.kind === kind);
    const rate = (ms: (r: HasherResult) => number) =>
      fmt(median(mine.map((r) => r.bytes / MB / (ms(r) / 1000))));
    return {
      kind,
      readMBps: rate((r) => r.readMs),
      hashMBps: kind === 'read only' ? '-' : rate((r) => r.hashMs),
      bothMBps: rate((r) => r.readMs + r.hashMs),
    };
  });
  console.log(
    table([
      ['SHA-256', 'reading MB/s', 'hashing MB/s', 'read + hash MB/s'],
      ...rows.map((r) => [r.kind, r.readMBps, r.hashMBps, r.bothMBps]),
    ]),
  );
  return rows;
}

export async function integrity(ctx: Ctx): Promise<void> {
  const { harness, plan, results } = ctx;
  const hasherRows = await hashers(ctx);
  const variants = usable(harness, [WHOLE, BLOCKS, INTEGRITY, TUS_BLOCKS, TUS_INTEGRITY]);
  console.log(
    `\n== integrity: ${plan.rounds} x ${variants.length} uploads of ${plan.sizeMiB} MiB, order alternating ==`,
  );
  const samples = await alternate(ctx, variants);
  const rows = variants.map((v) => summarize(samples, v.id));
  const pairs = {
    integrityVsSameRequests: ratio(samples, INTEGRITY.id, BLOCKS.id),
    integrityVsWholeFile: ratio(samples, INTEGRITY.id, WHOLE.id),
    tusIntegrityVsSameRequests: ratio(samples, TUS_INTEGRITY.id, TUS_BLOCKS.id),
  };
  console.log(
    `\n${plan.rounds} rounds, ${plan.sizeMiB} MiB, MB/s = 10^6 bytes/s, medians; ratios: medians of per-round ratios`,
  );
  console.log(pairedTable(rows, samples, { id: BLOCKS.id, label: `x ${BLOCK_MIB} MiB without` }));
  const heap = variants.map((v) => {
    const mine = samples.filter((s) => s.variant === v.id);
    return [
      v.id,
      `${fmt(median(mine.map((s) => s.heapBase)) / MB, 2)} MB`,
      `${fmt(Math.max(...mine.map((s) => s.heapPeak - s.heapBase)) / MB, 3)} MB`,
      `${fmt(Math.max(...mine.map((s) => s.heapRetained)) / MB, 3)} MB`,
      fmt(median(mine.map((s) => s.pageTaskMs)), 0),
      fmt(median(mine.map((s) => s.chromiumCpuMs)), 0),
    ];
  });
  console.log(
    table([
      ['variant', 'page heap before', 'peak growth', 'kept after GC', 'page task ms', 'chromium CPU ms'],
      ...heap,
    ]),
  );
  console.log(
    `integrity / the same ${BLOCK_MIB} MiB requests without: ${fmt(pairs.integrityVsSameRequests, 3)}x (issue #14 asks >= 0.95); ` +
      `tus: ${fmt(pairs.tusIntegrityVsSameRequests, 3)}x; integrity / chunk-size 0: ${fmt(pairs.integrityVsWholeFile, 3)}x`,
  );
  results.integrity = {
    hashers: hasherRows,
    ...pairs,
    summary: rows,
    samples: samples.map(({ trace: _trace, ...s }) => s),
  };
}
