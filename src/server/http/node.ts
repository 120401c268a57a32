import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UploadServerOptions } from '../options.js';
import { resolveOptions } from '../options.js';
import type { ProtocolRequest } from '../protocols/types.js';
import { sendEarly } from './reply.js';
import { createRouter } from './router.js';

/** Express/Connect's `next`. */
export type NextFunction = (err?: unknown) => void;

/**
 * A request handler for node:http, Express and Connect: the article's `GET /status` and `POST /upload`,
 * and tus 1.0 and the IETF draft at `/files/`.
 */
export interface UploadHandler {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void;
  /** Deletes expired incomplete uploads now; resolves with how many were removed. */
  sweep(): Promise<number>;
  /** Stops the sweep timer (and waits for a running sweep). */
  close(): Promise<void>;
}

/** What createUploadServer needs beyond the public surface. */
interface HandlerInternals {
  /** The store is ready and the first sweep (expiry, undelivered onComplete calls) has run. */
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

/** Creates the handler. Mount it at the folder the client's URLs point to. */
export function createUploadHandler(options: UploadServerOptions = {}): UploadHandler {
  const config = resolveOptions(options);
  const { service, route } = createRouter(config);

  const handler = ((req, res, next) => {
    const request = toProtocolRequest(req, res, config.authorize);
    route(request).then(
      (reply) => {
        if (reply === undefined) {
          if (next) next();
          else sendEarly(req, res, 404, 'Not found');
        } else if (reply !== null) {
          sendEarly(req, res, reply.status, reply.body ?? '', reply.headers);
        }
      },
      (err: unknown) => {
        console.error(`resumable-upload server: ${req.method} ${req.url}:`, err);
        if (res.headersSent) res.destroy();
        else sendEarly(req, res, 500, 'Internal server error');
      },
    );
  }) as UploadHandler;
  handler.sweep = () => service.sweep();
  handler.close = () => service.close();
  internals.set(handler, { ready: service.ready, idle: () => service.locker.idle() });
  return handler;
}

function toProtocolRequest(
  req: IncomingMessage,
  res: ServerResponse,
  authorize: (req: IncomingMessage) => string | null | Promise<string | null>,
): ProtocolRequest {
  const path = pathOf(req.url);
  // Express strips its mount path from req.url and keeps the whole one in originalUrl.
  const original = pathOf((req as { originalUrl?: string }).originalUrl ?? req.url);
  const base = original.endsWith(path) ? original.slice(0, original.length - path.length) : '';
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    base,
    header(name) {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    // A body cut before the route reads it stays readable: the store's pump takes what had arrived.
    body: () => req,
    owner: async () => authorize(req),
    inform(status, reason, headers) {
      // Node has no API for an arbitrary 1xx; on HTTP/1.1 it goes on the socket before the final head.
      if (res.headersSent || req.httpVersionMajor !== 1 || req.httpVersionMinor !== 1 || !res.socket) return;
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      res.socket.write(`HTTP/1.1 ${status} ${reason}\r\n${lines.join('')}\r\n`);
    },
  };
}

function pathOf(url = '/'): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
