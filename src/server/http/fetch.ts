import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { UploadServerOptions } from '../options.js';
import { resolveOptions } from '../options.js';
import type { ProtocolRequest } from '../protocols/types.js';
import { SAFE_HEADERS } from './reply.js';
import { createRouter } from './router.js';

/** The Fetch handler's options: the server's, with `authorize` given the Fetch `Request`. */
export interface FetchUploadHandlerOptions extends Omit<UploadServerOptions, 'authorize' | 'static'> {
  /**
   * Names the owner of a request (e.g. from a session cookie or a token). Return null to answer 401.
   * @default () => 'anonymous'
   */
  authorize?: (request: Request) => string | null | Promise<string | null>;
  /**
   * The path the handler is mounted at, stripped before routing (e.g. `/api/upload` for a Next.js route
   * handler at app/api/upload/[[...path]]/route.ts).
   * @default ''
   */
  basePath?: string;
}

/** A Fetch API handler: `Request` in, `Response` out (Next.js route handlers, Hono, Bun, Deno on Node's fs). */
export interface FetchUploadHandler {
  (request: Request): Promise<Response>;
  /** Deletes expired incomplete uploads now; resolves with how many were removed. */
  sweep(): Promise<number>;
  /** Stops the sweep timer (and waits for a running sweep). */
  close(): Promise<void>;
  /** The store is ready and the first sweep has run. */
  ready: Promise<void>;
}

/**
 * Creates the Fetch handler. It answers the same three protocols as `createUploadHandler`; requests no
 * protocol claims get 404. Runtimes give no way to send a 1xx, so the IETF 104 is never sent here.
 */
export function createFetchUploadHandler(options: FetchUploadHandlerOptions = {}): FetchUploadHandler {
  const { authorize = () => 'anonymous', basePath = '', ...rest } = options;
  const config = resolveOptions(rest);
  const { service, route } = createRouter(config);
  const base = basePath.replace(/\/+$/, '');

  const handler = (async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    // Outside the mount point is not ours: `/status` must not be answered as `/api/upload/status`.
    if (base && pathname !== base && !pathname.startsWith(`${base}/`)) return text(404, 'Not found');
    const path = base ? pathname.slice(base.length) || '/' : pathname;
    let body: Readable | undefined;
    const req: ProtocolRequest = {
      method: request.method.toUpperCase(),
      path,
      base,
      header: (name) => request.headers.get(name) ?? undefined,
      body: () =>
        (body ??= request.body
          ? Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>, { highWaterMark: 1024 * 1024 })
          : Readable.from([])),
      owner: async () => authorize(request),
    };
    const reply = await route(req).catch((err: unknown) => {
      console.error(`resumable-upload server: ${request.method} ${pathname}:`, err);
      return { status: 500, body: 'Internal server error', headers: {} };
    });
    if (reply === undefined) return text(404, 'Not found');
    // The body ended early: the client is gone, and what arrived is kept.
    if (reply === null) return text(400, 'Request body ended early');
    return text(reply.status, reply.body ?? '', reply.headers);
  }) as FetchUploadHandler;
  handler.sweep = () => service.sweep();
  handler.close = () => service.close();
  handler.ready = service.ready;
  return handler;
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  const empty = status === 204 || status === 304 || body === '';
  return new Response(empty ? null : body, {
    status,
    headers: { ...SAFE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers },
  });
}
