// The measurements, one function per section; each adds its part to results.json and prints a table.
import { defaultOptions } from '../../src/engine/options.js';
import { BenchPage } from './browser.js';
import { CutProxy, type ProxiedRequest } from './cut-proxy.js';
import type { Harness, Sample, Variant } from './harness.js';
import { chart, fmt, median, MB, MiB, table, type ChartSeries } from './report.js';

export const SECTIONS = ['rounds', 'trace', 'heap', 'rss', 'concurrency', 'retry'] as const;

export interface Plan {
  rounds: number;
  sizeMiB: number;
  chunksMiB: number[];
  bigMiB: number;
  sections: string[];
  concurrentFiles: number;
  concurrentMiB: number;
  heapMiB: number[];
  retryCuts: number;
}

export interface Results {
  meta: Record<string, unknown> & { loadAfter: number[]; seconds: number };
  summary?: SummaryRow[];
  recommendation?: string;
  samples?: Sample[];
  chart?: string;
  trace?: unknown[];
  heap?: unknown[];
  rss?: unknown[];
  concurrency?: unknown;
  retry?: unknown;
  serverHeap?: { startMB: number; endMB: number; uploads: number };
}

export interface Ctx {
  harness: Harness;
  plan: Plan;
  files: { main: string; heap: string[]; big: string; many: string[] };
  index: { main: number; heap: number[]; big: number; many: number[] };
  results: Results;
}

