// The randomized soak: N uploads of random sizes, chunk sizes and protocols (status-upload, tus, IETF; all
// on our server), each under one random fault, through the same rig as the scenarios. Run k uses seed
// (seed + k), so `--seed <that> --runs 1` replays it.
import { rm } from 'node:fs/promises';
import type { Page, BrowserContext } from 'playwright-core';
import { PROTOCOLS, type ProtocolName } from './browser.js';
import { KiB, MiB, sha256File } from './files.js';
import type { Fault } from './proxy.js';
import { startRig, upload, type Rig } from './rig.js';
import { startServerProcess, type ServerProcess } from './server.js';

/** Small, fast, seedable: https://gist.github.com/tommyettinger/46a874533244883189143505d203312c */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FAULTS = [
  'none',
  'cut',
  'lost-response',
  'status-503',
  'status-reset',
  'stall',
  'slow',
  'offline',
  'kill',
] as const;
export type SoakFault = (typeof FAULTS)[number];

export interface SoakPlan {
  seed: number;
  size: number;
  chunkSize: number;
  fault: SoakFault;
  /** File byte the fault hits. */
  at: number;
  protocol: ProtocolName;
}

const CHUNKS = [0, 256 * KiB, 512 * KiB, MiB, 2 * MiB, 4 * MiB, 8 * MiB, 16 * MiB];

export function plan(seed: number, maxSize: number): SoakPlan {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  // One run in eight is tiny (0-64 KiB, 0 B included); the rest spread evenly up to maxSize.
  const size = rnd() < 0.125 ? int(Math.min(maxSize, 64 * KiB) + 1) : int(maxSize + 1);
  const chunkSize = CHUNKS[int(CHUNKS.length)];
  // Faults that need a body byte cannot happen to an empty file.
  const choices =
    size === 0 ? FAULTS.filter((f) => ['none', 'lost-response', 'status-503'].includes(f)) : FAULTS;
  const fault = choices[int(choices.length)];
  const at = size ? int(size) : 0;
  // Drawn last, so a seed's size, chunk and fault are what they were before protocols were drawn.
  const protocol = PROTOCOLS[int(PROTOCOLS.length)];
  return { seed, size, chunkSize, fault, at, protocol };
}

export interface SoakResult extends SoakPlan {
  ok: boolean;
  reason?: string;
  ms: number;
  wire: number;
  /** Wire bytes within size + one chunk for the fault. */
  withinBudget: boolean;
  /** Error kinds of the engine's retries. */
  retries?: string[];
}

const RETRY_DELAYS = [0, 100, 300, 500, 1000, 2000, 3000];
const STALL_TIMEOUT = 1500;

