import type { IncomingMessage } from 'node:http';
import type { Locker } from './locks/types.js';
import { FileStore } from './stores/file/store.js';
import type { StoredLocation, UploadStore } from './stores/types.js';

/** What `onComplete` learns about a finished upload. */
export interface CompletedUpload {
  /** The owner `authorize` returned for the request that completed it. */
  owner: string;
  /** The `X-File-Id` header, percent-decoded when it decodes (the article's protocol); the upload's id (tus, IETF). */
  fileId: string;
  /** Total bytes. */
  size: number;
  /** Absolute path of the stored file, for the file store. Move it elsewhere if you like; the upload stays complete. */
  path: string | undefined;
  /** Where the bytes are, for every store (`file:///...`, `s3://bucket/key`). */
  location: StoredLocation;
  /** tus `Upload-Metadata`, decoded (e.g. `{ filename, filetype }`); undefined for the other protocols. */
  metadata: Record<string, string> | undefined;
  /**
   * The stored file's SHA-256 (hex), present when the completing request carried `Repr-Digest: sha-256=...`
   * and the stored bytes were checked against it (the client's `integrity`; the file store).
   */
  sha256?: string;
}

/** The wire protocols the handler can speak. */
export type WireProtocolName = 'status-upload' | 'tus' | 'ietf';

/** Everything the upload handler and server can be told. */
export interface UploadServerOptions {
  /**
   * Folder holding partial and completed uploads. Created when missing.
   * @default './uploads'
   */
  dir?: string;
  /**
   * Largest accepted upload in bytes; larger `X-File-Size` or bodies get 413 before anything is written.
   * @default Infinity
   */
  maxSize?: number;
  /**
   * Names the owner of a request (e.g. from a session or token). Uploads of different owners never meet.
   * Return null to answer 401.
   * @default () => 'anonymous'
   */
  authorize?: (req: IncomingMessage) => string | null | Promise<string | null>;
  /**
   * Called once per completed upload, after its file is in place and before the final answer.
   * If it throws, the client gets 500 and the call is repeated on its next request or the next sweep.
   * @default undefined
   */
  onComplete?: (info: CompletedUpload) => void | Promise<void>;
  /**
   * Origin allowed to call from a browser (`*` or e.g. `https://app.example`). Unset sends no CORS headers.
   * @default undefined
   */
  corsOrigin?: string;
  /**
   * Milliseconds after its last write an incomplete upload is deleted by the sweep.
   * @default 604800000 (7 days)
   */
  expireAfter?: number;
  /**
   * Milliseconds between sweeps for expired uploads. The timer never keeps the process alive. 0 disables it.
   * @default 3600000 (1 hour)
   */
  sweepInterval?: number;
  /**
   * Milliseconds a connection (and an upload body) may send nothing before it is destroyed.
   * Long uploads that keep sending are never cut.
   * @default 60000
   */
  idleTimeout?: number;
  /**
   * Milliseconds a second append to the same upload waits for the first to finish before getting 409.
   * @default 2000
   */
  lockWait?: number;
  /**
   * Milliseconds an append may receive nothing before a newer append to the same upload takes over:
   * the old request is stopped (its bytes kept) instead of holding the upload until `idleTimeout`.
   * @default 1000
   */
  takeoverAfter?: number;
  /**
   * Milliseconds between fsyncs while one long body streams in, so status reports a slow upload's
   * progress (and a crash keeps it). Besides, every 8 MiB written starts an fsync in the background, so
   * the disk writes back while the body arrives and the closing fsync is short. Short requests are
   * fsynced once, at their end.
   * @default 1000
   */
  syncInterval?: number;
  /**
   * The default file store's: acknowledge an offset only once its bytes are fsynced. `false` skips the
   * per-request fsyncs (an append's closing one and its checkpoints) and keeps the once-per-upload ones:
   * a what-if knob for measuring what fsync costs, the way tusd runs (it never fsyncs). A process crash
   * loses nothing, but a power loss or kernel crash can lose acknowledged bytes, even of a completed
   * upload (see FileStoreOptions). With your own `store`, set it there instead.
   * @default true
   */
  syncOnAcknowledge?: boolean;
  /**
   * Which wire protocols to answer: the article's `status`/`upload` pair, tus 1.0 and the IETF draft
   * "Resumable Uploads for HTTP" (the last two share `filesPath`, told apart by their headers).
   * @default ['status-upload', 'tus', 'ietf']
   */
  protocols?: WireProtocolName[];
  /**
   * Path (below the mount point) of the tus and IETF creation endpoint; uploads live below it.
   * @default '/files/'
   */
  filesPath?: string;
  /**
   * Where uploads are kept. Default: the durable file store in `dir`.
   * @default new FileStore(dir)
   */
  store?: UploadStore;
  /**
   * Who may write an upload at a time. Default: in-process locks (one server process).
   * @default new MemoryLocker()
   */
  locker?: Locker;
  /**
   * Folders served as static files by `createUploadServer`, searched in order. The handler ignores it.
   * @default []
   */
  static?: string[];
}

