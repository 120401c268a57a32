// The alternating rounds: every variant once per round, the summary table, the chart.
import type { Sample, Variant } from './harness.js';
import {
  CHUNKED,
  chunkLabel,
  DEFAULT_CHUNK,
  ours,
  RAW,
  RAW_FSYNC,
  RAW_SLICE,
  TUS,
  usable,
  type Ctx,
} from './plan.js';
import { chart, fmt, median, MB, MiB, table, type ChartSeries } from './report.js';

export interface SummaryRow {
  variant: string;
  chunkMiB: number | null;
  n: number;
  mbps: number;
  min: number;
  max: number;
  /** Medians of the per-round ratios (paired: same round, adjacent in time). */
  vsRawFsync: number;
  vsRaw: number;
  vsTus: number;
  serverRssPeakMB: number;
  serverRssGrowthMB: number;
  serverCpuMs: number;
  pageTaskMs: number;
  heapGrowthMB: number;
  chromiumCpuMs: number;
  /** Of which Chromium's browser process, which reads blob bodies for the network service. */
  browserProcMs: number;
  networkProcMs: number;
  foreignCpuMs: number;
  /** foreignCpuMs as a share of the upload's wall time, in % of one core. */
  noisePct: number;
  redone: number;
  failures: number;
}

const line = (s: Sample) =>
  `  r${s.round} ${s.variant.padEnd(22)} ${fmt(s.mbps).padStart(7)} MB/s  ${fmt(s.ms, 0).padStart(6)} ms` +
  `  srv cpu ${fmt(s.serverCpuMs, 0).padStart(5)} ms  rss ${fmt(s.serverRssPeak / MB)} MB` +
  `  foreign cpu ${fmt(s.foreignCpuMs, 0)} ms${s.verified === 'FAILED' ? `  FAILED ${s.errors.join('; ')}` : ''}`;

export async function rounds({ harness, plan, files, index, results }: Ctx): Promise<void> {
  const all: Variant[] = [
    RAW,
    RAW_FSYNC,
    RAW_SLICE,
    ...plan.chunksMiB.map((c) => ours(c)),
    { ...ours(DEFAULT_CHUNK), id: `element@${chunkLabel(DEFAULT_CHUNK)}`, kind: 'element' as const },
    ...plan.chunksMiB.map((c) => ours(c, 'ours-nofsync')),
    TUS,
    // tus with the same chunks as ours@16MiB: per-chunk overheads side by side.
    { ...TUS, id: `tus@${chunkLabel(CHUNKED)}`, chunkMiB: CHUNKED },
  ];
  const variants = usable(harness, all).filter((v) => !plan.variants.length || plan.variants.includes(v.id));
  const bytes = plan.sizeMiB * MiB;
  const spec = (variant: Variant, round: number) => ({
    variant,
    round,
    indices: [index.main],
    bytes,
    sources: [files.main],
    hash: round === 1,
  });
  console.log(
    `\n== rounds: ${plan.rounds} x ${variants.length} uploads of ${plan.sizeMiB} MiB, order alternating ==`,
  );
  // Warm-up: one upload per page (JIT, connection, page cache), not counted.
  const warm = [RAW, ours(DEFAULT_CHUNK), ours(CHUNKED), ours(DEFAULT_CHUNK, 'ours-nofsync'), TUS];
  for (const v of usable(harness, warm)) await harness.upload(spec(v, 0));
  const samples: Sample[] = [];
  for (let round = 1; round <= plan.rounds; round++) {
    const order = round % 2 ? variants : [...variants].reverse();
    for (const v of order) {
      const s = await harness.upload(spec(v, round));
      samples.push(s);
      console.log(line(s));
    }
  }
  results.samples = samples.map(({ trace: _trace, ...s }) => s);
  const rows = variants.map((v) => summarize(v, samples, plan.rounds));
  results.summary = rows;
  console.log(
    `\n${plan.rounds} rounds, ${plan.sizeMiB} MiB, MB/s = 10^6 bytes/s, medians; ratios are medians of per-round ratios`,
  );
  // Narrow on purpose: it goes into the README and reports. results.json has every field.
  console.log(
    table([
      [
        'variant',
        'MB/s',
        'min-max',
        'xraw+fs',
        'xraw',
        'xtus',
        'srvRSS+',
        'srvCPU',
        'pageCPU',
        'heap+',
        'chrCPU(brw)',
        'noise',
        'redo',
      ],
      ...rows.map((r) => [
        r.variant,
        fmt(r.mbps),
        `${fmt(r.min, 0)}-${fmt(r.max, 0)}`,
        fmt(r.vsRawFsync, 2),
        fmt(r.vsRaw, 2),
        fmt(r.vsTus, 2),
        `${fmt(r.serverRssGrowthMB)}MB`,
        `${fmt(r.serverCpuMs, 0)}ms`,
        `${fmt(r.pageTaskMs, 0)}ms`,
        `${fmt(r.heapGrowthMB, 2)}MB`,
        `${fmt(r.chromiumCpuMs, 0)}(${fmt(r.browserProcMs, 0)})`,
        `${fmt(r.noisePct, 0)}%`,
        `${r.redone}${r.failures ? ` FAIL ${r.failures}` : ''}`,
      ]),
    ]),
  );
  console.log(
    'xraw+fs/xraw/xtus: per-round ratios; srvRSS+: server VmRSS peak minus start; srvCPU: server process.cpuUsage;\n' +
      'pageCPU: CDP TaskDuration; heap+: page JS heap peak minus start; chrCPU(brw): all Chromium processes (browser process);\n' +
      'noise: CPU of processes outside the bench as % of one core; redo: uploads repeated because noise > quiet share',
  );
  const within = rows.filter((r) => r.variant.startsWith('ours@') && r.vsRawFsync >= 0.95);
  const best = rows.filter((r) => r.variant.startsWith('ours@')).sort((a, b) => b.mbps - a.mbps)[0];
  results.recommendation = within.length
    ? `smallest chunk within 5% of raw+fsync: ${within.sort((a, b) => (a.chunkMiB || Infinity) - (b.chunkMiB || Infinity))[0].variant}`
    : `no chunk size within 5% of raw+fsync; fastest: ${best?.variant ?? '-'}`;
  console.log(`\n${results.recommendation}`);

  const point = (id: string, c: number): [number, number, number, number] | null => {
    const r = rows.find((x) => x.variant === id);
    return r ? [c, r.mbps, r.min, r.max] : null;
  };
  const series: ChartSeries[] = [
    { label: 'ours (fsync per request)', color: '#1f6feb', server: 'ours' },
    { label: 'ours, per-request fsync off', color: '#8250df', server: 'ours-nofsync', dashed: true },
  ]
    .map(({ server, ...s }) => ({
      ...s,
      points: plan.chunksMiB.map((c) => point(`${server}@${chunkLabel(c)}`, c)).filter((p) => p !== null),
    }))
    .filter((s) => s.points.length > 0);
  const flat = (id: string, label: string, color: string) => {
    const r = rows.find((x) => x.variant === id);
    return r ? [{ label, color, value: r.mbps }] : [];
  };
  results.chart = chart(
    `Uploading ${plan.sizeMiB} MiB from Chromium over loopback`,
    `median of ${plan.rounds} alternating rounds; whiskers: min–max; ${new Date().toISOString().slice(0, 10)}`,
    series,
    [
      ...flat('raw', 'one raw POST', '#57606a'),
      ...flat('raw+fsync', 'raw POST + fsync', '#1a7f37'),
      ...flat('raw+fsync/slice', 'raw POST + fsync of file.slice()', '#d63384'),
      ...flat('tus', 'tus-js-client + @tus/server', '#cf222e'),
    ],
  );
}

