// Issue #14: what `integrity` costs. The element on our server with and without it, in one run: at the
// default chunk-size 0 (one request, the unsliced File), at the 16 MiB requests integrity sends instead
// (INTEGRITY_CHUNK_SIZE), and with integrity (a SHA-256 of every body and of the file, in two Workers,
// checked by the server per request and over the stored file). Also the page's JS heap during each.
import { INTEGRITY_CHUNK_SIZE } from '../../../src/engine/options.js';
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

export async function integrity(ctx: Ctx): Promise<void> {
  const { harness, plan, results } = ctx;
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
  results.integrity = { ...pairs, summary: rows, samples: samples.map(({ trace: _trace, ...s }) => s) };
}
