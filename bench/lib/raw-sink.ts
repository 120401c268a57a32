// The baseline: a bare node:http sink that streams one POST body to disk, as a child process.
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { childArgs, serveStatic } from './static.js';

const args = childArgs(process.argv.slice(2));
const dir = args.get('dir')![0];
const statics = args.get('static') ?? [];
mkdirSync(dir, { recursive: true });
let n = 0;

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'POST' && url.pathname === '/raw') {
    // `flush` fsyncs once before close: the fair twin of a server that answers only once the bytes are durable.
    const out = createWriteStream(join(dir, `raw-${process.pid}-${n++}.bin`), {
      flush: url.searchParams.get('fsync') === '1',
    });
    try {
      await pipeline(req, out);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(String(out.bytesWritten));
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    }
    return;
  }
  if (await serveStatic(statics, req, res)) return;
  res.writeHead(404).end();
});
server.listen(Number(args.get('port')?.[0] ?? 0), args.get('host')?.[0] ?? '127.0.0.1', () => {
  const a = server.address();
  if (a && typeof a === 'object') console.log(`raw-sink listening on http://${a.address}:${a.port}`);
});
