import type { Sample } from '../harness.js';
import { CHUNKED, DEFAULT_CHUNK, ours, RAW_FSYNC, usable, type Ctx } from '../plan.js';
import { fmt, median, MB, MiB, table } from '../report.js';

export async function heap({ harness, plan, files, index, results }: Ctx): Promise<void> {
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
