import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Lease, Locker } from './locks/types.js';
import { LockUnavailableError } from './locks/types.js';
import type { CompletedUpload } from './options.js';
import type { ExpectedDigest, UploadRecord, UploadState, UploadStore } from './stores/types.js';

/** Why the service refused a request; each wire protocol words and numbers it its own way. */
export type ProblemCode =
  /** No such upload (for this owner). */
  | 'not-found'
  /** It existed, but expired. */
  | 'gone'
  /** Another request is writing it; `offset` is where that one started. */
  | 'busy'
  /** The request starts elsewhere than the stored offset, which is `offset`. */
  | 'offset-mismatch'
  /** Over `maxSize`. */
  | 'too-large'
  /** The body runs past the upload's size. */
  | 'past-size'
  /** The size the request states disagrees with the recorded one. */
  | 'size-mismatch'
  /** The upload is complete; `offset` is its size. */
  | 'completed'
  /** The body's digest did not match: nothing of it was kept. */
  | 'digest-mismatch'
  /** The whole file's digest (`Repr-Digest`) did not match the stored bytes: the upload was removed. */
  | 'repr-mismatch'
  /** Stored, but onComplete threw; the same last request again retries it. */
  | 'hook-failed';

/** A refusal the protocols answer with a 4xx (or, for `hook-failed`, a 500). */
export class UploadProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    /** The stored offset, where it helps the client. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

export interface ServiceConfig {
  maxSize: number;
  expireAfter: number;
  sweepInterval: number;
  idleTimeout: number;
  lockWait: number;
  takeoverAfter: number;
  syncInterval: number;
  onComplete?: (info: CompletedUpload) => void | Promise<void>;
}

/** One append, as a wire protocol states it. */
export interface AppendRequest {
  /** The offset the body starts at, as the client says. */
  start: number;
  body: Readable;
  /** The body's length, when the request says it (Content-Length). */
  bodyLength?: number;
  /** The total size, when the request states it (X-File-Size, Upload-Length). */
  size?: number;
  /** This body ends the upload (IETF `Upload-Complete: ?1`): where it ends is the size. */
  final?: boolean;
  /** The record to create when the upload has none yet (the article's protocol creates on first append). */
  create?: { owner: string; id: string };
  /** Milliseconds a running writer may be quiet before this request takes over (default: `takeoverAfter`). */
  takeoverAfter?: number;
  /** The body must have this digest; then it is kept whole or not at all. */
  digest?: ExpectedDigest;
  /** The whole file must have this digest before the upload completes (`Repr-Digest`). */
  reprDigest?: ExpectedDigest;
  /** How the protocol names the size in its reasons (`X-File-Size`, `Upload-Length`). */
  sizeName: string;
}

export interface AppendOutcome {
  /** The stored, durable offset after this request. */
  offset: number;
  /** The size, if known now. */
  size: number | null;
  /** The upload is complete (and onComplete has run). */
  complete: boolean;
  /** False when the body did not end (cut, stalled): nobody is left to answer. */
  answered: boolean;
  /** The stored file's SHA-256 (hex), when this request completed it and the file was checked against it. */
  sha256?: string;
}

/** A body that got bytes this recently is still being received (a cut's last bytes drain in far less). */
const RECEIVING_MS = 100;
/** The longest status waits for such a body's end before answering the last checkpoint. */
const STATUS_WAIT_MS = 250;

/** Temp files older than this are leftovers of a crash mid-write. */
const TEMP_MAX_AGE = 60 * 60 * 1000;

/** A body this process is receiving: where it started, when bytes last came, whether any came, its end. */
interface Receiving {
  start: number;
  activeAt: number;
  moved: boolean;
  ended: Promise<void>;
}

/**
 * The upload service: offsets, limits, owners, locking and takeover, completion (onComplete exactly once)
 * and expiry. It knows no wire protocol and no disk: protocols call it, and it works over a store and a locker.
 */
