// Issue #18: performance the way a deployment looks. One Chromium, a plain Node reverse proxy in front of
// each server, nothing pinned, every uploader timed from the pick to done. Five parts: throughput against the
// raw POST and tus-js-client; server CPU per GiB against a bare sink that fsyncs (no browser); a resume from
// 50% against a fresh upload of the same bytes; time to the first body byte through 50 ms each way; and
// the status request's server time under 50 keep-alive clients.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { encodeHeaderValue } from '../../../src/engine/session.js';
import { randomFile } from '../files.js';
import type { Harness, Sample, ServerName } from '../harness.js';
import { send, statusLoad } from '../load.js';
import { alternateJobs, partOf, perRound, Proxied, unpin, type Job, type Measured } from '../proxied.js';
import type { Ctx } from '../plan.js';
import { fmt, MB, median, MiB, table } from '../report.js';

const SIZE_MIB = 128;
const TTFB_MIB = 8;
const DELAY_MS = 50;
const GiB = 1024 * MiB;

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

export async function proxy(ctx: Ctx): Promise<void> {
  const { harness, plan, results } = ctx;
  if (!harness.has('ours') || !harness.has('raw'))
    return console.log('\n(proxy needs ours and the raw sink)');
  unpin(harness);
  const size = SIZE_MIB * MiB;
  const main = randomFile(`random-${SIZE_MIB}MiB.bin`, size);
  const rest = partOf(main, size / 2, size);
  const small = randomFile(`random-${TTFB_MIB}MiB.bin`, TTFB_MIB * MiB);
  const files = [main, rest, small];
  const out: Record<string, unknown> = { loadBefore: loadavg(), sizeMiB: SIZE_MIB, rounds: plan.rounds };
  console.log(
    `\n== behind a proxy, shared cores: ${SIZE_MIB} MiB, ${plan.rounds} alternating rounds, unpinned; load ${load()} ==`,
  );
  const proxies = new Map<ServerName, Proxied>();
  try {
    for (const name of ['raw', 'tus', 'ours'] as const)
      if (harness.has(name)) proxies.set(name, await Proxied.start(harness, name, files));
    out.throughput = await throughput(harness, proxies, main, plan.rounds);
    out.resume = await resume(harness, proxies, main, rest, plan.rounds);
  } finally {
    for (const p of proxies.values()) await p.stop(harness);
  }
  out.ttfb = await firstByte(harness, files, small, plan.rounds);
  out.cpu = await cpuPerGiB(harness, main, plan.rounds);
  out.status = await statusUnderLoad(harness);
  out.loadAfter = loadavg();
  results.proxy = out;
}

const summary = (samples: Measured[], id: string) => {
  const mine = samples.filter((s) => s.variant === id);
  return {
    variant: id,
    mbps: median(mine.map((s) => s.mbps)),
    min: Math.min(...mine.map((s) => s.mbps)),
    max: Math.max(...mine.map((s) => s.mbps)),
    ms: median(mine.map((s) => s.ms)),
    serverCpuMs: median(mine.map((s) => s.serverCpuMs)),
    noisePct: median(mine.map((s) => (100 * s.foreignCpuMs) / s.ms)),
    failures: mine.filter((s) => s.verified === 'FAILED').length,
  };
};

