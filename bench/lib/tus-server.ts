// The comparison: the real @tus/server with @tus/file-store, as a child process.
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { childArgs, serveStatic } from './static.js';

const args = childArgs(process.argv.slice(2));
const dir = args.get('dir')![0];
const statics = args.get('static') ?? [];
mkdirSync(dir, { recursive: true });

const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
const server = createServer(async (req, res) => {
  if ((req.url ?? '').startsWith('/files')) return void tus.handle(req, res);
  if (await serveStatic(statics, req, res)) return;
  res.writeHead(404).end();
});
server.listen(Number(args.get('port')?.[0] ?? 0), args.get('host')?.[0] ?? '127.0.0.1', () => {
  const a = server.address();
  if (a && typeof a === 'object') console.log(`tus-server listening on http://${a.address}:${a.port}`);
});
