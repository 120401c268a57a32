import { CHUNKED, DEFAULT_CHUNK, ours, RAW_FSYNC, TUS, usable, type Ctx } from '../plan.js';
import { fmt, MB, MiB, table } from '../report.js';

export async function rss({ harness, plan, files, index, results }: Ctx): Promise<void> {
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