async function throughput(harness: Harness, proxies: Map<ServerName, Proxied>, main: string, rounds: number) {
  const size = SIZE_MIB * MiB;
  const base = { indices: [0], bytes: size, sources: [main] };
  const jobs: Job[] = [];
  const job = (id: string, server: ServerName, variant: Sample['variant'], extra: object): void => {
    const p = proxies.get(server);
    if (p)
      jobs.push({
        id,
        spec: (round) => ({
          ...base,
          page: p.page,
          hash: round === 1,
          variant: { id: variant, server, chunkMiB: null, ...extra } as never,
        }),
      });
  };
  job('raw XHR POST -> sink (fsync)', 'raw', 'raw', { kind: 'raw', fsync: true });
  job('tus-js-client -> @tus/server', 'tus', 'tus', { kind: 'tus' });
  job('element -> ours', 'ours', 'element', { kind: 'element', chunkMiB: 0 });
  // Where the element's time goes: the engine alone, no element rendering its progress.
  job('engine (no element) -> ours', 'ours', 'ours', { kind: 'ours', chunkMiB: 0 });
  console.log(`\n-- throughput through the proxy (load ${load()}) --`);
  const samples = await alternateJobs(harness, jobs, rounds);
  const rows = jobs.map((j) => summary(samples, j.id));
  const mb = (s: Measured) => s.mbps;
  const vsRaw = median(perRound(samples, 'element -> ours', 'raw XHR POST -> sink (fsync)', mb));
  const vsTus = median(perRound(samples, 'element -> ours', 'tus-js-client -> @tus/server', mb));
  console.log(
    table([
      ['variant', 'MB/s', 'min-max', 'srv CPU', 'srv CPU/GiB', 'noise'],
      ...rows.map((r) => [
        r.variant,
        fmt(r.mbps),
        `${fmt(r.min, 0)}-${fmt(r.max, 0)}`,
        `${fmt(r.serverCpuMs, 0)} ms`,
        `${fmt((r.serverCpuMs * GiB) / size, 0)} ms`,
        `${fmt(r.noisePct, 0)}%${r.failures ? ` FAIL ${r.failures}` : ''}`,
      ]),
    ]),
  );
  console.log(
    `element / raw POST ${fmt(vsRaw, 2)}x (asks >= 0.95); element / tus-js-client ${fmt(vsTus, 2)}x (asks >= 1.3); load ${load()}`,
  );
  return { rows, vsRaw, vsTus, samples: samples.map(({ trace: _t, ...s }) => s) };
}

/** Puts bytes [0, size/2) of `main` on our server, as an upload cut at 50% by an earlier page would. */
const prefill = (upstream: string, main: string, name: string) => async (idPrefix: string) => {
  const size = SIZE_MIB * MiB;
  const a = await send(
    `${upstream}/upload`,
    'POST',
    {
      'X-File-Id': encodeHeaderValue(`${idPrefix}-${name}`),
      'X-Start-Byte': '0',
      'X-File-Size': String(size),
    },
    { path: main, start: 0, end: size / 2 },
  );
  if (a.status !== 200 || a.body !== String(size / 2))
    throw new Error(`prefill answered ${a.status} ${a.body}`);
};

async function resume(
  harness: Harness,
  proxies: Map<ServerName, Proxied>,
  main: string,
  rest: string,
  rounds: number,
) {
  const size = SIZE_MIB * MiB;
  const name = main.split('/').pop()!;
  const ours = proxies.get('ours')!;
  const raw = proxies.get('raw')!;
  const element = { kind: 'element', server: 'ours', chunkMiB: 0 } as const;
  // The platform's side, with no protocol: the same bytes as a File and as a Blob sliced from the File.
  const rawJob = (id: string, index: number, extra: object): Job => ({
    id,
    spec: (round) => ({
      page: raw.page,
      variant: { id: 'raw', kind: 'raw', server: 'raw', chunkMiB: null, fsync: true, ...extra },
      indices: [index],
      bytes: size / 2,
      sources: [rest],
      hash: round === 1,
    }),
  });
  const jobs: Job[] = [
    rawJob('raw POST of the second half (a File)', 1, {}),
    rawJob('raw POST of file.slice(half)', 0, { from: size / 2 }),
    {
      id: 'fresh: the second half as its own File',
      spec: (round) => ({
        page: ours.page,
        variant: { ...element, id: 'element' },
        indices: [1],
        bytes: size / 2,
        sources: [rest],
        hash: round === 1,
      }),
    },
    {
      id: 'resume from 50% (the rest of the File)',
      spec: (round) => ({
        page: ours.page,
        variant: { ...element, id: 'element' },
        indices: [0],
        bytes: size,
        sources: [main],
        hash: round === 1,
        prepare: prefill(ours.upstream, main, name),
      }),
    },
  ];
  console.log(`\n-- after a fault: ${SIZE_MIB / 2} MiB left, resumed vs fresh (load ${load()}) --`);
  const samples = await alternateJobs(harness, jobs, rounds);
  const ms = (s: Measured) => s.ms;
  const ratio = median(perRound(samples, jobs[2].id, jobs[3].id, ms));
  const platform = median(perRound(samples, jobs[0].id, jobs[1].id, ms));
  const rows = jobs.map((j) => {
    const r = summary(samples, j.id);
    return { ...r, restMbps: size / 2 / MB / (r.ms / 1000) };
  });
  console.log(
    table([
      ['upload of the same 64 MiB', 'ms', 'MB/s of the 64 MiB', 'srv CPU', 'noise'],
      ...rows.map((r) => [
        r.variant,
        fmt(r.ms, 0),
        fmt(r.restMbps),
        `${fmt(r.serverCpuMs, 0)} ms`,
        `${fmt(r.noisePct, 0)}%`,
      ]),
    ]),
  );
  console.log(
    `element: resume / fresh speed ${fmt(ratio, 2)}x; raw POST: slice / File ${fmt(platform, 2)}x ` +
      `(per-round time ratios; 1.00 = no gap); load ${load()}`,
  );
  return {
    rows,
    resumeVsFresh: ratio,
    sliceVsFile: platform,
    samples: samples.map(({ trace: _t, ...s }) => s),
  };
}

