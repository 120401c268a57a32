import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { appendBody } from './body.js';
import type { Lease } from './lock.js';
import { UploadLocks } from './lock.js';
import type { ResolvedOptions, UploadServerOptions } from './options.js';
import { parseByteCount, resolveOptions } from './options.js';
import { sendEarly, sendText } from './reply.js';
import type { UploadMeta } from './store.js';
import { FileStore } from './store.js';

/** Express/Connect's `next`. */
export type NextFunction = (err?: unknown) => void;

/** A request handler for node:http, Express and Connect, answering `GET /status` and `POST /upload`. */
export interface UploadHandler {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void;
  /** Deletes expired incomplete uploads now; resolves with how many were removed. */
  sweep(): Promise<number>;
  /** Stops the sweep timer (and waits for a running sweep). */
  close(): Promise<void>;
}

/** What createUploadServer needs beyond the public surface. */
interface HandlerInternals {
  /** Folders exist and the first sweep (expiry, undelivered onComplete calls) has run. */
  ready: Promise<void>;
  /** Resolves when no upload is being written. */
  idle(): Promise<void>;
}

const internals = new WeakMap<UploadHandler, HandlerInternals>();

export function handlerInternals(handler: UploadHandler): HandlerInternals {
  const found = internals.get(handler);
  if (!found) throw new TypeError('not a handler made by createUploadHandler');
  return found;
}

/** Temp files older than this are leftovers of a crash mid-write. */
const TEMP_MAX_AGE = 60 * 60 * 1000;

interface Route {
  methods: readonly string[];
  allow: string;
  serve(ctx: Context): Promise<void>;
}

interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  owner: string;
  fileId: string;
  key: string;
}

