// One test's world: a temp folder, the server, the fault proxy in front of it and a browser; and the
// one upload routine that tests and the soak share.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  eventLog,
  launchBrowser,
  openPage,
  pick,
  settle,
  type ClientOptions,
  type LoggedEvent,
  type Mode,
} from './browser.js';
import { makeFile, sha256File, type SourceFile } from './files.js';
import { FaultProxy, type RequestRecord } from './proxy.js';
import { startServer, type ServerHandle } from './server.js';

export interface Rig<S extends ServerHandle = ServerHandle> {
  tmp: string;
  server: S;
  proxy: FaultProxy;
  browser: Browser;
  /** A fresh random file in the rig's folder; names are unique, so file ids never meet by accident. */
  file(size: number): Promise<SourceFile>;
  close(): Promise<void>;
}

let fileCount = 0;

/** Something between the proxy and the server, e.g. nginx. */
export interface Front {
  port: number;
  close(): Promise<void>;
}

export async function startRig<S extends ServerHandle = ServerHandle>(
  options: {
    server?: (dir: string) => Promise<S>;
    front?: (serverPort: number, tmp: string) => Promise<Front>;
    browser?: Browser;
  } = {},
): Promise<Rig<S>> {
  const tmp = await mkdtemp(join(tmpdir(), 'ru-e2e-'));
  const server = await (options.server ?? (startServer as unknown as (dir: string) => Promise<S>))(
    join(tmp, 'store'),
  );
  const front = await options.front?.(server.port, tmp);
  const proxy = await FaultProxy.start(front?.port ?? server.port);
  const browser = options.browser ?? (await launchBrowser());
  return {
    tmp,
    server,
    proxy,
    browser,
    file: (size) => makeFile(tmp, `source-${process.pid}-${++fileCount}.bin`, size),
    close: async () => {
      if (!options.browser) await browser.close();
      await proxy.close();
      await front?.close();
      await server.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

export interface UploadRun {
  outcome: string;
  log: LoggedEvent[];
  /** Upload body bytes that crossed the browser's wire during this run. */
  wire: number;
  /** The upload POSTs (tus/IETF: appends) of this run, as the proxy saw them. */
  posts: RequestRecord[];
  /** tus/IETF: the upload URL the run ended on; null for status-upload. */
  uploadUrl: string | null;
  /** Every request of this run, as the proxy saw it. */
  requests: RequestRecord[];
  ms: number;
  page: Page;
  context: BrowserContext;
}

export interface UploadOptions extends ClientOptions {
  mode?: Mode;
  timeout?: number;
  /** Runs once the file is picked, while the upload goes (e.g. take the server down). */
  during?: (page: Page, context: BrowserContext) => Promise<void>;
  /** Keep the context open (the caller closes run.context). */
  keepOpen?: boolean;
}

/** Picks `file` in a fresh tab and waits until the upload settles. */
export async function upload(
  rig: Rig<ServerHandle>,
  file: SourceFile,
  options: UploadOptions,
): Promise<UploadRun> {
  const { mode = 'element', timeout = 60_000, during, keepOpen, ...client } = options;
  const context = await rig.browser.newContext();
  try {
    const page = await openPage(context, rig.proxy.url, mode, client);
    const firstRequest = rig.proxy.requests.length;
    const t0 = performance.now();
    await pick(page, mode, file.path);
    await during?.(page, context);
    const { outcome, log } = await settle(page, timeout).catch(async (err: Error) => {
      const log = await eventLog(page).catch(() => []);
      const tail = log
        .slice(-8)
        .map((e) => `${e.t} ${e.type} ${e.status} ${e.bytesUploaded} ${e.error?.message ?? ''}`);
      const reqs = rig.proxy.requests
        .slice(firstRequest)
        .map((r) => `${r.method} ${r.path} ${r.start}+${r.received}:${r.status}`);
      throw new Error(
        `${err.message}\nlast events:\n  ${tail.join('\n  ')}\nrequests:\n  ${reqs.join('\n  ')}`,
      );
    });
    const ms = performance.now() - t0;
    const requests = rig.proxy.requests.slice(firstRequest);
    const posts = rig.proxy.uploads().filter((r) => requests.includes(r));
    const wire = posts.reduce((n, r) => n + r.received, 0);
    return { outcome, log, wire, posts, uploadUrl: uploadUrlOf(requests), requests, ms, page, context };
  } finally {
    if (!keepOpen) await context.close();
  }
}

/**
 * The tus/IETF upload URL these requests worked on last: a creation's Location, or the path of a request
 * to an upload (`/files/<id>`); null when there was none (status-upload).
 */
export function uploadUrlOf(requests: readonly RequestRecord[]): string | null {
  let url: string | null = null;
  for (const r of requests) url = r.location ?? (/^\/files\/[^/?#]+/.test(r.path) ? r.path : url);
  return url;
}

/** The upload completed and the server holds exactly the source's bytes. */
export async function assertStored(
  rig: Rig<ServerHandle>,
  file: SourceFile,
  run: Pick<UploadRun, 'outcome' | 'log'> & { uploadUrl?: string | null },
): Promise<void> {
  const errors = run.log.filter((e) => e.type === 'upload-error').map((e) => e.error);
  assert.equal(run.outcome, 'complete', `upload failed: ${JSON.stringify(errors)}`);
  const complete = run.log.find((e) => e.type === 'upload-complete')!;
  const path = run.uploadUrl ? rig.server.uploadPath(run.uploadUrl) : rig.server.storedPath(complete.fileId!);
  const stored = await sha256File(path);
  assert.equal(stored, file.sha256, 'the stored file differs from the source');
}

/** The retries re-sent at most one chunk per fault. */
export function assertWire(
  run: Pick<UploadRun, 'wire' | 'posts'> & { requests?: RequestRecord[] },
  file: SourceFile,
  chunkSize: number,
  faults: number,
  /** Bytes a proxy behind ours may hold and lose at each fault (nginx's body buffer). */
  buffered = 0,
  /** Bytes the server itself read and then lost when a request broke (see lostByServer). */
  lostInServer = 0,
): void {
  // Bytes the browser sent into a link that then broke never reached the server: the fault's own loss,
  // not the protocol's. Everything that reached the server counts against one chunk per fault.
  const lostInLink =
    run.posts.reduce((n, r) => n + (r.received - r.forwarded), 0) + buffered * faults + lostInServer;
  const limit = file.size + chunkSize * faults + lostInLink;
  assert.ok(run.wire >= file.size, `only ${run.wire} of ${file.size} bytes crossed the wire`);
  assert.ok(
    run.wire <= limit,
    `${run.wire} bytes crossed the wire; at most ${limit} (${faults} fault(s), ${lostInLink} lost in the link) allowed; ` +
      `requests: ${describeRequests(run.requests ?? run.posts)}`,
  );
}

/**
 * Bytes that reached the server in requests the proxy broke (cut, froze, or dropped the answer of), yet
 * were not kept: the next accepted request starts where the server stood, short of what it was sent by
 * this much. (Only the faulted requests: a browser's re-send from a stale offset is refused, not lost.)
 */
export function lostByServer(run: Pick<UploadRun, 'posts'>): number {
  const ok = (r: RequestRecord) => r.status !== null && r.status >= 200 && r.status <= 299;
  return run.posts.reduce((lost, r, i) => {
    if (r.fault === null || r.status !== null || r.start === null) return lost;
    const next = run.posts.slice(i + 1).find(ok);
    return lost + Math.max(0, r.start + r.forwarded - (next?.start ?? r.start + r.forwarded));
  }, 0);
}

/**
 * Appends the browser re-sent by itself after a fault (XHR never sees them): requests from the faulted
 * one's offset, refused, before the engine asked the server where it stands.
 */
export function browserResends(run: Pick<UploadRun, 'requests'>): RequestRecord[] {
  const resends: RequestRecord[] = [];
  let faulted: RequestRecord | null = null;
  for (const r of run.requests) {
    if (r.fault === 'cut' || r.fault === 'freeze' || r.fault === 'drop-response') faulted = r;
    else if (faulted && r.start === faulted.start && !(r.status !== null && r.status < 300)) resends.push(r);
    else faulted = null;
  }
  return resends;
}

/** Formats a run's numbers for the test log. */
/** Every request as the proxy saw it, for a failure's message: a CI log keeps only the failures. */
export const describeRequests = (requests: readonly RequestRecord[]): string => {
  const t0 = requests[0]?.arrived ?? 0;
  const ms = (t: number | null) => (t === null ? '-' : String(Math.round(t - t0)));
  return requests
    .map(
      (r) =>
        `[c${r.conn} @${ms(r.arrived)} ${r.method} ${r.path.replace(/^.*\//, '')} ${r.start ?? ''}+${r.received}` +
        `${r.forwarded === r.received ? '' : `/${r.forwarded}`}:${r.status ?? '-'} ${r.fault ?? ''} last@${ms(r.lastByte)} ans@${ms(r.answered)}]`,
    )
    .join(' ');
};

export const describeRun = (file: SourceFile, run: UploadRun): string =>
  `${file.size} B in ${Math.round(run.ms)} ms; wire ${run.wire} B (+${run.wire - file.size}); ` +
  `${run.uploadUrl ? 'appends' : 'POSTs'} ` +
  run.posts.map((p) => `${p.start}+${p.received}${p.status ? `:${p.status}` : ':-'}`).join(' ');
