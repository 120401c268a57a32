// What the proxy section stands on: reverse proxies in front of the servers, pages on their origins, files
// made of other files' bytes, unpinning, and one alternating-rounds loop over uploads that differ by more
// than their variant (their page, file and preparation).
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { BenchPage } from './browser.js';
import { ServerChild } from './children.js';
import { WORK } from './files.js';
import type { Harness, Sample, ServerName, UploadSpec } from './harness.js';
import type { ProxyLogRow } from './reverse-proxy.js';
import { fmt } from './report.js';

export class Proxied {
  private constructor(
    readonly child: ServerChild,
    readonly page: BenchPage,
    readonly upstream: string,
  ) {}

  /** A reverse proxy in front of `server` (adding `delayMs` each way) and a page on its origin. */
  static async start(harness: Harness, server: ServerName, files: string[], delayMs = 0): Promise<Proxied> {
    const up = harness.servers.get(server)!;
    const child = await ServerChild.start(
      `proxy-${server}`,
      harness.built.probe,
      harness.built.reverseProxy,
      ['--upstream', up.url, '--delay', String(delayMs)],
      join(WORK, 'none'),
    );
    harness.helpers.add(child.pid);
    const page = await BenchPage.open(harness.browser, child.url, files);
    return new Proxied(child, page, up.url);
  }

  /** The proxy's request log since the last call (and forgets it). */
  async log(): Promise<ProxyLogRow[]> {
    const reply = once(this.child.proc, 'message') as Promise<[{ proxyLog: ProxyLogRow[] }]>;
    this.child.proc.send('proxy-log');
    return (await reply)[0].proxyLog;
  }

  async stop(harness: Harness): Promise<void> {
    await this.page.page.context().close();
    await this.child.stop();
    harness.helpers.delete(this.child.pid);
  }
}

/** Bytes [start, end) of `path` as a file of their own beside it (kept when it exists with that size). */
export function partOf(path: string, start: number, end: number): string {
  const out = join(WORK, `part-${start}-${end}-${basename(path)}`);
  try {
    if (statSync(out).size === end - start) return out;
  } catch {
    // missing: write it
  }
  const from = openSync(path, 'r');
  const to = openSync(out, 'w');
  const buf = Buffer.allocUnsafe(16 << 20);
  for (let at = start; at < end;) {
    const n = readSync(from, buf, 0, Math.min(buf.length, end - at), at);
    writeSync(to, buf, 0, n);
    at += n;
  }
  closeSync(from);
  closeSync(to);
  return out;
}

/**
 * Lets every process the bench started run on any CPU: the section measures a deployment, where
 * nothing is pinned. Later sections stay unpinned.
 */
export function unpin(harness: Harness): void {
  if (!harness.pin) return;
  const all = `0-${availableParallelism() - 1}`;
  for (const pid of [
    process.pid,
    ...harness.chromiumPids(),
    ...[...harness.servers.values()].map((s) => s.pid),
  ])
    try {
      execFileSync('taskset', ['-a', '-p', '-c', all, String(pid)], { stdio: 'ignore' });
    } catch {
      // Gone since it was listed.
    }
  harness.pin = null;
}

export interface Job {
  id: string;
  spec: (round: number) => Omit<UploadSpec, 'round'>;
  /** Measures something of its own around each upload (after it, with its sample). */
  after?: (s: Sample) => Promise<Record<string, number>>;
}

export type Measured = Sample & { extra: Record<string, number> };

/** `rounds` rounds of every job after one warm-up each, the order reversed every other round. */
export async function alternateJobs(harness: Harness, jobs: Job[], rounds: number): Promise<Measured[]> {
  const run = async (j: Job, round: number): Promise<Measured> => {
    const s = await harness.upload({ ...j.spec(round), round });
    return { ...s, variant: j.id, extra: (await j.after?.(s)) ?? {} };
  };
  for (const j of jobs) await run(j, 0);
  const out: Measured[] = [];
  for (let round = 1; round <= rounds; round++)
    for (const j of round % 2 ? jobs : [...jobs].reverse()) {
      const s = await run(j, round);
      out.push(s);
      const extra = Object.entries(s.extra).map(([k, v]) => `  ${k} ${fmt(v, 1)}`);
      console.log(
        `  r${round} ${j.id.padEnd(40)} ${fmt(s.ms, 0).padStart(6)} ms ${fmt(s.mbps).padStart(7)} MB/s` +
          `  srv cpu ${fmt(s.serverCpuMs, 0).padStart(5)} ms${extra.join('')}` +
          `  foreign ${fmt(s.foreignCpuMs, 0)} ms ${s.verified === 'FAILED' ? `FAILED ${s.errors.join('; ')}` : s.verified}`,
      );
    }
  return out;
}

/** Median over rounds of a / b, each pair taken from the same round. */
export function perRound(samples: Measured[], a: string, b: string, f: (s: Measured) => number): number[] {
  const out: number[] = [];
  for (const s of samples.filter((x) => x.variant === a)) {
    const t = samples.find((x) => x.variant === b && x.round === s.round);
    if (t && s.verified !== 'FAILED' && t.verified !== 'FAILED') out.push(f(s) / f(t));
  }
  return out;
}
