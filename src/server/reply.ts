import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Headers every answer carries: nothing cached by proxies, nothing sniffed by browsers. */
export const SAFE_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

/** Bodies up to this size are read and discarded after an early answer, so the connection stays usable. */
const DRAINABLE = 64 * 1024;

/** Answers with a one-line text body (a byte count or a reason). */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    ...SAFE_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    ...headers,
  });
  res.end(body);
}

/** How long an early answer keeps reading (and discarding) a large body before the connection is cut. */
const LINGER_MS = 10_000;

/**
 * Answers a request whose body has not been (fully) read. Closing a socket with unread bytes makes the
 * kernel send a reset that can destroy the answer before the client reads it (the client then sees a
 * network error, and Chromium may re-send the whole body), so the rest of the body is read and discarded,
 * as nginx's lingering close does; a body still coming after LINGER_MS is cut.
 */
export function sendEarly(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders = {},
): void {
  const length = Number(req.headers['content-length'] ?? 0);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const drainable = req.readableEnded || (!chunked && length <= DRAINABLE);
  sendText(res, status, text, headers);
  if (drainable || req.readableEnded) return;
  const linger = setTimeout(() => req.socket.destroy(), LINGER_MS);
  linger.unref();
  req.on('close', () => clearTimeout(linger));
  req.resume();
}
