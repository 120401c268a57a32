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

/**
 * Answers a request whose body has not been (fully) read. Node reads and discards what is left;
 * for a large or unknown remainder the connection is closed afterwards rather than draining it.
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
  sendText(res, status, text, drainable ? headers : { ...headers, Connection: 'close' });
}
