import type { Sample } from '../harness.js';
import { DEFAULT_CHUNK, ours, type Ctx } from '../plan.js';
import { fmt, median, MB, MiB } from '../report.js';

export async function concurrency({ harness, plan, files, index, results }: Ctx): Promise<void> {
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
