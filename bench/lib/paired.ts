// Alternating rounds of a few variants on one file, and ratios of neighbours in time: what the s3 and
// tus sections share (the rounds section keeps its own, wider summary).
import type { Harness, Sample, Variant } from './harness.js';
import type { Ctx } from './plan.js';
import { fmt, MB, median, MiB, table } from './report.js';

export interface PairedRow {
  variant: string;
  n: number;
  mbps: number;
  min: number;
  max: number;
  serverCpuMs: number;
  serverRssGrowthMB: number;
  /** CPU of helper processes (RGW's daemons) during the upload, when measured. */
  helperCpuMs: number;
  noisePct: number;
  redone: number;
  failures: number;
}

/**
 * One warm-up upload per variant (not counted), then `rounds` rounds of every variant on the main file,
 * the order reversed every other round. `around` measures something of its own per upload (helper CPU).
 */
export async function alternate(
  { harness, plan, files, index }: Pick<Ctx, 'harness' | 'plan' | 'files' | 'index'>,
  variants: Variant[],
  around?: () => () => number,
): Promise<Array<Sample & { helperCpuMs: number }>> {
  const spec = (variant: Variant, round: number) => ({
    variant,
    round,
    indices: [index.main],
    bytes: plan.sizeMiB * MiB,
    sources: [files.main],
    hash: round === 1,
  });
  const upload = async (h: Harness, v: Variant, round: number) => {
    const stop = around?.();
    const s = await h.upload(spec(v, round));
    return { ...s, helperCpuMs: stop?.() ?? NaN };
  };
  for (const v of variants) await upload(harness, v, 0);
  const out: Array<Sample & { helperCpuMs: number }> = [];
  for (let round = 1; round <= plan.rounds; round++) {
    for (const v of round % 2 ? variants : [...variants].reverse()) {
      const s = await upload(harness, v, round);
      out.push(s);
      console.log(
        `  r${s.round} ${s.variant.padEnd(34)} ${fmt(s.mbps).padStart(7)} MB/s  ${fmt(s.ms, 0).padStart(6)} ms` +
          `  srv cpu ${fmt(s.serverCpuMs, 0).padStart(5)} ms` +
          (Number.isNaN(s.helperCpuMs) ? '' : `  rgw cpu ${fmt(s.helperCpuMs, 0).padStart(5)} ms`) +
          `  foreign cpu ${fmt(s.foreignCpuMs, 0)} ms` +
          (s.verified === 'FAILED' ? `  FAILED ${s.errors.join('; ')}` : ` ${s.verified}`),
      );
    }
  }
  return out;
}

/** Median of the per-round ratios a / b (MB/s): the two ran next to each other in every round. */
export function ratio(samples: Sample[], a: string, b: string): number {
  const rs: number[] = [];
  for (const s of samples.filter((x) => x.variant === a)) {
    const t = samples.find((x) => x.variant === b && x.round === s.round);
    if (t && s.verified !== 'FAILED' && t.verified !== 'FAILED') rs.push(s.mbps / t.mbps);
  }
  return median(rs);
}

export function summarize(samples: Array<Sample & { helperCpuMs: number }>, variant: string): PairedRow {
  const mine = samples.filter((s) => s.variant === variant);
  const m = (f: (s: Sample & { helperCpuMs: number }) => number) => median(mine.map(f));
  return {
    variant,
    n: mine.length,
    mbps: m((s) => s.mbps),
    min: Math.min(...mine.map((s) => s.mbps)),
    max: Math.max(...mine.map((s) => s.mbps)),
    serverCpuMs: m((s) => s.serverCpuMs),
    serverRssGrowthMB: Math.max(...mine.map((s) => s.serverRssPeak - s.serverRssBase)) / MB,
    helperCpuMs: m((s) => s.helperCpuMs),
    noisePct: m((s) => (100 * s.foreignCpuMs) / s.ms),
    redone: mine.reduce((n, s) => n + s.redone, 0),
    failures: mine.filter((s) => s.verified === 'FAILED').length,
  };
}

/** The rows with one ratio column against `base`; `helper` names the helper CPU column, if measured. */
export function pairedTable(
  rows: PairedRow[],
  samples: Sample[],
  base: { id: string; label: string },
  helper?: string,
): string {
  return table([
    [
      'variant',
      'MB/s',
      'min-max',
      base.label,
      'srvCPU',
      ...(helper ? [helper] : []),
      'srvRSS+',
      'noise',
      'redo',
    ],
    ...rows.map((r) => [
      r.variant,
      fmt(r.mbps),
      `${fmt(r.min, 0)}-${fmt(r.max, 0)}`,
      fmt(ratio(samples, r.variant, base.id), 2),
      `${fmt(r.serverCpuMs, 0)}ms`,
      ...(helper ? [`${fmt(r.helperCpuMs, 0)}ms`] : []),
      `${fmt(r.serverRssGrowthMB)}MB`,
      `${fmt(r.noisePct, 0)}%`,
      `${r.redone}${r.failures ? ` FAIL ${r.failures}` : ''}`,
    ]),
  ]);
}