const UPLOADING = new Set(['POST', 'PATCH']);

/** From the pick to the first body byte at the proxy, through DELAY_MS each way, for TTFB_MIB files. */
async function firstByte(harness: Harness, files: string[], small: string, rounds: number) {
  const bytes = TTFB_MIB * MiB;
  const proxies = new Map<ServerName, Proxied>();
  try {
    for (const name of ['raw', 'ours'] as const)
      proxies.set(name, await Proxied.start(harness, name, files, DELAY_MS));
    const job = (id: string, server: ServerName, variant: object): Job => {
      const p = proxies.get(server)!;
      return {
        id,
        spec: () => ({
          page: p.page,
          indices: [2],
          bytes,
          sources: [small],
          variant: { id, server, chunkMiB: 0, ...variant } as never,
          prepare: async () => void (await p.log()),
        }),
        after: async (s) => {
          const rows = await p.log();
          const first = rows.find((r) => UPLOADING.has(r[0]) && r[3] !== null);
          const before = first ? rows.filter((r) => r[2] < first[2] && !/\.js$/.test(r[1])).length : NaN;
          return { 'ttfb ms': first ? first[3]! - s.startedAt : NaN, 'requests before': before };
        },
      };
    };
    const jobs = [
      job('raw XHR POST', 'raw', { kind: 'raw', fsync: true }),
      job('element (status-upload)', 'ours', { kind: 'element' }),
      job('element (tus)', 'ours', { kind: 'element', protocol: 'tus' }),
      job('element (ietf)', 'ours', { kind: 'element', protocol: 'ietf' }),
    ];
    console.log(`\n-- time to first byte, ${DELAY_MS} ms each way, ${TTFB_MIB} MiB (load ${load()}) --`);
    const samples = await alternateJobs(harness, jobs, rounds);
    const rows = jobs.map((j) => {
      const mine = samples.filter((s) => s.variant === j.id);
      return {
        variant: j.id,
        ttfbMs: median(mine.map((s) => s.extra['ttfb ms'])),
        requestsBefore: median(mine.map((s) => s.extra['requests before'])),
        ms: median(mine.map((s) => s.ms)),
      };
    });
    const raw = rows[0].ttfbMs;
    console.log(
      table([
        ['variant', 'pick -> 1st body byte', '- raw', 'requests before', 'whole upload'],
        ...rows.map((r) => [
          r.variant,
          `${fmt(r.ttfbMs, 0)} ms`,
          `${fmt(r.ttfbMs - raw, 0)} ms`,
          fmt(r.requestsBefore, 0),
          `${fmt(r.ms, 0)} ms`,
        ]),
      ]),
    );
    return { delayMs: DELAY_MS, rows, samples: samples.map(({ trace: _t, ...s }) => s) };
  } finally {
    for (const p of proxies.values()) await p.stop(harness);
  }
}

