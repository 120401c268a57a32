// The real @tus/server 2 with @tus/file-store 2 (npm packages no one here wrote), as a child process a
// test can SIGKILL: tus 1.0 at /files/, and the test page and the bundle beside it, so the page is
// same-origin as with our server. `--port P --host H --dir D --static DIR...`; started by tus-server-process.ts.
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createStaticHandler } from '../../../src/server/static.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    dir: { type: 'string' },
    static: { type: 'string', multiple: true, default: [] },
  },
});
const dir = values.dir!;
mkdirSync(dir, { recursive: true });

// Relative Locations: behind nginx the Host header names the upstream, which the browser must not see.
const tus = new Server({
  path: '/files',
  datastore: new FileStore({ directory: dir }),
  relativeLocation: true,
});
const statics = createStaticHandler(values.static);
const server = createServer((req, res) => {
  if ((req.url ?? '').startsWith('/files')) return void tus.handle(req, res);
  statics(req, res, () => res.writeHead(404).end());
});
server.listen(Number(values.port), values.host, () => {
  const a = server.address();
  if (a && typeof a === 'object') console.log(`tus-server listening on http://${a.address}:${a.port}`);
});