interface SummaryRow {
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

const chunkLabel = (c: number | null) => (c === null ? 'default' : c === 0 ? 'whole' : `${c}MiB`);
const ours = (c: number, server: 'ours' | 'ours-nofsync' | 'ours-earlyflush' = 'ours'): Variant => ({
  id: `${server}@${chunkLabel(c)}`,
  kind: 'ours',
  server,
  chunkMiB: c,
});
const RAW: Variant = { id: 'raw', kind: 'raw', server: 'raw', chunkMiB: null, fsync: false };
const RAW_FSYNC: Variant = { id: 'raw+fsync', kind: 'raw', server: 'raw', chunkMiB: null, fsync: true };
const TUS: Variant = { id: 'tus', kind: 'tus', server: 'tus', chunkMiB: null };
/** The raw POST of a Blob from file.slice(0, size): what any chunked uploader sends in Chromium. */
const RAW_SLICE: Variant = {
  id: 'raw+fsync/slice',
  kind: 'raw',
  server: 'raw',
  chunkMiB: null,
  fsync: true,
  slice: true,
};
/** The engine's current default (MiB), used where one chunk size stands for all. */
const DEFAULT_CHUNK = defaultOptions().chunkSize / MiB;
/** Drops repeats (e.g. when the default chunk size is also one of --chunks) and absent servers. */
const usable = (harness: Harness, vs: Variant[]) =>
  vs.filter((v, i) => harness.has(v.server) && vs.findIndex((w) => w.id === v.id) === i);

const line = (s: Sample) =>
  `  r${s.round} ${s.variant.padEnd(22)} ${fmt(s.mbps).padStart(7)} MB/s  ${fmt(s.ms, 0).padStart(6)} ms` +
  `  srv cpu ${fmt(s.serverCpuMs, 0).padStart(5)} ms  rss ${fmt(s.serverRssPeak / MB)} MB` +
  `  foreign cpu ${fmt(s.foreignCpuMs, 0)} ms${s.verified === 'FAILED' ? `  FAILED ${s.errors.join('; ')}` : ''}`;

async function rounds({ harness, plan, files, index, results }: Ctx): Promise<void> {
  const unsliced: Variant[] = harness.built.unslicedEngine
    ? [{ ...ours(0), id: 'ours-unsliced@whole', module: harness.built.unslicedEngine }]
    : [];
  const all: Variant[] = [
    RAW,
    RAW_FSYNC,
    RAW_SLICE,
    ...plan.chunksMiB.map((c) => ours(c)),
    { ...ours(DEFAULT_CHUNK), id: `element@${chunkLabel(DEFAULT_CHUNK)}`, kind: 'element' as const },
    ...unsliced,
    ...plan.chunksMiB.map((c) => ours(c, 'ours-nofsync')),
    ours(DEFAULT_CHUNK, 'ours-earlyflush'),
    ours(0, 'ours-earlyflush'),
    TUS,
    { ...TUS, id: `tus@${chunkLabel(DEFAULT_CHUNK || null)}`, chunkMiB: DEFAULT_CHUNK || null },
  ];
  const variants = usable(harness, all);
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
  const warm = [
    RAW,
    ours(DEFAULT_CHUNK),
    ours(DEFAULT_CHUNK, 'ours-nofsync'),
    ours(DEFAULT_CHUNK, 'ours-earlyflush'),
    TUS,
  ];
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
    { label: 'ours, early flush (proposal)', color: '#bf8700', server: 'ours-earlyflush', dashed: true },
    { label: 'ours, File unsliced (proposal)', color: '#0a7d6c', server: 'ours-unsliced' },
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

/** Where the time of one upload goes, from the proxy's timestamps at the server's door. */
function breakdown(variant: string, s: Sample, log: ProxiedRequest[]) {
  const posts = log.filter((e) => e.method === 'POST');
  const gets = log.filter((e) => e.method === 'GET' && e.path.startsWith('/status'));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const waits = posts.map((e) => (e.answered ?? NaN) - (e.lastByte ?? NaN));
  const gaps = log.slice(1).map((e, i) => e.arrived - (log[i].finished ?? NaN));
  const rows = s.trace ?? [];
  return {
    variant,
    ms: s.ms,
    mbps: s.mbps,
    posts: posts.length,
    gets: gets.length,
    /** First to last body byte, summed over POSTs. */
    receivingMs: sum(posts.map((e) => (e.lastByte ?? NaN) - (e.firstByte ?? NaN))),
    /** Last body byte to the answer's head: the server's fsync and bookkeeping, summed. */
    serverWaitMs: sum(waits),
    lastPostWaitMs: waits.at(-1) ?? NaN,
    otherPostWaitMs: waits.length > 1 ? median(waits.slice(0, -1)) : NaN,
    /** Answer sent to the next request's head: the client's turnaround plus loopback, summed. */
    betweenMs: sum(gaps),
    statusMs: sum(gets.map((e) => (e.finished ?? NaN) - e.arrived)),
    /** In the page: an answer's readyState 4 to the next send(), i.e. the engine's own work per chunk. */
    engineTurnaroundMs: median(rows.slice(1).map((r, i) => r[2] - rows[i][4])),
    progressEvents: s.progressEvents,
  };
}

async function trace({ harness, plan, files, index, results }: Ctx): Promise<void> {
  console.log(
    `\n== trace: where the time goes (${plan.sizeMiB} MiB through a timestamping proxy, so slower than above) ==`,
  );
  const out = [];
  for (const server of ['ours', 'ours-nofsync', 'ours-earlyflush'] as const) {
    const child = harness.servers.get(server);
    if (!child) continue;
    const proxy = await CutProxy.start(child.url);
    const page = await BenchPage.open(harness.browser, proxy.url, harness.files);
    try {
      for (const c of plan.chunksMiB) {
        const s = await harness.upload({
          variant: ours(c, server),
          round: 0,
          indices: [index.main],
          bytes: plan.sizeMiB * MiB,
          sources: [files.main],
          page,
          trace: true,
          beforeEach: () => proxy.arm(null),
        });
        out.push(breakdown(s.variant, s, [...proxy.log]));
      }
    } finally {
      await page.page.context().close();
      await proxy.close();
    }
  }
  results.trace = out;
  console.log(
    table([
      [
        'variant',
        'MB/s',
        'POSTs',
        'GETs',
        'receiving ms',
        'server answer wait ms',
        'per POST (median)',
        'last POST',
        'between requests ms',
        'engine per chunk ms',
        'status ms',
      ],
      ...out.map((b) => [
        b.variant,
        fmt(b.mbps),
        String(b.posts),
        String(b.gets),
        fmt(b.receivingMs, 0),
        fmt(b.serverWaitMs, 1),
        fmt(b.otherPostWaitMs, 1),
        fmt(b.lastPostWaitMs, 1),
        fmt(b.betweenMs, 1),
        fmt(b.engineTurnaroundMs, 2),
        fmt(b.statusMs, 1),
      ]),
    ]),
  );
}

async function heap({ harness, plan, files, index, results }: Ctx): Promise<void> {
  console.log(
    `\n== page heap: ${plan.heapMiB.join(' vs ')} MiB (peak usedJSHeapSize during the upload minus before, after GC) ==`,
  );
  const out = [];
  for (const v of usable(harness, [ours(DEFAULT_CHUNK), ours(0), RAW_FSYNC])) {
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
      ['variant', 'file', 'heap before', 'heap growth (max of 2)', 'page task ms', 'chromium CPU ms', 'MB/s'],
      ...out.map((h) => [
        h.variant,
        `${h.sizeMiB} MiB`,
        `${fmt(h.heapBaseMB, 2)} MB`,
        `${fmt(h.heapGrowthMB, 3)} MB`,
        fmt(h.pageTaskMs, 0),
        fmt(h.chromiumCpuMs, 0),
        fmt(h.mbps),
      ]),
    ]),
  );
}

