#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WireProtocolName } from './options.js';
import { normalizeFilesPath, parseByteCount } from './options.js';
import type { Locker } from './locks/types.js';
import { startUploadServer } from './server.js';
import { S3Store } from './stores/s3/store.js';

const USAGE = `Usage: resumable-upload-server [options]

Receives resumable uploads and serves static files. It speaks three protocols at once:
the article's GET /status + POST /upload, tus 1.0 and the IETF draft "Resumable Uploads
for HTTP" (interop 5-8), the last two at /files/ (told apart by their headers).

Options:
  --port PORT           port to listen on, 0 for any free one (env PORT; default 8080)
  --host HOST           interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --dir DIR             folder for partial and completed uploads (env UPLOAD_DIR; default ./uploads)
  --static DIR          serve files from DIR; repeat to search several folders in order
  --max-size BYTES      largest accepted upload (default: no limit)
  --cors-origin ORIGIN  allow browser calls from ORIGIN ('*' or e.g. https://app.example)
  --protocols LIST      comma-separated: status-upload,tus,ietf (default: all three)
  --files-path PATH     where tus and IETF uploads are created (default /files/)
  --sync-on-acknowledge on|off
                        off skips the file store's fsync before each answer (bytes
                        acknowledged but not yet on disk: a power loss can lose them);
                        a what-if for measuring fsync's cost (default on)
  --store URL           where uploads are kept: s3://BUCKET/PREFIX for S3-compatible object
                        storage (credentials and region from AWS_ACCESS_KEY_ID,
                        AWS_SECRET_ACCESS_KEY, AWS_REGION); default the file store in --dir
  --s3-endpoint URL     an S3-compatible endpoint (Ceph RGW, MinIO, R2...), path-style
  --redis URL           redis://HOST:PORT: locks shared by every instance on that Redis
                        (run several instances behind one load balancer); default in-process
  -h, --help            show this help
`;

function usageError(message: string): never {
  process.stderr.write(`resumable-upload-server: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        dir: { type: 'string' },
        static: { type: 'string', multiple: true },
        'max-size': { type: 'string' },
        'cors-origin': { type: 'string' },
        protocols: { type: 'string' },
        'files-path': { type: 'string' },
        'sync-on-acknowledge': { type: 'string' },
        store: { type: 'string' },
        's3-endpoint': { type: 'string' },
        redis: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    return usageError((err as Error).message);
  }
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const limits = limitsFrom(args);
  const store = storeFrom(args.store, args['s3-endpoint']);
  const syncOnAcknowledge = syncFrom(args['sync-on-acknowledge'], store);
  const redis = args.redis;
  if (redis !== undefined && !/^rediss?:\/\/[^\s/]+/.test(redis)) {
    usageError(`--redis must be a redis://HOST:PORT URL, got '${redis}'`);
  }
  const locker = redis === undefined ? undefined : await connectRedis(redis);
  for (const dir of args.static ?? []) {
    if (!existsSync(dir))
      console.warn(`resumable-upload-server: warning: static folder ${dir} does not exist`);
  }
  const running = await startUploadServer({
    ...limits,
    host: args.host ?? '127.0.0.1',
    dir: args.dir ?? process.env.UPLOAD_DIR ?? './uploads',
    static: args.static ?? [],
    corsOrigin: args['cors-origin'],
    syncOnAcknowledge,
    store,
    locker,
    onComplete: ({ owner, fileId, size, path, location }) => {
      console.log(
        `complete ${JSON.stringify(fileId)} owner=${JSON.stringify(owner)} size=${size} path=${path ?? location.url}`,
      );
    },
  });
  console.log(`resumable-upload-server listening on ${running.url}`);
  if (syncOnAcknowledge === false) {
    console.warn(
      'resumable-upload-server: warning: --sync-on-acknowledge off: offsets are acknowledged before their bytes are fsynced; a power loss can lose them',
    );
  }
  if (store || locker) {
    console.log(
      `store ${store ? `s3://${store.bucket}/${store.prefix}` : 'file'}, locks ${redis ?? 'in-process'}`,
    );
  }
  closeOnSignals(() => running.close(), store, locker);
}

/** --port, --max-size, --protocols and --files-path, checked; a bad one is a usage error. */
function limitsFrom(args: ReturnType<typeof parse>) {
  const portText = args.port ?? process.env.PORT ?? '8080';
  const port = parseByteCount(portText);
  if (port === undefined || port > 65535)
    usageError(`--port must be a number from 0 to 65535, got '${portText}'`);
  let maxSize: number | undefined;
  if (args['max-size'] !== undefined) {
    maxSize = parseByteCount(args['max-size']);
    if (maxSize === undefined) usageError(`--max-size must be a number of bytes, got '${args['max-size']}'`);
  }
  const known: readonly WireProtocolName[] = ['status-upload', 'tus', 'ietf'];
  let protocols: WireProtocolName[] | undefined;
  if (args.protocols !== undefined) {
    const names = args.protocols.split(',').map((p) => p.trim());
    const unknown = names.filter((p) => !known.includes(p as WireProtocolName));
    if (unknown.length || names.length === 0) {
      usageError(`--protocols takes ${known.join(', ')}; got '${args.protocols}'`);
    }
    protocols = names as WireProtocolName[];
  }
  const filesPath = args['files-path'];
  if (filesPath !== undefined) {
    try {
      normalizeFilesPath(filesPath);
    } catch {
      usageError(`--files-path must be a plain path like /files/, got '${filesPath}'`);
    }
  }
  return { port, maxSize, protocols, filesPath };
}

/** --sync-on-acknowledge on|off, for the file store only; unset keeps the default. */
function syncFrom(value: string | undefined, store: S3Store | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'on' && value !== 'off') usageError(`--sync-on-acknowledge takes on or off, got '${value}'`);
  if (store) usageError('--sync-on-acknowledge is for the file store, not --store s3://');
  return value === 'on';
}

/** SIGINT/SIGTERM close the server, then the store and the locker; a second signal exits at once. */
function closeOnSignals(close: () => Promise<void>, store?: S3Store, locker?: Locker): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1); // a second signal: the user means it
    stopping = true;
    console.log(`resumable-upload-server: ${signal}, closing (partial uploads are kept and resumable)`);
    close()
      .then(async () => {
        store?.close();
        await (locker as { close?: () => Promise<void> } | undefined)?.close?.();
      })
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error('resumable-upload-server: error while closing:', err);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** `s3://BUCKET/PREFIX` -> an S3 store; unset -> the file store in --dir. */
function storeFrom(url: string | undefined, endpoint: string | undefined): S3Store | undefined {
  if (url === undefined) {
    if (endpoint !== undefined) usageError('--s3-endpoint needs --store s3://BUCKET/PREFIX');
    return undefined;
  }
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) usageError(`--store must be s3://BUCKET/PREFIX, got '${url}'`);
  if (endpoint !== undefined && !/^https?:\/\/\S+$/.test(endpoint)) {
    usageError(`--s3-endpoint must be an http(s) URL, got '${endpoint}'`);
  }
  return new S3Store({ bucket: m[1], prefix: m[2] ?? '', endpoint });
}

async function connectRedis(url: string): Promise<Locker> {
  const { createRedisLocker } = await import('./locks/redis.js');
  return createRedisLocker(url);
}

main().catch((err: unknown) => {
  console.error(`resumable-upload-server: ${(err as Error).message ?? err}`);
  process.exit(1);
});