/** Server CPU per GiB with no browser and no proxy: one body straight from the file, alternating. */
async function cpuPerGiB(harness: Harness, main: string, rounds: number) {
  const size = SIZE_MIB * MiB;
  const body = { path: main, start: 0, end: size };
  const names = ['raw', 'ours', 'ours-nofsync'] as const;
  const cpu = new Map<string, number[]>(names.map((n) => [n, []]));
  console.log(
    `\n-- server CPU per GiB, ${SIZE_MIB} MiB bodies from the bench, no browser (load ${load()}) --`,
  );
  for (let round = 0; round <= rounds; round++) {
    for (const name of round % 2 ? names : [...names].reverse()) {
      const srv = harness.servers.get(name)!;
      await srv.clear();
      execFileSync('sync');
      const u0 = await srv.usage();
      const a =
        name === 'raw'
          ? await send(`${srv.url}/raw?fsync=1`, 'POST', {}, body)
          : await send(
              `${srv.url}/upload`,
              'POST',
              {
                'X-File-Id': `cpu-${process.pid}-${name}-${round}`,
                'X-Start-Byte': '0',
                'X-File-Size': String(size),
              },
              body,
            );
      const ms = (await srv.usage()).cpuMs - u0.cpuMs;
      if (a.status !== 200 || a.body !== String(size))
        throw new Error(`${name} answered ${a.status} ${a.body}`);
      // Round 0 warms up.
      if (round > 0) cpu.get(name)!.push((ms * GiB) / size);
    }
  }
  const raw = median(cpu.get('raw')!);
  const rows = names.map((n) => ({
    server: n === 'raw' ? 'bare Node sink + fsync' : n,
    cpuMsPerGiB: median(cpu.get(n)!),
    runs: cpu.get(n)!,
    vsSink: median(cpu.get(n)!) / raw,
  }));
  console.log(
    table([
      ['server', 'CPU ms / GiB', 'runs', 'x sink'],
      ...rows.map((r) => [
        r.server,
        fmt(r.cpuMsPerGiB, 0),
        r.runs.map((x) => fmt(x, 0)).join(' '),
        fmt(r.vsSink, 2),
      ]),
    ]),
  );
  console.log(`(asks ours <= 1.05 x the sink; load ${load()})`);
  return rows;
}

/** 50 keep-alive clients asking status as fast as answered for 3 s; server time from the probe. */
async function statusUnderLoad(harness: Harness) {
  const srv = harness.servers.get('ours')!;
  await srv.trace();
  const u0 = await srv.usage();
  const r = await statusLoad(`${srv.url}/status`, (i) => ({ 'X-File-Id': `status-load-${i}` }), 50, 3);
  const cpuMs = (await srv.usage()).cpuMs - u0.cpuMs;
  const rows = (await srv.trace()).filter((t) => t[1] === '/status' && t[5] !== null);
  const times = rows.map((t) => t[5]! - t[3]).sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
  const out = {
    ...r,
    serverMsMedian: median(times),
    serverMsP99: pct(0.99),
    serverMsMax: times.at(-1) ?? NaN,
    sampled: times.length,
    cpuMsPerRequest: cpuMs / r.requests,
  };
  console.log(
    `\n-- status under load: 50 keep-alive clients, 3 s (load ${load()}) --\n` +
      `${fmt(r.perSecond, 0)} req/s, ${r.errors} errors, ${r.connections} connections opened; server time per status ` +
      `(head parsed -> answer sent, ${times.length} sampled): median ${fmt(out.serverMsMedian, 3)} ms, ` +
      `p99 ${fmt(out.serverMsP99, 3)} ms, max ${fmt(out.serverMsMax, 2)} ms; server CPU ${fmt(out.cpuMsPerRequest, 3)} ms/request (asks < 1 ms)`,
  );
  return out;
}
