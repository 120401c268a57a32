// The comparison server no one here wrote: @tus/server with @tus/file-store on loopback, serving test
// pages from `statics` on the same origin (so a tus client's page needs no CORS).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { createStaticHandler } from '../../../src/server/static.js';

export interface TusServerHandle {
  port: number;
  url: string;
  dir: string;
  /** Where @tus/file-store keeps the upload at `uploadUrl` (complete or not). */
  storedPath(uploadUrl: string): string;
  close(): Promise<void>;
}

export async function startTusServer(dir: string, statics: string[] = []): Promise<TusServerHandle> {
  const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
  const serveStatic = createStaticHandler(statics);
  const server = createServer((req, res) => {
    if ((req.url ?? '').startsWith('/files')) return void tus.handle(req, res);
    serveStatic(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    storedPath: (uploadUrl) => join(dir, new URL(uploadUrl).pathname.split('/').pop()!),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