/** `startUploadServer`'s options: the server's, plus where to listen. */
export interface StartUploadServerOptions extends UploadServerOptions {
  /**
   * TCP port; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
}

export type ResolvedOptions = Required<Omit<UploadServerOptions, 'onComplete' | 'corsOrigin' | 'locker'>> &
  Pick<UploadServerOptions, 'onComplete' | 'corsOrigin' | 'locker'>;

const DAY = 24 * 60 * 60 * 1000;

/** Fills in defaults; a wrong option is a programming error, so it throws at startup rather than per request. */
export function resolveOptions(options: UploadServerOptions): ResolvedOptions {
  const dir = options.dir ?? './uploads';
  const resolved: ResolvedOptions = {
    dir,
    maxSize: options.maxSize ?? Infinity,
    authorize: options.authorize ?? (() => 'anonymous'),
    onComplete: options.onComplete,
    corsOrigin: options.corsOrigin,
    expireAfter: options.expireAfter ?? 7 * DAY,
    sweepInterval: options.sweepInterval ?? 60 * 60 * 1000,
    idleTimeout: options.idleTimeout ?? 60_000,
    lockWait: options.lockWait ?? 2000,
    takeoverAfter: options.takeoverAfter ?? 1000,
    syncInterval: options.syncInterval ?? 1000,
    syncOnAcknowledge: options.syncOnAcknowledge ?? true,
    static: options.static ?? [],
    protocols: options.protocols ?? ['status-upload', 'tus', 'ietf'],
    filesPath: normalizeFilesPath(options.filesPath ?? '/files/'),
    store: options.store ?? new FileStore(dir, { syncOnAcknowledge: options.syncOnAcknowledge }),
    locker: options.locker,
  };
  if (options.store && options.syncOnAcknowledge !== undefined) {
    throw new TypeError(
      "resumable-upload server: option syncOnAcknowledge is the default file store's; with your own store, set it there (new FileStore(dir, { syncOnAcknowledge }))",
    );
  }
  for (const name of resolved.protocols) {
    if (!['status-upload', 'tus', 'ietf'].includes(name)) {
      throw new TypeError(`resumable-upload server: unknown protocol ${JSON.stringify(name)}`);
    }
  }
  for (const name of [
    'maxSize',
    'expireAfter',
    'sweepInterval',
    'idleTimeout',
    'lockWait',
    'takeoverAfter',
    'syncInterval',
  ] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new TypeError(
        `resumable-upload server: option ${name} must be a non-negative number, got ${value}`,
      );
    }
  }
  return resolved;
}

/** `/files/`, `files`, `/files` all mean `/files` (uploads at `/files/<id>`). */
export function normalizeFilesPath(path: string): string {
  const trimmed = `/${path}`.replace(/\/+/g, '/').replace(/\/$/, '');
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(trimmed) || /\/\.\.?(\/|$)/.test(trimmed)) {
    throw new TypeError(
      `resumable-upload server: filesPath must be a plain path like '/files/', got ${path}`,
    );
  }
  return trimmed;
}

export { parseByteCount } from '../shared/byte-count.js';
