// The comparison: the real @tus/server, as a child process, with @tus/file-store in --dir, or with
// @tus/s3-store in --s3-bucket on --s3-endpoint (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
import { FileStore } from '@tus/file-store';
import { Server, type DataStore } from '@tus/server';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { childArgs, serveStatic } from './static.js';

const args = childArgs(process.argv.slice(2));
const dir = args.get('dir')![0];
const statics = args.get('static') ?? [];
const bucket = args.get('s3-bucket')?.[0];
mkdirSync(dir, { recursive: true });

async function s3Store(bucket: string): Promise<DataStore> {
  const { S3Store } = await import('@tus/s3-store');
  return new S3Store({
    partSize: Number(args.get('part-size')?.[0] ?? 8 * 1024 * 1024),
    s3ClientConfig: {
      bucket,
      endpoint: args.get('s3-endpoint')?.[0],
      region: process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: true,
      // The SDK's default checksums send aws-chunked bodies, which Ceph RGW 16 refuses (411).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
  });
}

const datastore = bucket ? await s3Store(bucket) : new FileStore({ directory: dir });
const tus = new Server({ path: '/files', datastore });
const server = createServer(async (req, res) => {
  if ((req.url ?? '').startsWith('/files')) return void tus.handle(req, res);
  if (await serveStatic(statics, req, res)) return;
  res.writeHead(404).end();
});
server.listen(Number(args.get('port')?.[0] ?? 0), args.get('host')?.[0] ?? '127.0.0.1', () => {
  const a = server.address();
  if (a && typeof a === 'object') console.log(`tus-server listening on http://${a.address}:${a.port}`);
});
