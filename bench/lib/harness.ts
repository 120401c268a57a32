// The bench's moving parts in one place: server children, one page per origin, and one measured upload.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { PageResult } from '../page/bench-page.js';
import { BenchPage, launch } from './browser.js';
import type { Built } from './build.js';
import { ServerChild } from './children.js';
import { WORK, sourceHash } from './files.js';
import { cpuByRole, cpuMsOf, descendants, foreignCpu, foreignDelta, sampleRss } from './proc.js';
import type { ServerTraceRow } from './probe.js';
import { mbps, median } from './report.js';

export type ServerName =
  | 'raw'
  | 'ours'
  | 'ours-nofsync'
  | 'tus'
  /** Started by the s3 section: ours on the S3 store, @tus/server with @tus/s3-store. */
  | 'ours-s3'
  | 'tus-s3';

export interface Variant {
  id: string;
  kind: 'raw' | 'ours' | 'element' | 'tus';
  server: ServerName;
  /** Chunk size in MiB for ours (0 = whole file); null for raw and tus's default. */
  chunkMiB: number | null;
  fsync?: boolean;
  /** Raw only: listen to upload progress, as any uploader with a progress bar does. */
  progress?: boolean;
  /** Raw only: send file.slice(0, size) instead of the File, as a chunked uploader must. */
  slice?: boolean;
  /** Raw only: send bytes [from, size) of the file (a sliced Blob), read into an ArrayBuffer first with `buffer`. */
  from?: number;
  buffer?: boolean;
  /** Element only: its `protocol` attribute (status-upload when unset); tus and ietf use `/files/`. */
  protocol?: 'tus' | 'ietf';
  /** Element only: its `integrity` attribute. */
  integrity?: boolean;
}

export interface Sample {
  variant: string;
  round: number;
  bytes: number;
  ms: number;
  /** The pick, epoch ms (the page's clock). */
  startedAt: number;
  mbps: number;
  serverCpuMs: number;
  serverRssBase: number;
  serverRssPeak: number;
  serverRssMin: number;
  /** Highest VmRSS in the first and in the last quarter of the upload: growth with size shows as a rise. */
  serverRssFirstQuarter: number;
  serverRssLastQuarter: number;
  /** VmRSS when the upload had completed. */
  serverRssEnd: number;
  pageTaskMs: number;
  pageScriptMs: number;
  heapBase: number;
  heapPeak: number;
  /** JS heap after the upload and a GC minus before it (CDP Runtime.getHeapUsage). */
  heapRetained: number;
  chromiumCpuMs: number;
  /** The same split by Chromium process: browser (reads the file for blob bodies), network, renderer. */
  chromiumCpuByRole: Record<string, number>;
  /** CPU used meanwhile by processes outside the bench (other engineers' tests): the noise. */
  foreignCpuMs: number;
  /** How often this upload was run again because others used more than the quiet share of a core. */
  redone: number;
  /** Milliseconds spent waiting for the machine to be quiet before it. */
  waitedMs: number;
  progressEvents: number;
  retries: number;
  errors: string[];
  verified: 'sha256' | 'size' | 'FAILED';
  /** Timestamped at the server by the probe (see probe.ts). */
  server: ServerTiming;
  trace?: PageResult['trace'];
}

/** One upload as the server saw it; requests with a body are the POSTs (and tus's PATCHes). */
export interface ServerTiming {
  bodies: number;
  others: number;
  /** First request's arrival to the last answer. */
  spanMs: number;
  /** Head arrived to body read to its end, summed over bodies. */
  receivingMs: number;
  /** Body read to its end to answer sent (the closing writes, fsync, bookkeeping), summed. */
  answerMs: number;
  /** The same for the median body but the last, and for the last (which completes the upload). */
  answerMedianMs: number;
  answerLastMs: number;
  /** An answer sent to the next request's head arriving: the client's turnaround plus loopback, summed. */
  betweenMs: number;
}

export interface UploadSpec {
  variant: Variant;
  round: number;
  /** Indices into the page's file input. */
  indices: number[];
  bytes: number;
  /** The source paths, to check what the server stored. */
  sources: string[];
  concurrency?: number;
  trace?: boolean;
  /** Hash the stored file against the source (else only its size is checked). */
  hash?: boolean;
  /** Use this page instead of the server's own (the cut proxy's origin). */
  page?: BenchPage;
  /** Runs before every attempt, including one repeated for noise (e.g. to re-arm the proxy). */
  beforeEach?: () => void;
  /** Runs after the stored files were cleared, just before the upload, with the id prefix it will use. */
  prepare?: (idPrefix: string) => Promise<void>;
}

let uploadSeq = 0;

export class Harness {
  readonly servers = new Map<ServerName, ServerChild>();
  readonly pages = new Map<ServerName, BenchPage>();
  browser!: Browser;
  /** Measured uploads so far, discarded ones included. */
  uploads = 0;

  constructor(
    readonly built: Built,
    readonly files: string[],
  ) {}

