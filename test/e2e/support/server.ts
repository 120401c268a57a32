// The project's server, started the two ways a test needs: in this process (onComplete tells where the
// file went) or as the CLI in a child process (so SIGKILL can take it down mid-write). childServer is
// the launcher any server under test in a child process uses (see tus-server-process.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startUploadServer } from '../../../src/server/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = resolve(import.meta.dirname, '../fixtures');
/** The bundle under test; a folder holding resumable-upload.js. */
export const DIST = resolve(ROOT, process.env.RU_E2E_DIST ?? 'dist');
export const STATIC = [FIXTURES, DIST];

export interface ServerHandle {
  port: number;
  url: string;
  dir: string;
  /** Where the server put a completed file (status-upload: named by its X-File-Id). */
  storedPath(fileId: string): string;
  /** tus and IETF: where the bytes behind an upload URL are, while it is partial or once complete. */
  uploadPath(uploadUrl: string, where?: 'partial' | 'complete'): string;
  /**
   * A broken request may cost bytes the server had read but not yet written (@tus/file-store: its write
   * pipeline is destroyed with what it holds). Ours keeps every byte that reached it.
   */
  losesBufferedBytes?: boolean;
  /**
   * Refuses an append from a stale offset (409) without reading its body, and the reset that follows
   * makes Chromium re-send it on its own, maybe more than once (@tus/server). Ours reads on, lingering,
   * so the refusal arrives and the browser does not re-send.
   */
  provokesResends?: boolean;
  close(): Promise<void>;
}

/** The last segment of a tus/IETF upload URL (absolute or a path): the server's id of the upload. */
export const uploadId = (uploadUrl: string): string =>
  new URL(uploadUrl, 'http://localhost').pathname.split('/').pop()!;

/**
 * The store's documented layout: {partial,complete}/<sha256(owner + NUL + id)>, owner 'anonymous' here;
 * tus and IETF uploads (one namespace) hash `files` + NUL in front.
 */
const storePath = (dir: string, where: 'partial' | 'complete', fileId: string, namespace = '') =>
  join(
    dir,
    where,
    createHash('sha256')
      .update(`${namespace ? `${namespace}\0` : ''}anonymous\0${fileId}`, 'utf8')
      .digest('hex'),
  );

/** Bytes of an unfinished upload on disk (written, maybe not yet fsynced); 0 when there is none. */
export const partialSize = (dir: string, fileId: string): Promise<number> =>
  stat(storePath(dir, 'partial', fileId)).then(
    (s) => s.size,
    () => 0,
  );

export async function startServer(
  dir: string,
  options: {
    maxSize?: number;
    /** Folders served before the fixtures and the bundle (e.g. bundles a test built). */
    static?: string[];
  } = {},
): Promise<ServerHandle> {
  const stored = new Map<string, string>();
  const { static: extra = [], ...rest } = options;
  const s = await startUploadServer({
    port: 0,
    host: '127.0.0.1',
    dir,
    static: [...extra, ...STATIC],
    ...rest,
    onComplete: ({ fileId, path }) => {
      stored.set(fileId, path!);
    },
  });
  const port = Number(new URL(s.url).port);
  return {
    port,
    url: s.url,
    dir,
    storedPath: (fileId) => {
      const path = stored.get(fileId);
      if (!path) throw new Error(`the server reported no completed upload for ${fileId}`);
      return path;
    },
    // onComplete names a tus/IETF upload by its id.
    uploadPath: (uploadUrl, where = 'complete') => {
      if (where === 'partial') return storePath(dir, 'partial', uploadId(uploadUrl), 'files');
      const path = stored.get(uploadId(uploadUrl));
      if (!path) throw new Error(`the server reported no completed upload at ${uploadUrl}`);
      return path;
    },
    close: () => s.close(),
  };
}

export interface ServerProcess extends ServerHandle {
  /** SIGKILL: no shutdown, no flush, whatever is on disk stays. */
  kill(): Promise<void>;
  /** Starts the CLI again on the same port and folder. */
  restart(): Promise<void>;
}

/** The process-level half of a ServerProcess: a child that prints `listening on http://<host>:<port>`. */
export type ChildServer = Pick<ServerProcess, 'port' | 'url' | 'kill' | 'restart' | 'close'>;

/** Spawns `node <args(port)>` in the project's folder; restart() starts it again on the same port. */
export async function childServer(args: (port: number) => string[], port = 0): Promise<ChildServer> {
  let child: ChildProcess | null = null;
  const launch = (p: number) =>
    new Promise<number>((ok, fail) => {
      const c = spawn(process.execPath, args(p), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
        if (m) {
          c.stdout!.off('data', onData);
          c.stdout!.resume();
          ok(Number(m[1]));
        }
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      c.once('exit', (code, signal) =>
        fail(new Error(`server exited (${code ?? signal}) before listening:\n${out}`)),
      );
    });
  const kill = async () => {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  const actual = await launch(port);
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    kill,
    restart: async () => {
      await kill();
      await launch(actual);
    },
    close: async () => {
      const c = child as ChildProcess | null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    },
  };
}

export async function startServerProcess(dir: string, port = 0): Promise<ServerProcess> {
  const child = await childServer(
    (p) => [
      ...['--import', 'tsx', 'src/server/cli.ts', '--port', String(p), '--host', '127.0.0.1', '--dir', dir],
      ...STATIC.flatMap((d) => ['--static', d]),
    ],
    port,
  );
  return {
    ...child,
    dir,
    storedPath: (fileId) => storePath(dir, 'complete', fileId),
    uploadPath: (uploadUrl, where = 'complete') => storePath(dir, where, uploadId(uploadUrl), 'files'),
  };
}
