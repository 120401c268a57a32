import { createHash } from 'node:crypto';
import { Completion } from './completion.js';
import { Expiry } from './expiry.js';
import {
  endedWithin,
  held,
  HELD_WAIT_MS,
  receiving,
  RECEIVING_MS,
  STATUS_WAIT_MS,
  type Receiving,
} from './receiving.js';
import type { Lease, Locker } from './locks/types.js';
import type { RunningTap } from './running-digest.js';
import { LockUnavailableError } from './locks/types.js';
import { UploadProblem } from './service-types.js';
import type { AppendOutcome, AppendRequest, ServiceConfig } from './service-types.js';
import type { BodyEnd, UploadRecord, UploadState, UploadStore } from './stores/types.js';

export { UploadProblem } from './service-types.js';
export type { AppendOutcome, AppendRequest, ProblemCode, ServiceConfig } from './service-types.js';

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
  readonly #completion: Completion;
  readonly #expiry: Expiry;
  readonly #timer: ReturnType<typeof setInterval> | undefined;

  constructor(config: ServiceConfig, store: UploadStore, locker: Locker) {
    this.config = config;
    this.store = store;
    this.locker = locker;
    this.#completion = new Completion(store, config.onComplete);
    this.#expiry = new Expiry(store, locker, config.expireAfter, this.#completion);
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
   * this process still receives a body for the upload, it first waits for that body: right after a cut,
   * the body's last bytes are still in the socket buffers (or behind a busy disk), and a client told the
   * older offset would send them again, into a 409. A body the store holds (its bytes wait here) is waited
   * for up to HELD_WAIT_MS; one that got bytes lately, up to STATUS_WAIT_MS for its end (a live body goes
   * on, and status answers its checkpoint); a quiet one (maybe a dead connection) not at all.
   */
  async offset(key: string): Promise<number> {
    const deadline = performance.now() + HELD_WAIT_MS;
    let body = this.#receiving.get(key);
    while (body && held(body) && performance.now() < deadline) {
      await endedWithin(body, RECEIVING_MS);
      body = this.#receiving.get(key);
    }
    if (body && !body.over && performance.now() - body.activeAt < RECEIVING_MS)
      await endedWithin(body, STATUS_WAIT_MS);
    return this.locker.offset(key, () => this.store.offset(key));
  }

  /**
   * Where a body this process is receiving for the upload started, when `start` is at or below it and that
   * body is not quiet enough to be taken over: a request from there (a browser's silent re-send of a cut
   * request) can store nothing new, and is refused at once instead of piling its body up behind the lock.
   */
  #overtaken(key: string, start: number): number | undefined {
    const body = this.#receiving.get(key);
    // A body that brought nothing yet (cut at its first byte, or still waiting for the lock) may end where
    // it started: a request from there may be right, and waits for the lock instead.
    const moved = body && (body.moved || body.source.readableLength > 0);
    return moved && start <= body.start && performance.now() - body.activeAt < this.config.takeoverAfter
      ? body.start
      : undefined;
  }

  /** An upload created by `create`: not-found and gone are problems. */
  async find(key: string): Promise<UploadState & { record: UploadRecord | null }> {
    const state = await this.store.inspect(key);
    if (!state.record && !state.complete) throw new UploadProblem('not-found', 'Upload not found');
    if (!state.complete && (await this.#expiry.expired(key))) {
      await this.#expiry.removeIfIdle(key);
      throw new UploadProblem('gone', 'Upload expired');
    }
    return state;
  }

  /** When an incomplete upload expires if nothing more arrives (ms since the epoch). */
  expiresAt(key: string): Promise<number | undefined> {
    return this.#expiry.expiresAt(key);
  }

  /** Records a new upload (tus and IETF creation); a size of 0 completes it at once. */
  async create(key: string, record: Omit<UploadRecord, 'createdAt'>): Promise<void> {
    this.#checkLimit(record.size, 'Upload-Length');
    await this.#initialized;
    await this.store.writeRecord(key, { ...record, createdAt: new Date().toISOString() });
  }

  /** Appends one body, completing the upload when it reaches its size. */
  async append(key: string, request: AppendRequest): Promise<AppendOutcome> {
    // A browser re-sends a cut request by itself, with its old start, while the cut body still drains here.
    const at = this.#overtaken(key, request.start);
    if (at !== undefined)
      throw new UploadProblem('offset-mismatch', 'Another request is writing this upload', at);
    // Known before the lock: a status asked while this request still waits for it (a cut body whose bytes
    // Node holds) waits for its end, instead of answering an offset this request is about to pass.
    const body = receiving(request.start, request.body);
    if (!this.#receiving.has(key)) this.#receiving.set(key, body);
    try {
      return await this.#append(key, request, body);
    } finally {
      this.#received(key, body);
    }
  }

  /**
   * The steps of an append: acquire, check state (found, not expired) and size, receive, settle the end,
   * complete. Nothing is awaited before the lock is asked for, so requests take it in the order they came.
   */
  async #append(key: string, request: AppendRequest, body: Receiving): Promise<AppendOutcome> {
    const lease = await this.#acquire(key, request);
    try {
      const state = await this.store.inspect(key);
      if (state.complete) {
        lease.commit(state.complete.size);
        return await this.#completion.again(key, state, request);
      }
      lease.commit(state.offset);
      if (state.record && !request.create && (await this.#expiry.removeIfExpired(key))) {
        throw new UploadProblem('gone', 'Upload expired');
      }
      const { record, size } = await this.#check(key, state, request);
      const tap = this.#completion.running.open(key, record.createdAt, request.start, integrity(request));
      const { end, offset } = await this.#receive(key, request, size, lease, body, tap);
      this.#refuse(end, size, offset, request.sizeName);
      if (end !== 'end') return { offset, size, complete: false, answered: false };
      return await this.#complete(key, request, record, offset, lease);
    } finally {
      lease.release();
    }
  }

  /** The upload's lock; another request holding it is appending: answer the offset it started from. */
  async #acquire(key: string, request: AppendRequest): Promise<Lease> {
    const { config } = this;
    const lease = await this.locker.acquire(
      key,
      config.lockWait,
      request.takeoverAfter ?? config.takeoverAfter,
    );
    // The offset it started from is the last one made durable.
    if (!lease) {
      throw new UploadProblem('busy', 'Another request is writing this upload', await this.offset(key));
    }
    return lease;
  }

  /**
   * Checks the request against the stored state and size, and records the upload (created now, or its
   * size first known now). Resolves with that record and the size the body may fill.
   */
  async #check(
    key: string,
    state: UploadState,
    request: AppendRequest,
  ): Promise<{ record: UploadRecord; size: number | null }> {
    const record = state.record ?? (request.create ? null : undefined);
    if (record === undefined) throw new UploadProblem('not-found', 'Upload not found');
    const { start, bodyLength, sizeName } = request;
    const size = this.#statedSize(request, record?.size ?? null, state.offset);
    this.#checkLimit(size, sizeName);
    if (size !== null && bodyLength !== undefined && start + bodyLength > size) {
      throw new UploadProblem('past-size', `Body runs past ${sizeName}`);
    }
    const current: UploadRecord = record ?? { ...request.create!, size, createdAt: new Date().toISOString() };
    if (record && (current.size !== null || size === null)) return { record: current, size };
    const updated = { ...current, size };
    await this.store.writeRecord(key, updated);
    return { record: updated, size };
  }

  /**
   * Streams the body into the store. Its bytes keep the lease alive, its checkpoints are committed, and
   * the offset it ends at is acknowledged only while the lease is still valid (a body that did not end
   * has nobody to answer). `tap`, the upload's running digest, sees the bytes and hears what was kept.
   */
  async #receive(
    key: string,
    request: AppendRequest,
    size: number | null,
    lease: Lease,
    body: Receiving,
    tap: RunningTap | undefined,
  ): Promise<{ end: BodyEnd; offset: number }> {
    const { config } = this;
    const { start } = request;
    // A newer request for this upload may stop this one once it goes quiet (its connection is likely dead).
    lease.onTakeover(() => request.body.destroy());
    body.activeAt = performance.now();
    this.#receiving.set(key, body);
    const { end, written } = await this.store
      .append(key, request.body, {
        start,
        limit: Math.min(size ?? Infinity, config.maxSize) - start,
        idleTimeout: config.idleTimeout,
        syncInterval: config.syncInterval,
        digest: request.digest,
        tap: tap?.feed,
        onActivity: () => {
          body.activeAt = performance.now();
          body.moved = true;
          lease.touch();
        },
        onDurable: (offset) => lease.commit(offset),
        onEnded: () => {
          body.finish();
          lease.settle();
        },
      })
      .then(
        (result) => {
          tap?.settle(result.written);
          return result;
        },
        (err: unknown) => {
          tap?.settle(undefined);
          throw err;
        },
      )
      .finally(() => this.#received(key, body));
    const offset = start + written;
    lease.commit(offset);
    if (end !== 'aborted' && end !== 'stalled') await fenced(lease);
    return { end, offset };
  }

  /** A body that ran past its limit or whose digest did not match: refused, with the offset to go on from. */
  #refuse(end: BodyEnd, size: number | null, offset: number, sizeName: string): void {
    const { maxSize } = this.config;
    if (end === 'overflow') {
      const what = size !== null && size <= maxSize ? sizeName : `the limit of ${maxSize} bytes`;
      throw new UploadProblem('past-size', `Body runs past ${what}`, offset);
    }
    if (end === 'mismatch') {
      throw new UploadProblem(
        'digest-mismatch',
        'Checksum mismatch: nothing of this request was kept',
        offset,
      );
    }
  }

  /**
   * The body ended at `offset`: a final body without a known size makes that the size; an upload that
   * reaches its size is checked whole, completed in the store, and delivered to onComplete.
   */
  async #complete(
    key: string,
    request: AppendRequest,
    record: UploadRecord,
    offset: number,
    lease: Lease,
  ): Promise<AppendOutcome> {
    let current = record;
    if (request.final && current.size === null) {
      current = { ...current, size: offset };
      await this.store.writeRecord(key, current);
    }
    const { size } = current;
    if (size === null || offset !== size) return { offset, size, complete: false, answered: true };
    await fenced(lease);
    const { location, sha256 } = await this.#completion.complete(key, current, request.reprDigest);
    lease.commit(size);
    await this.#completion.deliver(key, current, size, location, sha256);
    return { offset, size, complete: true, answered: true, ...(sha256 && { sha256 }) };
  }

  /** The body is over: status stops waiting for it. */
  #received(key: string, body: Receiving): void {
    body.finish();
    if (this.#receiving.get(key) === body) this.#receiving.delete(key);
  }

  /** Deletes an upload, complete or not (tus termination, IETF cancellation), stopping a writer first. */
  async terminate(key: string): Promise<void> {
    const lease = await this.locker.acquire(key, this.config.lockWait, 0);
    if (!lease) throw new UploadProblem('busy', 'Another request is writing this upload');
    try {
      await this.find(key);
      await this.#completion.remove(key);
    } finally {
      lease.release();
    }
  }

  /** Deletes expired incomplete uploads now; resolves with how many were removed. */
  sweep(): Promise<number> {
    const once = async (): Promise<number> => {
      await this.#initialized;
      return this.#expiry.sweep();
    };
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
}

/** The upload will be checked against a SHA-256: this body carries one of its own, or the file's. */
const integrity = (request: AppendRequest): boolean =>
  request.digest?.algorithm === 'sha256' || request.reprDigest?.algorithm === 'sha256';

/** A writer that lost its lease (expired, or passed to another instance) acknowledges and completes nothing. */
async function fenced(lease: Lease): Promise<void> {
  if (!(await lease.valid())) {
    throw new LockUnavailableError('This request lost its lock on the upload; ask for the offset and resume');
  }
}
