// Test support: serves a Fetch handler (Request -> Response) on node:http, the way Next.js, Hono on Node
// or a Bun/Deno shim hand it requests, so the raw node:http helpers can speak to it unchanged.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { after } from 'node:test';

/** Hop-by-hop headers a runtime consumes itself and never shows a handler. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect']);

/** IncomingMessage -> Request: a streaming body (`duplex: 'half'`) and a signal aborted when the client goes. */
export function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const controller = new AbortController();
  req.on('close', () => {
    if (!req.complete) controller.abort();
  });
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody
      ? { body: Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>, duplex: 'half' }
      : {}),
  } as RequestInit);
}

/** Response -> ServerResponse; a client that is gone gets nothing. */
export async function sendResponse(
  response: Response,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body && req.method !== 'HEAD') {
    for await (const chunk of Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>)) {
      res.write(chunk);
    }
  }
  res.end();
  // An early answer leaves the body unread: discard the rest rather than reset the connection, so the
  // client reads the answer (the same lingering close the node:http handler does).
  if (!req.complete) {
    req.removeAllListeners('data');
    req.resume();
  }
}

/** Listens on an ephemeral port with `handler` behind the adapter; closed when the test file ends. */
export async function serveFetch(handler: (request: Request) => Promise<Response>): Promise<string> {
  const server = createServer((req, res) => {
    handler(toRequest(req))
      .then((response) => sendResponse(response, req, res))
      .catch((err: unknown) => {
        console.error('fetch adapter:', err);
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
