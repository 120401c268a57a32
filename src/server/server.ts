import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UploadHandler } from './http/node.js';
import { createUploadHandler, handlerInternals } from './http/node.js';
import type { StartUploadServerOptions, UploadServerOptions } from './options.js';
import { resolveOptions } from './options.js';
import { sendText } from './http/reply.js';
import { createStaticHandler } from './static.js';

/** A listening server, its base URL, and a shutdown that keeps every byte that arrived. */
export interface RunningUploadServer {
  server: Server;
  /** e.g. `http://127.0.0.1:8080`, without a trailing slash. */
  url: string;
  /** Stops listening, cuts open connections (their bytes so far are fsynced), stops the sweep. */
  close(): Promise<void>;
}

const handlers = new WeakMap<Server, UploadHandler>();

/**
 * An http.Server answering the protocol at `/status` and `/upload`, then the `static` folders, then 404.
 * Node's 300 s request timeout is off (it would cut long uploads); a connection that sends nothing for
 * `idleTimeout` ms is destroyed instead.
 */
export function createUploadServer(options: UploadServerOptions = {}): Server {
  const { idleTimeout, static: dirs } = resolveOptions(options);
  const handler = createUploadHandler(options);
  const serveStatic = createStaticHandler(dirs);
  const server = createServer((req, res) => {
    handler(req, res, () => serveStatic(req, res, () => sendText(res, 404, 'Not found')));
  });
  server.requestTimeout = 0;
  // With no 'timeout' listener, Node destroys a socket idle this long; any byte in or out resets it.
  server.setTimeout(idleTimeout);
  server.on('close', () => void handler.close());
  handlers.set(server, handler);
  return server;
}

/** Creates the server and listens; resolves once it accepts connections. */
export async function startUploadServer(
  options: StartUploadServerOptions = {},
): Promise<RunningUploadServer> {
  const { port = 0, host = '127.0.0.1', ...rest } = options;
  const server = createUploadServer(rest);
  const handler = handlers.get(server)!;
  try {
    await handlerInternals(handler).ready;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await handler.close();
    throw err;
  }
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A resumable client comes back for the rest; waiting for a long upload to end would not help it.
      server.closeAllConnections();
      await closed;
      await handlerInternals(handler).idle();
      await handler.close();
    })());
  return { server, url, close };
}
