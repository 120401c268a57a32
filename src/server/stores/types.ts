import type { Readable } from 'node:stream';

/** What is recorded about one upload beside its bytes. */
export interface UploadRecord {
  /** The owner `authorize` named when the upload began. */
  owner: string;
  /** The client's id (the article's protocol) or the id the server assigned (tus, IETF). */
  id: string;
  /** Total bytes; null while the client has not said it (deferred length, the article's client). */
  size: number | null;
  /** tus `Upload-Metadata` as the client sent it, answered back verbatim. */
  metadata?: string;
  createdAt: string;
  completedAt?: string;
  /**
   * The client's `Repr-Digest` (value in base64), recorded just before a store that checks the whole file
   * only once it is complete (`digestComplete`) completes it: a crash before the check leaves it to be
   * checked before onComplete runs, never skipped.
   */
  reprDigest?: { algorithm: string; value: string };
}

/** What the store says about one upload. */
export interface UploadState {
  /** The incomplete upload's record, if any. */
  record: UploadRecord | null;
  /** Bytes stored so far (0 when there are none, and once complete). */
  offset: number;
  /**
   * Set once the upload is complete; `notified` once `onComplete` succeeded; `metadata` as recorded
   * (tus answers it on HEAD after completion too).
   */
  complete: { size: number; notified: boolean; metadata?: string } | null;
}

/** Where a completed upload's bytes are, for `onComplete`. */
export interface StoredLocation {
  /** `file`, `s3`, ...: which store holds it. */
  store: string;
  /** A URL naming the stored bytes: `file:///abs/path`, `s3://bucket/key`. */
  url: string;
  /** The absolute path, for stores on the local disk. */
  path?: string;
}

/** How a body ended. */
export type BodyEnd =
  /** Read to its end. */
  | 'end'
  /** The connection closed mid-body (client abort, reset, shutdown). */
  | 'aborted'
  /** Nothing arrived for `idleTimeout`; the body was destroyed. */
  | 'stalled'
  /** It ran past its limit; nothing of it past the last checkpoint is kept. */
  | 'overflow'
  /** It ended, but its digest did not match: nothing of it is kept. */
  | 'mismatch';

export interface AppendResult {
  end: BodyEnd;
  /** Bytes durably stored at `start`. */
  written: number;
}

/** A digest the body must have; when given, the append keeps all of the body or none of it. */
export interface ExpectedDigest {
  /** A node:crypto hash name: `sha1`, `sha256`, `sha512`, `md5`. */
  algorithm: string;
  value: Buffer;
}

/** What the caller tells, and hears, while a body streams in. */
export interface AppendOptions {
  /** The offset the body starts at; equals the stored offset. */
  start: number;
  /** Bytes the body may have at most; more is an `overflow`. */
  limit: number;
  /** Milliseconds the body may send nothing before it is destroyed. */
  idleTimeout: number;
  /** Milliseconds between checkpoints of a long body (durable, so status can answer them). */
  syncInterval?: number;
  digest?: ExpectedDigest;
  /**
   * Sees every chunk the store takes, in order, within the limit (the service's running digest of the
   * upload); what the store then keeps of them is `written`.
   */
  tap?: (chunk: Buffer) => void;
  /** Bytes arrived: the writer is alive. */
  onActivity?: () => void;
  /** `offset` is durable: status may report it while the body still streams. */
  onDurable?: (offset: number) => void;
  /** The body is over (ended, cut or overflowed); only the closing write remains. */
  onEnded?: () => void;
}

/**
 * Keeps uploads' bytes and records. Keys are 64 hex digits chosen by the service; an id never becomes a path.
 * Every implementation passes test/contracts/store.ts.
 */
export interface UploadStore {
  /** Prepares the store (folders, buckets); called once before any other method. */
  init(): Promise<void>;
  /** The offset when nobody is writing: completed size, else the stored bytes (0 for an unknown key). */
  offset(key: string): Promise<number>;
  inspect(key: string): Promise<UploadState>;
  /** Writes an incomplete upload's record, atomically (readers see the old one or the new one). */
  writeRecord(key: string, record: UploadRecord): Promise<void>;
  /**
   * Streams `body` in at `options.start`. Resolves once what it wrote is durable (and not before: the
   * caller acknowledges that offset). Bytes before a cut are kept; see BodyEnd for the rest.
   */
  append(key: string, body: Readable, options: AppendOptions): Promise<AppendResult>;
  /** Makes the stored bytes the completed upload; resolves with where they are. */
  complete(key: string): Promise<StoredLocation>;
  /** Where a completed upload is (for a repeated onComplete). */
  location(key: string): StoredLocation;
  /** Records that onComplete succeeded, so it never runs again. */
  finalize(key: string, record: UploadRecord): Promise<void>;
  /** Deletes an upload, complete or not: bytes and record. */
  remove(key: string): Promise<void>;
  /** Keys of incomplete uploads and of completed ones whose onComplete has not run. */
  list(): Promise<string[]>;
  /** When an incomplete upload last changed (ms since the epoch), undefined when unknown. */
  lastModified(key: string): Promise<number | undefined>;
  /** Removes leftovers of crashes older than `maxAge` ms (temp files, stray parts). */
  cleanup(maxAge: number): Promise<void>;
  /**
   * The digest of an incomplete upload's stored bytes (a node:crypto hash name), read back from where they
   * are kept. The whole file is checked against `Repr-Digest` before `complete`, so a mismatch never
   * becomes a completed upload. A store that has it does not need `digestComplete`. Neither is called when
   * the service's running SHA-256 (fed through `tap`) covers the whole upload.
   */
  digest?(key: string, algorithm: string): Promise<Buffer>;
  /**
   * The digest of a completed upload's bytes, streamed back (bounded memory), for a store that cannot read
   * an incomplete upload back (S3's multipart uploads). The whole file is then checked after `complete`
   * and before onComplete runs or the client is answered; a mismatch removes it. With neither this nor
   * `digest`, the whole file is not checked against `Repr-Digest`.
   */
  digestComplete?(key: string, algorithm: string): Promise<Buffer>;
}
