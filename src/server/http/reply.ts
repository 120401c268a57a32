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
 * all, before it cuts the connection; and how much it reads. A body of up to LINGER_WHOLE bytes (a chunk)
 * is read to its end, so the answer always reaches the client: a cut there loses the answer often enough
 * (1 in 5 measured with a 1 MiB cap) that Chromium re-sends the chunk on its own, sometimes twice, which
 * costs more bytes than reading it once. A larger body (a whole file's rest) is read up to LINGER_BYTES, so
 * a browser's silent re-send of it is not swallowed to its end. A 409, whatever its size, reads up to
 * LINGER_CONFLICT: it is what that re-send gets (its old start is behind the upload), a client that misses a
 * 409 asks the offset again just as one that reads it does, and every byte read there is a byte the browser
 * sent for nothing. Chromium may re-send once per idle connection it holds: read to its end, each re-send
 * costs a whole chunk; cut, ~0.3 MB (64 KiB and what the socket buffers hold by then). Measured: three-cuts
 * e2e, 6 rounds each, one re-send in six carried 4.2 MB with 1 MiB read, at most 0.4 MB with 64 KiB; the
 * network-cut e2e at load 20 saw a second re-send of a 2 MiB chunk, read to its end, break its bound.
 */
const LINGER_IDLE_MS = 1000;
const LINGER_MAX_MS = 10_000;
const LINGER_BYTES = 1024 * 1024;
const LINGER_WHOLE = 16 * 1024 * 1024;
const LINGER_CONFLICT = 64 * 1024;

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
  // A body that gets here is larger than DRAINABLE (or chunked), so LINGER_CONFLICT is below its length.
  const limit = status === 409 ? LINGER_CONFLICT : !chunked && length <= LINGER_WHOLE ? length : LINGER_BYTES;
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