  /**
   * Chromium on CPU 0; the servers, the proxies and the bench on CPU 1: client and server on separate
   * cores, as on separate machines. Unpinned, the two sides collide on a 2-core box and the same upload
   * varies 2x from run to run. Null when off or when there are fewer than 2 CPUs.
   */
  pin: { client: number; server: number } | null =
    availableParallelism() >= 2 ? { client: 0, server: 1 } : null;

  async start(): Promise<void> {
    const { built, pin } = this;
    const store = (name: string) => {
      const dir = join(WORK, `store-${name}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    const common = (dir: string) => [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--dir',
      dir,
      '--static',
      built.www,
    ];
    const start = async (name: ServerName, script: string, args: string[] = []) => {
      const dir = store(name);
      this.servers.set(
        name,
        await ServerChild.start(name, built.probe, script, [...common(dir), ...args], dir, pin?.server),
      );
    };
    await start('raw', built.rawSink);
    await start('tus', built.tusServer);
    await start('ours', built.serverCli);
    // What fsync per request costs: the same server, acknowledging offsets before their bytes are fsynced.
    await start('ours-nofsync', built.serverCli, ['--sync-on-acknowledge', 'off']);
    // Chromium inherits the launching process's CPUs: lend it the client's, then move the bench over.
    if (pin) pinSelf(pin.client);
    this.browser = await launch();
    if (pin) pinSelf(pin.server);
    for (const [name, child] of this.servers)
      this.pages.set(name, await BenchPage.open(this.browser, child.url, this.files));
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    for (const child of this.servers.values()) await child.stop();
  }

  /** A server started after `start` (by a section), with its own page; `detach` stops it. */
  async attach(name: ServerName, child: ServerChild): Promise<void> {
    this.servers.set(name, child);
    this.pages.set(name, await BenchPage.open(this.browser, child.url, this.files));
  }

  async detach(name: ServerName): Promise<void> {
    await this.pages.get(name)?.page.context().close();
    this.pages.delete(name);
    await this.servers.get(name)?.stop();
    this.servers.delete(name);
  }

  has(server: ServerName): boolean {
    return this.servers.has(server);
  }

  /** Other processes the bench started (RGW's daemons): neither Chromium nor others' noise. */
  readonly helpers = new Set<number>();

  chromiumPids(): number[] {
    const servers = new Set([...this.servers.values()].map((s) => s.pid).concat([...this.helpers]));
    return descendants(process.pid).filter((pid) => !servers.has(pid));
  }

  /**
   * Quiet gate: others may use `share` of one core before an upload waits (up to maxWaitMs) or is run
   * again (up to maxRedo times); waits and discarded runs together stop once `budgetMs` is spent, so a
   * busy machine makes the run noisier, never endless. share 0 disables the gate.
   */
  gate = { share: 0.25, maxRedo: 2, maxWaitMs: 10_000, budgetMs: 150_000, spentMs: 0 };

  /** One measured upload, gated as above. */
  async upload(spec: UploadSpec): Promise<Sample> {
    const g = this.gate;
    for (let redo = 0; ; redo++) {
      const waitedMs = g.share > 0 ? await this.waitQuiet() : 0;
      spec.beforeEach?.();
      const s = { ...(await this.once(spec)), redone: redo, waitedMs };
      const noisy = g.share > 0 && s.foreignCpuMs > g.share * s.ms;
      if (!noisy || redo >= g.maxRedo || g.spentMs >= g.budgetMs) return s;
      g.spentMs += s.ms;
      console.log(
        `    (noisy: others used ${Math.round((100 * s.foreignCpuMs) / s.ms)}% of a core during ${s.variant}; again)`,
      );
    }
  }

  private async waitQuiet(): Promise<number> {
    const g = this.gate;
    const t0 = Date.now();
    while (Date.now() - t0 < g.maxWaitMs && g.spentMs < g.budgetMs) {
      const f0 = foreignCpu();
      await new Promise((r) => setTimeout(r, 300));
      if (foreignDelta(f0, foreignCpu()) <= g.share * 300) break;
      g.spentMs += 300;
    }
    return Date.now() - t0;
  }

  /** The server's JS heap after a full GC (the child runs with --expose-gc): a leak shows as growth. */
  async heapAfterGc(name: ServerName): Promise<number | null> {
    const child = this.servers.get(name);
    return child ? (await child.usage(true)).heapUsed : null;
  }

  private async once(spec: UploadSpec): Promise<Omit<Sample, 'redone' | 'waitedMs'>> {
    const { variant: v } = spec;
    this.uploads++;
    const server = this.servers.get(v.server)!;
    const page = spec.page ?? this.pages.get(v.server)!;
    await server.clear();
    const idPrefix = `bench-${process.pid}-${++uploadSeq}`;
    await spec.prepare?.(idPrefix);
    // Start every upload with no dirty pages left by the previous one, so nobody inherits its writeback.
    execFileSync('sync');
    await page.gc();
    const chromium = this.chromiumPids();
    const h0 = (await page.heapUsage()).usedSize;
    const m0 = await page.metrics();
    const u0 = await server.usage();
    const c0 = cpuMsOf(chromium);
    const roles0 = cpuByRole(chromium);
    const f0 = foreignCpu();
    await server.trace();
    const stopRss = sampleRss(() => [server.pid], 20);
    const opts =
      v.kind === 'raw'
        ? {
            url: `/raw?fsync=${v.fsync ? 1 : 0}`,
            index: spec.indices[0],
            progress: v.progress,
            slice: v.slice,
            from: v.from,
            buffer: v.buffer,
            trace: spec.trace,
          }
        : v.kind === 'tus'
          ? { index: spec.indices[0], chunkSize: v.chunkMiB ? v.chunkMiB * 1024 * 1024 : undefined }
          : v.kind === 'element'
            ? {
                chunkSize: (v.chunkMiB ?? 0) * 1024 * 1024,
                index: spec.indices[0],
                idPrefix,
                protocol: v.protocol,
                integrity: v.integrity,
              }
            : {
                chunkSize: (v.chunkMiB ?? 0) * 1024 * 1024,
                indices: spec.indices,
                concurrency: spec.concurrency ?? 1,
                idPrefix,
                trace: spec.trace,
              };
    const r = await page.run(v.kind, opts);
    const rss = stopRss();
    const serverRows = await server.trace();
    const u1 = await server.usage();
    const c1 = cpuMsOf(chromium);
    const roles1 = cpuByRole(chromium);
    const f1 = foreignCpu();
    const m1 = await page.metrics();
    // What stays after a GC: a page that kept chunk buffers would show them here.
    await page.gc();
    const retained = (await page.heapUsage()).usedSize - h0;
    const verified = await this.verify(server, spec, r);
    return {
      variant: v.id,
      round: spec.round,
      bytes: spec.bytes,
      ms: r.ms,
      startedAt: r.startedAt,
      mbps: mbps(spec.bytes, r.ms),
      serverCpuMs: u1.cpuMs - u0.cpuMs,
      serverRssBase: rss.base,
      serverRssPeak: rss.peak,
      serverRssMin: rss.min,
      serverRssFirstQuarter: Math.max(...rss.series.slice(0, Math.max(1, rss.series.length >> 2))),
      serverRssLastQuarter: Math.max(...rss.series.slice(-Math.max(1, rss.series.length >> 2))),
      serverRssEnd: rss.series.at(-1) ?? NaN,
      pageTaskMs: m1.taskMs - m0.taskMs,
      pageScriptMs: m1.scriptMs - m0.scriptMs,
      heapBase: r.heapBase,
      heapPeak: r.heapPeak,
      heapRetained: retained,
      chromiumCpuMs: c1 - c0,
      chromiumCpuByRole: Object.fromEntries(
        Object.entries(roles1).map(([k, v]) => [k, v - (roles0[k] ?? 0)]),
      ),
      foreignCpuMs: foreignDelta(f0, f1),
      progressEvents: r.progressEvents,
      retries: r.retries,
      errors: r.errors,
      verified,
      server: serverTiming(serverRows),
      trace: r.trace,
    };
  }

  private async verify(server: ServerChild, spec: UploadSpec, r: PageResult): Promise<Sample['verified']> {
    if (r.errors.some((e) => !e.startsWith('retry:'))) return 'FAILED';
    const stored = (await server.stored()).slice(0, spec.sources.length);
    const want = spec.sources.map(() => spec.bytes / spec.sources.length);
    if (stored.length !== want.length || stored.some((s, i) => s.size !== want[i])) return 'FAILED';
    if (!spec.hash) return 'size';
    for (let i = 0; i < spec.sources.length; i++)
      if ((await server.sha256(stored[i].path)) !== (await sourceHash(spec.sources[i]))) return 'FAILED';
    return 'sha256';
  }
}

/** Moves every thread of the bench process to one CPU; children started afterwards inherit it. */
function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

const UPLOAD_PATH = /^\/(upload|status|raw|files)/;

function serverTiming(all: ServerTraceRow[]): ServerTiming {
  const rows = all.filter((r) => UPLOAD_PATH.test(r[1])).sort((a, b) => a[3] - b[3]);
  const bodies = rows.filter((r) => r[0] === 'POST' || r[0] === 'PATCH');
  const answer = (r: ServerTraceRow) => (r[5] ?? NaN) - (r[4] ?? NaN);
  const answers = bodies.map(answer).filter((x) => !Number.isNaN(x));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    bodies: bodies.length,
    others: rows.length - bodies.length,
    spanMs: rows.length ? Math.max(...rows.map((r) => r[5] ?? r[3])) - rows[0][3] : 0,
    receivingMs: sum(bodies.map((r) => (r[4] ?? r[3]) - r[3])),
    answerMs: sum(answers),
    answerMedianMs: answers.length > 1 ? median(answers.slice(0, -1)) : NaN,
    answerLastMs: answers.at(-1) ?? NaN,
    betweenMs: sum(rows.slice(1).map((r, i) => Math.max(0, r[3] - (rows[i][5] ?? r[3])))),
  };
}