export class UploadService {
  readonly store: UploadStore;
  readonly locker: Locker;
  readonly config: ServiceConfig;
  /** The store is ready and the first sweep (expiry, undelivered onComplete calls) has run. */
  readonly ready: Promise<void>;
  readonly #initialized: Promise<void>;
  #sweeping: Promise<number> = Promise.resolve(0);
  /** Bodies this process is receiving, by key: where each started, when bytes last came, its end. */
  readonly #receiving = new Map<string, Receiving>();
  readonly #timer: ReturnType<typeof setInterval> | undefined;

  constructor(config: ServiceConfig, store: UploadStore, locker: Locker) {
    this.config = config;
    this.store = store;
    this.locker = locker;
    this.#initialized = store.init();
    this.#initialized.catch(() => undefined); // surfaced by every request and by `ready`
    const interval = config.sweepInterval;
    this.#timer =
      interval > 0 && Number.isFinite(interval)
        ? setInterval(
            () => this.sweep().catch((err) => console.error('resumable-upload server: sweep failed:', err)),
            Math.min(interval, 2 ** 31 - 1),
          ).unref()
        : undefined;
    this.ready = this.#initialized.then(() => this.sweep()).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  /** The store key of an owner's upload: ids never become paths, and owners never meet. */
  key(owner: string, id: string, namespace = ''): string {
    const name = namespace ? `${namespace}\0${owner}\0${id}` : `${owner}\0${id}`;
    return createHash('sha256').update(name, 'utf8').digest('hex');
  }

  /** Waits until the store is usable (rejects when it is not). */
  initialized(): Promise<void> {
    return this.#initialized;
  }

  /**
   * The offset status answers: the writer's durable offset while one runs, else the stored one. While
   * this process still receives a body for the upload, it first waits a moment for that body's end: right
   * after a cut, the body's last bytes are still in the socket buffers, and the client would resend them.
   */
  async offset(key: string): Promise<number> {
    const body = this.#receiving.get(key);
    if (body && performance.now() - body.activeAt < RECEIVING_MS) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, STATUS_WAIT_MS)));
      await Promise.race([body.ended, waited]);
      clearTimeout(timer);
    }
    return this.locker.offset(key, () => this.store.offset(key));
  }

  /**
   * Where a body this process is receiving for the upload started, when `start` is at or below it and that
   * body is not quiet enough to be taken over: a request from there (a browser's silent re-send of a cut
   * request) can store nothing new, and is refused at once instead of piling its body up behind the lock.
   */
  overtaken(key: string, start: number): number | undefined {
    const body = this.#receiving.get(key);
    // A body that brought nothing yet (cut at its first byte, or still waiting for the lock) may end where
    // it started: a request from there may be right, and waits for the lock instead.
    return body?.moved && start <= body.start && performance.now() - body.activeAt < this.config.takeoverAfter
      ? body.start
      : undefined;
  }

  /** An upload created by `create`: not-found and gone are problems. */
  async find(key: string): Promise<UploadState & { record: UploadRecord | null }> {
    const state = await this.store.inspect(key);
    if (!state.record && !state.complete) throw new UploadProblem('not-found', 'Upload not found');
    if (!state.complete && (await this.#expired(key))) {
      await this.#removeIfIdle(key);
      throw new UploadProblem('gone', 'Upload expired');
    }
    return state;
  }

  /** When an incomplete upload expires if nothing more arrives (ms since the epoch). */
  async expiresAt(key: string): Promise<number | undefined> {
    if (!Number.isFinite(this.config.expireAfter)) return undefined;
    const modified = await this.store.lastModified(key);
    return modified === undefined ? undefined : modified + this.config.expireAfter;
  }

  /** Records a new upload (tus and IETF creation); a size of 0 completes it at once. */
  async create(key: string, record: Omit<UploadRecord, 'createdAt'>): Promise<void> {
    this.#checkLimit(record.size, 'Upload-Length');
    await this.#initialized;
    await this.store.writeRecord(key, { ...record, createdAt: new Date().toISOString() });
  }

  /** Appends one body, completing the upload when it reaches its size. */
  async append(key: string, request: AppendRequest): Promise<AppendOutcome> {
    // Known before the lock: a status asked while this request still waits for it (a cut body whose bytes
    // Node holds) waits for its end, instead of answering an offset this request is about to pass.
    let ended = () => {};
    const body: Receiving = {
      start: request.start,
      activeAt: performance.now(),
      moved: false,
      ended: new Promise<void>((r) => (ended = r)),
    };
    if (!this.#receiving.has(key)) this.#receiving.set(key, body);
    try {
      return await this.#append(key, request, body, ended);
    } finally {
      ended();
      if (this.#receiving.get(key) === body) this.#receiving.delete(key);
    }
  }

  async #append(
    key: string,
    request: AppendRequest,
    body: Receiving,
    ended: () => void,
  ): Promise<AppendOutcome> {
    const { config } = this;
    const lease = await this.locker.acquire(
      key,
      config.lockWait,
      request.takeoverAfter ?? config.takeoverAfter,
    );
    if (!lease) {
      // Another request is appending: answer the offset it started from, the last one made durable.
      throw new UploadProblem('busy', 'Another request is writing this upload', await this.offset(key));
    }
    try {
      const state = await this.store.inspect(key);
      if (state.complete) {
        lease.commit(state.complete.size);
        return await this.#appendToComplete(key, state, request);
      }
      lease.commit(state.offset);
      const record = state.record ?? (request.create ? null : undefined);
      if (record === undefined) throw new UploadProblem('not-found', 'Upload not found');
      const { start, bodyLength, sizeName } = request;
      const recorded = record?.size ?? null;
      let size = this.#statedSize(request, recorded, state.offset);
      this.#checkLimit(size, sizeName);
      if (size !== null && bodyLength !== undefined && start + bodyLength > size) {
        throw new UploadProblem('past-size', `Body runs past ${sizeName}`);
      }
      let current: UploadRecord = record ?? { ...request.create!, size, createdAt: new Date().toISOString() };
      if (!record || (current.size === null && size !== null)) {
        current = { ...current, size };
        await this.store.writeRecord(key, current);
      }

      const limit = Math.min(size ?? Infinity, config.maxSize) - start;
      // A newer request for this upload may stop this one once it goes quiet (its connection is likely dead).
      lease.onTakeover(() => request.body.destroy());
      body.activeAt = performance.now();
      this.#receiving.set(key, body);
      const { end, written } = await this.store
        .append(key, request.body, {
          start,
          limit,
          idleTimeout: config.idleTimeout,
          syncInterval: config.syncInterval,
          digest: request.digest,
          onActivity: () => {
            body.activeAt = performance.now();
            body.moved = true;
            lease.touch();
          },
          onDurable: (offset) => lease.commit(offset),
          onEnded: () => {
            ended();
            lease.settle();
          },
        })
        .finally(() => {
          ended();
          if (this.#receiving.get(key) === body) this.#receiving.delete(key);
        });
      const offset = start + written;
      lease.commit(offset);
      if (end !== 'aborted' && end !== 'stalled') await fenced(lease);
      if (end === 'overflow') {
        const what =
          size !== null && size <= config.maxSize ? sizeName : `the limit of ${config.maxSize} bytes`;
        throw new UploadProblem('past-size', `Body runs past ${what}`, offset);
      }
      if (end === 'mismatch') {
        throw new UploadProblem(
          'digest-mismatch',
          'Checksum mismatch: nothing of this request was kept',
          offset,
        );
      }
      if (end !== 'end') return { offset, size, complete: false, answered: false };
      if (request.final && size === null) {
        size = offset;
        current = { ...current, size };
        await this.store.writeRecord(key, current);
      }
      if (size !== null && offset === size) {
        await fenced(lease);
        const sha256 = await this.#checkWhole(key, request.reprDigest);
        const location = await this.store.complete(key);
        lease.commit(size);
        await this.#deliver(key, current, size, location, sha256);
        return { offset, size, complete: true, answered: true, ...(sha256 && { sha256 }) };
      }
      return { offset, size, complete: false, answered: true };
    } finally {
      lease.release();
    }
  }

  /** Deletes an upload, complete or not (tus termination, IETF cancellation), stopping a writer first. */
  async terminate(key: string): Promise<void> {
    const lease = await this.locker.acquire(key, this.config.lockWait, 0);
    if (!lease) throw new UploadProblem('busy', 'Another request is writing this upload');
    try {
      await this.find(key);
      await this.store.remove(key);
    } finally {
      lease.release();
    }
  }

  /** Deletes expired incomplete uploads now; resolves with how many were removed. */
  sweep(): Promise<number> {
    const once = (): Promise<number> => this.#sweepOnce();
    return (this.#sweeping = this.#sweeping.then(once, once));
  }

  /** Stops the sweep timer (and waits for a running sweep). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping.catch(() => undefined);
  }

  /**
   * The size this request states, checked against the recorded one. A size only implied by where a final
   * body ends is checked once the offset is known to be right: from a wrong offset it means nothing.
   */
  #statedSize(request: AppendRequest, recorded: number | null, offset: number): number | null {
    const { size, final, start, bodyLength, sizeName } = request;
    if (size !== undefined && recorded !== null && size !== recorded) {
      throw new UploadProblem(
        'size-mismatch',
        `${sizeName} ${size} disagrees with the size recorded for this upload (${recorded})`,
      );
    }
    if (start !== offset) {
      throw new UploadProblem('offset-mismatch', `Upload is at offset ${offset}`, offset);
    }
    const implied = final && bodyLength !== undefined ? start + bodyLength : undefined;
    const known = size ?? recorded;
    if (implied !== undefined && known !== null && implied !== known) {
      throw new UploadProblem(
        'size-mismatch',
        `This request ends the upload at ${implied} bytes, but its length is ${known}`,
      );
    }
    return known ?? implied ?? null;
  }

  #checkLimit(size: number | null, sizeName: string): void {
    if (size !== null && size > this.config.maxSize) {
      throw new UploadProblem('too-large', `${sizeName} exceeds the limit of ${this.config.maxSize} bytes`);
    }
  }

  /** A request for an upload that is already complete: only its lost last answer can be asked again. */
  async #appendToComplete(key: string, state: UploadState, request: AppendRequest): Promise<AppendOutcome> {
    const { size, notified } = state.complete!;
    // Every protocol answers a start elsewhere as a mismatch, with the size to go on from.
    if (request.start !== size) {
      throw new UploadProblem('offset-mismatch', `Upload is complete at offset ${size}`, size);
    }
    const { size: stated, sizeName } = request;
    if (stated !== undefined && stated !== size) {
      throw new UploadProblem(
        'size-mismatch',
        `${sizeName} ${stated} disagrees with the size recorded for this upload (${size})`,
      );
    }
    const hasBody =
      request.bodyLength !== undefined ? request.bodyLength > 0 : !(await bodyIsEmpty(request.body));
    if (hasBody) throw new UploadProblem('completed', `Upload is already complete at ${size} bytes`, size);
    // The final answer got lost and the client asks again: also the moment to retry a failed onComplete.
    if (!notified) {
      const record = state.record ?? { ...request.create!, size, createdAt: new Date().toISOString() };
      await this.#deliver(key, record, size, this.store.location(key));
    }
    return { offset: size, size, complete: true, answered: true };
  }

  /**
   * The stored bytes against the client's `Repr-Digest`, before they become the upload: the SHA-256 (hex)
   * when they match (undefined without a digest, or with a store that cannot read its bytes back). A
   * mismatch removes the upload: no prefix of it can be trusted, so the client starts again.
   */
  async #checkWhole(key: string, expected: ExpectedDigest | undefined): Promise<string | undefined> {
    if (!expected || !this.store.digest) return undefined;
    const stored = await this.store.digest(key, expected.algorithm);
    if (!stored.equals(expected.value)) {
      await this.store.remove(key);
      throw new UploadProblem(
        'repr-mismatch',
        'Repr-Digest does not match the stored file: the upload was removed, send it again',
        0,
      );
    }
    return expected.algorithm === 'sha256' ? stored.toString('hex') : undefined;
  }

  /** Calls onComplete; on success records that it ran, so it never runs twice. */
  async #deliver(
    key: string,
    record: UploadRecord,
    size: number,
    location: ReturnType<UploadStore['location']>,
    sha256?: string,
  ): Promise<void> {
    try {
      await this.config.onComplete?.({
        owner: record.owner,
        fileId: record.id,
        size,
        path: location.path,
        location,
        metadata: record.metadata === undefined ? undefined : decodeMetadata(record.metadata),
        ...(sha256 && { sha256 }),
      });
    } catch (err) {
      console.error(`resumable-upload server: onComplete failed for ${JSON.stringify(record.id)}:`, err);
      throw new UploadProblem(
        'hook-failed',
        'Upload stored, but its completion hook failed; send the last request again to retry',
        size,
      );
    }
    await this.store.finalize(key, { ...record, size });
  }

  async #expired(key: string): Promise<boolean> {
    const expires = await this.expiresAt(key);
    return expires !== undefined && Date.now() >= expires;
  }

  async #removeIfIdle(key: string): Promise<boolean> {
    const lease = await this.locker.acquire(key, 0);
    if (!lease) return false; // being written: active by definition
    try {
      const state = await this.store.inspect(key);
      if (state.complete || !(await this.#expired(key))) return false;
      await this.store.remove(key);
      return true;
    } finally {
      lease.release();
    }
  }

  async #sweepOnce(): Promise<number> {
    await this.#initialized;
    await this.store.cleanup(TEMP_MAX_AGE);
    let removed = 0;
    for (const key of await this.store.list()) {
      try {
        const state = await this.store.inspect(key);
        if (state.complete) {
          const lease = await this.locker.acquire(key, 0);
          if (!lease) continue;
          try {
            // A record left in place by a crash inside finalize is moved on again.
            if (state.complete.notified && state.record) await this.store.finalize(key, state.record);
            else if (state.record) {
              await this.#deliver(key, state.record, state.complete.size, this.store.location(key));
            }
          } finally {
            lease.release();
          }
        } else if (await this.#removeIfIdle(key)) removed++;
      } catch (err) {
        if (!(err instanceof UploadProblem))
          console.error('resumable-upload server: sweep failed for one upload:', err);
      }
    }
    return removed;
  }
}

/** tus `Upload-Metadata`: `key base64,key2 base64`; a key without a value maps to ''. */
export function decodeMetadata(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of header.split(',')) {
    const [name, value] = pair.trim().split(' ');
    if (name) out[name] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return out;
}

/** A writer that lost its lease (expired, or passed to another instance) acknowledges and completes nothing. */
async function fenced(lease: Lease): Promise<void> {
  if (!(await lease.valid())) {
    throw new LockUnavailableError('This request lost its lock on the upload; ask for the offset and resume');
  }
}

/** Reads a body that should be empty; false as soon as a byte arrives. */
function bodyIsEmpty(body: Readable): Promise<boolean> {
  if (body.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    body.once('data', () => resolve(false));
    body.once('end', () => resolve(true));
    body.once('close', () => resolve(body.readableEnded));
    body.on('error', () => undefined);
    body.resume();
  });
}