/** Creates the protocol handler. Mount it at the folder the client's `status` and `upload` URLs point to. */
export function createUploadHandler(options: UploadServerOptions = {}): UploadHandler {
  const config: ResolvedOptions = resolveOptions(options);
  const store = new FileStore(config.dir);
  const locks = new UploadLocks();
  const initialized = store.init();
  initialized.catch(() => undefined); // surfaced by every request and by `ready`
  const cors = corsHeaders(config.corsOrigin);

  const answer = (
    res: ServerResponse,
    status: number,
    text: string,
    headers: OutgoingHttpHeaders = {},
  ): void => sendText(res, status, text, { ...cors, ...headers });
  const refuse = (ctx: Pick<Context, 'req' | 'res'>, status: number, text: string, headers = {}): void =>
    sendEarly(ctx.req, ctx.res, status, text, { ...cors, ...headers });

  const routes: Record<string, Route> = {
    '/status': { methods: ['GET', 'HEAD'], allow: 'GET, HEAD, OPTIONS', serve: status },
    '/upload': { methods: ['POST'], allow: 'POST, OPTIONS', serve: upload },
  };

  async function route(req: IncomingMessage, res: ServerResponse, target: Route): Promise<void> {
    if (req.method === 'OPTIONS') {
      return answer(res, 204, '', { Allow: target.allow, ...(config.corsOrigin ? PREFLIGHT : {}) });
    }
    if (!target.methods.includes(req.method ?? '')) {
      return refuse({ req, res }, 405, `Method ${req.method} is not allowed here`, { Allow: target.allow });
    }
    await initialized;
    const owner = await config.authorize(req);
    if (typeof owner !== 'string' || owner === '') return refuse({ req, res }, 401, 'Unauthorized');
    const header = req.headers['x-file-id'];
    if (typeof header !== 'string' || header === '') {
      return refuse({ req, res }, 400, 'X-File-Id header is required');
    }
    const fileId = decodeId(header);
    await target.serve({ req, res, owner, fileId, key: store.key(owner, fileId) });
  }

  async function status({ res, key }: Context): Promise<void> {
    answer(res, 200, String(await locks.offset(key, () => store.offset(key))));
  }

  async function upload(ctx: Context): Promise<void> {
    const { req } = ctx;
    const start = byteHeader(req, 'x-start-byte', 'X-Start-Byte');
    if (start === undefined) throw new HttpError(400, 'X-Start-Byte header is required');
    const total = byteHeader(req, 'x-file-size', 'X-File-Size');
    const length = byteHeader(req, 'content-length', 'Content-Length');
    const { maxSize } = config;
    if (total !== undefined && total > maxSize) {
      throw new HttpError(413, `X-File-Size exceeds the limit of ${maxSize} bytes`);
    }
    if (total !== undefined && start > total) throw new HttpError(400, 'X-Start-Byte is past X-File-Size');
    if (start + (length ?? 0) > maxSize) {
      throw new HttpError(413, `Upload exceeds the limit of ${maxSize} bytes`);
    }
    if (total !== undefined && length !== undefined && start + length > total) {
      throw new HttpError(413, 'Body runs past X-File-Size');
    }
    const lease = await locks.acquire(ctx.key, config.lockWait, config.takeoverAfter);
    if (!lease) {
      // Another request is appending: answer the offset it started from, the last one fsynced.
      return refuse(ctx, 409, String(await locks.offset(ctx.key, () => store.offset(ctx.key))));
    }
    try {
      await append(ctx, lease, start, total, length);
    } finally {
      lease.release();
    }
  }

  async function append(
    ctx: Context,
    lease: Lease,
    start: number,
    total?: number,
    length?: number,
  ): Promise<void> {
    const { req, res, key } = ctx;
    const state = await store.inspect(key);
    if (state.complete) {
      const { size } = state.complete;
      lease.commit(size);
      if (start !== size) return refuse(ctx, 409, String(size));
      if (total !== undefined && total !== size) return refuse(ctx, 400, disagree(total, size));
      const hasBody = length !== undefined ? length > 0 : !(await bodyIsEmpty(req));
      if (hasBody) {
        return refuse(ctx, 413, `Upload is already complete at ${size} bytes`);
      }
      // The final answer got lost and the client asks again: also the moment to retry a failed onComplete.
      const meta = state.meta ?? newMeta(ctx, size);
      if (!state.complete.notified && !(await deliver(key, meta, size))) return hookFailed(res);
      return answer(res, 200, String(size));
    }

    lease.commit(state.offset);
    const recorded = state.meta?.size ?? null;
    if (total !== undefined && recorded !== null && total !== recorded) {
      return refuse(ctx, 400, disagree(total, recorded));
    }
    const size = total ?? recorded ?? undefined;
    if (start !== state.offset) return refuse(ctx, 409, String(state.offset));
    if (size !== undefined && size > config.maxSize) {
      return refuse(ctx, 413, `X-File-Size exceeds the limit of ${config.maxSize} bytes`);
    }
    if (size !== undefined && length !== undefined && start + length > size) {
      return refuse(ctx, 413, 'Body runs past X-File-Size');
    }
    let meta = state.meta;
    if (!meta || (meta.size === null && size !== undefined)) {
      meta = { ...newMeta(ctx, size ?? null), createdAt: meta?.createdAt ?? new Date().toISOString() };
      await store.writeMeta(key, meta);
    }

    const limit = Math.min(size ?? Infinity, config.maxSize) - start;
    // A newer request for this upload may stop this one once it goes quiet (its connection is likely dead).
    lease.onTakeover(() => req.destroy());
    const { end, written } = await appendBody(req, store.partialPath(key), start, limit, config.idleTimeout, {
      onActivity: () => lease.touch(),
      onDurable: (offset) => lease.commit(offset),
      onEnded: () => lease.settle(),
      syncInterval: config.syncInterval,
    });
    const offset = start + written;
    lease.commit(offset);
    if (end === 'overflow') {
      const what =
        size !== undefined && size <= config.maxSize ? 'X-File-Size' : `the limit of ${config.maxSize} bytes`;
      return refuse(ctx, 413, `Body runs past ${what}`);
    }
    if (end !== 'end') return; // the connection is gone; what arrived is kept and fsynced
    if (size !== undefined && offset === size) {
      await store.complete(key);
      if (!(await deliver(key, meta, size))) return hookFailed(res);
    }
    answer(res, 200, String(offset));
  }

  /** Calls onComplete; on success records that it ran, so it never runs twice. */
  async function deliver(key: string, meta: UploadMeta, size: number): Promise<boolean> {
    try {
      await config.onComplete?.({ owner: meta.owner, fileId: meta.id, size, path: store.completePath(key) });
    } catch (err) {
      console.error(`resumable-upload server: onComplete failed for ${JSON.stringify(meta.id)}:`, err);
      return false;
    }
    await store.finalize(key, { ...meta, size });
    return true;
  }

  function hookFailed(res: ServerResponse): void {
    answer(res, 500, 'Upload stored, but its completion hook failed; send the last request again to retry');
  }

  function fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (err instanceof HttpError) return refuse({ req, res }, err.status, err.message);
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (res.headersSent) {
      res.destroy();
    } else if (code === 'ENOSPC' || code === 'EDQUOT') {
      refuse({ req, res }, 507, 'Insufficient storage');
    } else {
      refuse({ req, res }, 500, 'Internal server error');
    }
    if (code !== 'ENOSPC' && code !== 'EDQUOT') {
      console.error(`resumable-upload server: ${req.method} ${req.url}:`, err);
    }
  }

  async function sweepOnce(): Promise<number> {
    await initialized;
    const { keys, temps } = await store.scan();
    for (const temp of temps) {
      if (Date.now() - temp.mtimeMs > TEMP_MAX_AGE) await store.removeTemp(temp.path);
    }
    let removed = 0;
    for (const key of keys) {
      const lease = locks.tryAcquire(key);
      if (!lease) continue; // being written: active by definition
      try {
        const state = await store.inspect(key);
        if (state.complete) {
          if (!state.complete.notified && state.meta) await deliver(key, state.meta, state.complete.size);
          else if (state.complete.notified) await store.removeMeta(key); // left by a crash inside finalize
          continue;
        }
        const modified = await store.lastModified(key);
        if (modified === undefined || Date.now() - modified < config.expireAfter) continue;
        await store.remove(key);
        removed++;
      } catch (err) {
        console.error('resumable-upload server: sweep failed for one upload:', err);
      } finally {
        lease.release();
      }
    }
    return removed;
  }

  let sweeping: Promise<number> = Promise.resolve(0);
  const sweep = (): Promise<number> => (sweeping = sweeping.then(sweepOnce, sweepOnce));
  const interval = config.sweepInterval;
  const timer =
    interval > 0 && Number.isFinite(interval)
      ? setInterval(
          () => sweep().catch((err) => console.error('resumable-upload server: sweep failed:', err)),
          Math.min(interval, 2 ** 31 - 1),
        ).unref()
      : undefined;

  const handler = ((req, res, next) => {
    const found = routes[pathOf(req.url)];
    if (!found) {
      if (next) next();
      else answer(res, 404, 'Not found');
      return;
    }
    route(req, res, found).catch((err: unknown) => fail(req, res, err));
  }) as UploadHandler;
  handler.sweep = sweep;
  handler.close = async () => {
    clearInterval(timer);
    await sweeping.catch(() => undefined);
  };
  // The first sweep also delivers onComplete calls a crash interrupted. Mounted handlers never await
  // `ready`; their requests surface a failing folder instead of an unhandled rejection.
  const ready = initialized.then(() => sweep()).then(() => undefined);
  ready.catch(() => undefined);
  internals.set(handler, { ready, idle: () => locks.idle() });
  return handler;
}