async function rss({ harness, plan, files, index, results }: Ctx): Promise<void> {
  console.log(`\n== server RSS while receiving ${plan.bigMiB} MiB (VmRSS every 20 ms) ==`);
  const out = [];
  for (const v of usable(harness, [ours(DEFAULT_CHUNK), ours(0), RAW_FSYNC, TUS])) {
    const s = await harness.upload({
      variant: v,
      round: 1,
      indices: [index.big],
      bytes: plan.bigMiB * MiB,
      sources: [files.big],
    });
    out.push({
      variant: v.id,
      baseMB: s.serverRssBase / MB,
      minMB: s.serverRssMin / MB,
      peakMB: s.serverRssPeak / MB,
      rangeMB: (s.serverRssPeak - Math.min(s.serverRssBase, s.serverRssMin)) / MB,
      serverCpuMs: s.serverCpuMs,
      mbps: s.mbps,
      verified: s.verified,
    });
  }
  results.rss = out;
  console.log(
    table([
      ['variant', 'RSS before', 'min', 'peak', 'peak - lowest', 'srv CPU ms', 'MB/s', 'stored'],
      ...out.map((r) => [
        r.variant,
        `${fmt(r.baseMB)} MB`,
        `${fmt(r.minMB)} MB`,
        `${fmt(r.peakMB)} MB`,
        `${fmt(r.rangeMB)} MB`,
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
  cutToStatusMs: number | null;
  cutToRetryFirstByteMs: number | null;
  statusRttClientMs: number | null;
  statusServerMs: number | null;
  errorToStatusSendMs: number | null;
  firstRetryDelayMs: number;
  chromiumResent: boolean;
  sequence: string[];
  retries: number;
  verified: string;
  mbps: number;
}

async function retry({ harness, plan, files, index, results }: Ctx): Promise<void> {
  const server = harness.servers.get('ours');
  if (!server) return;
  const sizeMiB = plan.heapMiB[0];
  const cutBytes = 4 * MiB;
  console.log(
    `\n== retry latency: ${plan.retryCuts} uploads of ${sizeMiB} MiB, each POST cut after ${cutBytes / MiB} MiB by a proxy ==`,
  );
  const proxy = await CutProxy.start(server.url);
  const page = await BenchPage.open(harness.browser, proxy.url, harness.files);
  const out: RetryCut[] = [];
  try {
    for (let k = 0; k < plan.retryCuts; k++) {
      const s = await harness.upload({
        beforeEach: () => proxy.arm(cutBytes),
        variant: ours(DEFAULT_CHUNK),
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
      const resent = after.some((e) => e.method === 'POST' && e.startByte === cut?.startByte);
      // Client side (page clock): the cut POST's end, then the status request's round trip.
      const rows = s.trace ?? [];
      const failedAt = rows.findIndex((r) => r[0] === 'POST');
      const failed = rows[failedAt];
      const get = rows.slice(failedAt + 1).find((r) => r[0] === 'GET');
      out.push({
        cutToStatusMs: status ? status.arrived - cutAt : null,
        cutToRetryFirstByteMs: resumed?.firstByte != null ? resumed.firstByte - cutAt : null,
        statusRttClientMs: get ? get[4] - get[2] : null,
        statusServerMs: status?.finished != null ? status.finished - status.arrived : null,
        errorToStatusSendMs: get && failed ? get[2] - failed[4] : null,
        firstRetryDelayMs: defaultOptions().retryDelays[0],
        chromiumResent: resent,
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
  const med = (f: (r: RetryCut) => number | null) => median(out.map(f).filter((x) => x !== null));
  const summary = {
    cutToRetryFirstByteMs: med((r) => r.cutToRetryFirstByteMs),
    statusRttClientMs: med((r) => r.statusRttClientMs),
    firstRetryDelayMs: defaultOptions().retryDelays[0],
  };
  results.retry = { summary, cuts: out };
  console.log(
    table([
      [
        'cut',
        'cut -> retry 1st byte',
        'cut -> status',
        'status RTT (page)',
        'error -> status sent',
        'Chromium re-sent',
        'retries',
        'stored',
        'requests after the cut',
      ],
      ...out.map((r, i) => [
        `#${i + 1}`,
        `${fmt(r.cutToRetryFirstByteMs ?? NaN, 1)} ms`,
        `${fmt(r.cutToStatusMs ?? NaN, 1)} ms`,
        `${fmt(r.statusRttClientMs ?? NaN, 1)} ms`,
        `${fmt(r.errorToStatusSendMs ?? NaN, 1)} ms`,
        r.chromiumResent ? 'yes' : 'no',
        String(r.retries),
        r.verified,
        r.sequence.slice(0, 4).join(', '),
      ]),
    ]),
  );
  console.log(
    `median cut -> retry first byte ${fmt(summary.cutToRetryFirstByteMs, 1)} ms; budget = status RTT ` +
      `${fmt(summary.statusRttClientMs, 1)} ms + first retry delay ${summary.firstRetryDelayMs} ms`,
  );
}

export const sections: Record<string, (ctx: Ctx) => Promise<void>> = {
  rounds,
  trace,
  heap,
  rss,
  concurrency,
  retry,
};