function summarize(v: Variant, samples: Sample[], nRounds: number): SummaryRow {
  const mine = samples.filter((s) => s.variant === v.id);
  const ratio = (other: string) => {
    const rs: number[] = [];
    for (let r = 1; r <= nRounds; r++) {
      const a = mine.find((s) => s.round === r);
      const b = samples.find((s) => s.variant === other && s.round === r);
      if (a && b) rs.push(a.mbps / b.mbps);
    }
    return median(rs);
  };
  const m = (f: (s: Sample) => number) => median(mine.map(f));
  return {
    variant: v.id,
    chunkMiB: v.chunkMiB,
    n: mine.length,
    mbps: m((s) => s.mbps),
    min: Math.min(...mine.map((s) => s.mbps)),
    max: Math.max(...mine.map((s) => s.mbps)),
    vsRawFsync: ratio('raw+fsync'),
    vsRaw: ratio('raw'),
    vsTus: ratio('tus'),
    serverRssPeakMB: Math.max(...mine.map((s) => s.serverRssPeak)) / MB,
    serverRssGrowthMB: Math.max(...mine.map((s) => s.serverRssPeak - s.serverRssBase)) / MB,
    serverCpuMs: m((s) => s.serverCpuMs),
    pageTaskMs: m((s) => s.pageTaskMs),
    heapGrowthMB: m((s) => s.heapPeak - s.heapBase) / MB,
    chromiumCpuMs: m((s) => s.chromiumCpuMs),
    browserProcMs: m((s) => s.chromiumCpuByRole.browser ?? 0),
    networkProcMs: m((s) => s.chromiumCpuByRole.network ?? 0),
    foreignCpuMs: m((s) => s.foreignCpuMs),
    noisePct: m((s) => (100 * s.foreignCpuMs) / s.ms),
    redone: mine.reduce((n, s) => n + s.redone, 0),
    failures: mine.filter((s) => s.verified === 'FAILED').length,
  };
}