async function runOne(rig: Rig<ServerProcess>, p: SoakPlan): Promise<SoakResult> {
  const file = await rig.file(p.size);
  const faults: Fault[] = [];
  let during: ((page: Page, context: BrowserContext) => Promise<void>) | undefined;
  switch (p.fault) {
    case 'cut':
      faults.push({ kind: 'cut', at: p.at });
      break;
    case 'lost-response':
      faults.push({ kind: 'drop-response' });
      break;
    case 'status-503':
    case 'status-reset':
      if (p.size > 0) faults.push({ kind: 'cut', at: p.at });
      faults.push({ kind: p.fault });
      break;
    case 'stall':
      faults.push({ kind: 'freeze', at: p.at, ms: 2 * STALL_TIMEOUT });
      break;
    case 'slow':
      rig.proxy.throttle({ bytesPerSecond: 200 * 1000, budget: 512 * KiB });
      break;
    case 'offline':
      during = async (page, context) => {
        await page
          .waitForFunction((n) => window.harness.uploaded() >= n, p.at, { polling: 10, timeout: 60_000 })
          .catch(() => undefined);
        await context.setOffline(true);
        await new Promise((r) => setTimeout(r, 2000));
        await context.setOffline(false);
      };
      break;
    case 'kill': {
      const frozen = rig.proxy.inject({ kind: 'freeze', at: p.at });
      during = async () => {
        await frozen;
        await rig.server.kill();
        await new Promise((r) => setTimeout(r, 200));
        await rig.server.restart();
      };
      break;
    }
  }
  for (const f of faults) void rig.proxy.inject(f);
  const t0 = performance.now();
  const result = (extra: Partial<SoakResult> & { ok: boolean }): SoakResult => ({
    ...p,
    ms: performance.now() - t0,
    wire: 0,
    withinBudget: true,
    ...extra,
  });
  try {
    const run = await upload(rig, file, {
      chunkSize: p.chunkSize,
      retryDelays: RETRY_DELAYS,
      stallTimeout: STALL_TIMEOUT,
      timeout: 120_000,
      protocol: p.protocol,
      during,
    });
    const chunk = Math.min(p.chunkSize || p.size, p.size);
    // As in assertWire: bytes the browser sent into a link that then broke are the fault's loss.
    const lostInLink = run.posts.reduce((n, r) => n + (r.received - r.forwarded), 0);
    const budget = p.size + (p.fault === 'none' || p.fault === 'slow' ? 0 : chunk) + lostInLink;
    const retries = run.log.filter((e) => e.type === 'upload-retry').map((e) => e.error?.kind ?? '?');
    const base = { ms: run.ms, wire: run.wire, withinBudget: run.wire <= budget, retries };
    if (run.outcome !== 'complete') {
      const error = [...run.log].reverse().find((e) => e.type === 'upload-error')?.error;
      return result({ ...base, ok: false, reason: `upload-error: ${error?.message}` });
    }
    const fileId = run.log.find((e) => e.type === 'upload-complete')!.fileId!;
    const stored = run.uploadUrl ? rig.server.uploadPath(run.uploadUrl) : rig.server.storedPath(fileId);
    const same = (await sha256File(stored).catch(() => 'missing')) === file.sha256;
    await rm(stored, { force: true });
    return result({ ...base, ok: same, reason: same ? undefined : 'stored file differs from the source' });
  } catch (err) {
    return result({ ok: false, reason: (err as Error).message.split('\n')[0] });
  } finally {
    rig.proxy.throttle(null);
    rig.proxy.clearFaults();
    await rm(file.path, { force: true });
  }
}

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

export interface SoakSummary {
  results: SoakResult[];
  passes: number;
  text: string;
}

export async function runSoak(options: {
  runs: number;
  seed: number;
  maxSize: number;
  print?: (line: string) => void;
}): Promise<SoakSummary> {
  const { runs, seed, maxSize, print = () => undefined } = options;
  const rig = await startRig({ server: (dir) => startServerProcess(dir) });
  const results: SoakResult[] = [];
  try {
    for (let k = 0; k < runs; k++) {
      const p = plan((seed + k) >>> 0, maxSize);
      const r = await runOne(rig, p);
      results.push(r);
      print(
        `${r.ok ? 'ok  ' : 'FAIL'} seed=${r.seed} ${r.protocol} size=${r.size} chunk=${r.chunkSize} fault=${r.fault}@${r.at} ` +
          `${Math.round(r.ms)} ms wire +${r.wire - r.size}${r.withinBudget ? '' : ' (over budget)'}` +
          `${r.retries?.length ? ` retries: ${r.retries.join(',')}` : ''}` +
          `${r.reason ? ` -- ${r.reason}` : ''}`,
      );
    }
  } finally {
    await rig.close();
  }
  const passes = results.filter((r) => r.ok).length;
  const times = results
    .filter((r) => r.ok)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const bytes = results.reduce((n, r) => n + r.size, 0);
  const wire = results.reduce((n, r) => n + r.wire, 0);
  const over = results.filter((r) => !r.withinBudget);
  const failed = results.filter((r) => !r.ok);
  const lines = [
    `soak: ${passes}/${runs} byte-identical (seed ${seed}, max size ${maxSize} B)`,
    `completion time: p50 ${(pct(times, 0.5) / 1000).toFixed(2)} s, p95 ${(pct(times, 0.95) / 1000).toFixed(2)} s`,
    `wire overhead: ${(wire - bytes).toLocaleString('en')} B over ${bytes.toLocaleString('en')} B of files ` +
      `(+${bytes ? (((wire - bytes) / bytes) * 100).toFixed(1) : '0'}%); ` +
      `${over.length} run(s) above size + one chunk per fault` +
      (over.length ? ` (seeds ${over.map((r) => `${r.seed}:${r.fault}`).join(', ')})` : ''),
    ...failed.map(
      (r) =>
        `failed: seed ${r.seed} (${r.protocol}, ${r.fault}, ${r.size} B, chunk ${r.chunkSize}): ${r.reason}`,
    ),
    ...(failed.length ? [`replay one: npm run soak -- --seed <seed> --runs 1`] : []),
  ];
  return { results, passes, text: lines.join('\n') };
}