const PREFLIGHT = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'X-File-Id, X-Start-Byte, X-File-Size, Content-Type, Authorization',
  'Access-Control-Max-Age': '7200',
};

function corsHeaders(origin: string | undefined): OutgoingHttpHeaders {
  if (!origin) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    Vary: 'Origin',
    ...(origin === '*' ? {} : { 'Access-Control-Allow-Credentials': 'true' }),
  };
}

function pathOf(url = '/'): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

function decodeId(header: string): string {
  try {
    return decodeURIComponent(header);
  } catch {
    return header;
  }
}

/** A client mistake, answered with its status and one-line reason. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A byte-count header: undefined when absent; anything but plain decimal digits is a 400. */
function byteHeader(req: IncomingMessage, header: string, name: string): number | undefined {
  const value = req.headers[header];
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? parseByteCount(value) : undefined;
  if (n === undefined) throw new HttpError(400, `${name} must be a non-negative decimal integer`);
  return n;
}

function newMeta(ctx: Context, size: number | null): UploadMeta {
  return { owner: ctx.owner, id: ctx.fileId, size, createdAt: new Date().toISOString() };
}

function disagree(sent: number, recorded: number): string {
  return `X-File-Size ${sent} disagrees with the size recorded for this upload (${recorded})`;
}

/** Reads a body that should be empty; false as soon as a byte arrives. */
function bodyIsEmpty(req: IncomingMessage): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    req.once('data', () => resolve(false));
    req.once('end', () => resolve(true));
    req.once('close', () => resolve(req.readableEnded));
    req.on('error', () => undefined);
    req.resume();
  });
}
