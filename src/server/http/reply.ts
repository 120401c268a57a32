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
  // RFC 9110 8.6: a 204 (tus PATCH, DELETE, OPTIONS; IETF HEAD) carries no Content-Length and no content.
  if (status === 204) {
    res.writeHead(status, { ...SAFE_HEADERS, ...headers });
    res.end();
    return;
  }
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
 * How long an early answer keeps reading and discarding a body while no byte arrives, and for how long in
 * all, before it cuts the connection; and how much it reads. A cut while the client still sends makes the
 * kernel reset the connection, and the reset can destroy the answer before the client (or a proxy on the
 * way) reads it; Chromium then re-sends the body by itself on another idle connection, and again after
 * that one's reset. So a body of up to LINGER_WHOLE bytes (a chunk) is read to its end and the answer
 * always arrives: a 1 MiB cap lost it 1 in 5 times. A larger body (a whole file's rest) is read up to
 * LINGER_BYTES, so a browser's silent re-send of it is not swallowed to its end.
 * A 409 is what that re-send gets (its old start is behind the upload), and every byte read there is sent
 * for nothing: a body of up to LINGER_CONFLICT_WHOLE (a chunk) is read whole, a larger one only up to
 * LINGER_CONFLICT, since what the socket buffers hold by the cut (~0.3 MB direct, up to ~2 MB through a
 * proxy) is all a cut saves. Measured: with 64 KiB for every 409, the 2 MiB-chunk e2e at load 2 saw the
 * re-sent chunk reset and re-sent again, 1.9 MB each, 1 run in 3; the three-cuts e2e (re-sends of 12 to
 * 36 MiB) saw one re-send in six carry 4.2 MB with 1 MiB read, at most 0.4 MB with 64 KiB.
 */
const LINGER_IDLE_MS = 1000;
const LINGER_MAX_MS = 10_000;
const LINGER_BYTES = 1024 * 1024;
const LINGER_WHOLE = 16 * 1024 * 1024;
const LINGER_CONFLICT = 64 * 1024;
const LINGER_CONFLICT_WHOLE = 4 * 1024 * 1024;

/**
 * Answers a request whose body has not been (fully) read. Closing a socket with unread bytes makes the
 * kernel send a reset that can destroy the answer before the client reads it (the client then sees a
 * network error, and Chromium may re-send the whole body), so the rest of the body is read and discarded,
 * as nginx's lingering close does (see LINGER_*; a 1 MiB cap on a large body cut the retry latency after
 * a cut from 84 to 19 ms); then the connection is cut. A client that sees a network error instead of the
 * answer asks status and goes on, so a cut costs only time.
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
  if (drainable || res.headersSent || res.destroyed) return sendText(res, status, text, headers);
  // This connection will be cut: say so, or a keep-alive client sends its next request into the reset.
  const { socket } = req;
  if (socket) {
    // Node closes a `Connection: close` socket at once once the answer is written, and closing with
    // unread bytes sends a reset: send our FIN instead, and keep reading (a lingering close).
    socket.destroySoon = function lingeringClose(this: typeof socket) {
      this.end();
    };
  }
  sendText(res, status, text, { ...headers, Connection: 'close' });
  if (req.readableEnded) return;
  const cut = () => req.socket?.destroy();
  const [whole, cap] =
    status === 409 ? [LINGER_CONFLICT_WHOLE, LINGER_CONFLICT] : [LINGER_WHOLE, LINGER_BYTES];
  const limit = !chunked && length <= whole ? length : cap;
  const idle = setTimeout(cut, LINGER_IDLE_MS);
  const longest = setTimeout(cut, LINGER_MAX_MS);
  idle.unref();
  longest.unref();
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded >= limit) return cut();
    idle.refresh();
  });
  req.on('end', cut);
  req.on('close', () => {
    clearTimeout(idle);
    clearTimeout(longest);
  });
  req.resume();
}
