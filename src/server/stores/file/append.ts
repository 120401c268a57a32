import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BodyPump } from '../body.js';
import type { BodySink } from '../body.js';
import type { AppendOptions, AppendResult } from '../types.js';

/**
 * Every this many bytes written, an fsync starts in the background (never two at once). Without it the
 * closing fsync of a 256 MiB body took 80 ms, all of it after the last byte arrived (measured, npm run bench).
 */
const SYNC_BYTES = 8 * 1024 * 1024;

/** Bytes queued in memory before the request is paused; also the largest single writev. */
const HIGH_WATER = 1024 * 1024;

/** Makes what was written to `file` durable before its offset is acknowledged or checkpointed. */
type DataSync = (file: FileHandle) => Promise<void>;

const datasync: DataSync = (file) => file.datasync();
/** `syncOnAcknowledge: false`: the offset is acknowledged once the bytes are written (in the page cache). */
const noSync: DataSync = () => Promise.resolve();

/**
 * Streams a body into `path` from byte `options.start`, never past `start + limit`, fsyncing along the way and
 * once at the end. Bytes that arrived before a cut are kept (and fsynced); an overflowing body is truncated
 * back to its last checkpoint (`start` for most: they are checkpointed every 8 MiB and every syncInterval).
 * With a digest there are no checkpoints: the body is kept whole when it matches, else not at all.
 * Resolves only after the file is closed, so the caller may rename it. With `syncOnAcknowledge` false, none
 * of those fsyncs runs (see FileStoreOptions); the checkpoints still let status report the written offset.
 */
export async function appendFile(
  body: Readable,
  path: string,
  options: AppendOptions,
  syncOnAcknowledge = true,
): Promise<AppendResult> {
  const { start } = options;
  const sync = syncOnAcknowledge ? datasync : noSync;
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
  const pump = new BodyPump(body, options);
  const disk = new DiskWriter(file, options, () => pump.changed(), sync);
  try {
    const end = await pump.run(disk);
    disk.ended();
    options.onEnded?.();
    await disk.checkpoint;
    if (options.digest && end !== 'end') {
      // A body that can't be verified (cut) or that does not match keeps nothing.
      await disk.keep(0);
    } else if (end === 'overflow') {
      // Nothing of an overflowing request is kept, except what a checkpoint already made durable.
      await disk.keep(disk.synced);
    }
    await sync(file);
    return { end, written: disk.written };
  } catch (err) {
    // A failed write (e.g. ENOSPC) may have left part of a buffer: keep only what is known to be whole
    // (with a digest, nothing: the body can no longer be verified).
    await file.truncate(start + (options.digest ? 0 : disk.written)).catch(() => undefined);
    await sync(file).catch(() => undefined);
    throw err;
  } finally {
    disk.stopTicker();
    await disk.checkpoint;
    await file.close();
  }
}

/** The file store's sink: writes what arrives in batches, in order, and fsyncs now and then (checkpoints). */
class DiskWriter implements BodySink {
  /** Bytes written from `start`. */
  written = 0;
  /** Bytes known durable from `start`. */
  synced = 0;
  /** The running background fsync, if any. */
  checkpoint: Promise<void> | null = null;
  failure: unknown = undefined;
  readonly #file: FileHandle;
  readonly #options: AppendOptions;
  readonly #changed: () => void;
  readonly #sync: DataSync;
  readonly #ticker: ReturnType<typeof setInterval> | undefined;
  #queue: Buffer[] = [];
  #queued = 0;
  #writing = false;
  #ended = false;

  constructor(file: FileHandle, options: AppendOptions, changed: () => void, sync: DataSync) {
    this.#file = file;
    this.#options = options;
    this.#changed = changed;
    this.#sync = sync;
    const interval = options.syncInterval ?? Infinity;
    // A long body is fsynced now and then, so status can answer its progress and a crash keeps it.
    if (interval > 0 && interval < 2 ** 31) this.#ticker = setInterval(() => this.#checkpoint(), interval);
  }

  get backlogged(): boolean {
    return this.#queued >= HIGH_WATER;
  }

  get idle(): boolean {
    return !this.#writing && (this.#queue.length === 0 || this.failure !== undefined);
  }

  take(chunk: Buffer): void {
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    void this.#drain();
  }

  drop(): void {
    this.#queue = [];
    this.#queued = 0;
  }

  /** The body is over: no more checkpoints (only the closing fsync's offset is worth announcing). */
  ended(): void {
    this.#ended = true;
    this.stopTicker();
  }

  stopTicker(): void {
    clearInterval(this.#ticker);
  }

  /** Truncates the file to `start + bytes`: all that is kept of this body. */
  async keep(bytes: number): Promise<void> {
    await this.#file.truncate(this.#options.start + bytes);
    this.written = bytes;
  }

  /** Writes the queue in batches while it fills; each batch taken frees the body to send more. */
  async #drain(): Promise<void> {
    if (this.#writing || this.failure !== undefined) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const chunks = this.#queue;
        const n = this.#queued;
        this.#queue = [];
        this.#queued = 0;
        this.#changed();
        await this.#writeAll(chunks, n);
      }
    } catch (err) {
      this.failure = err;
    } finally {
      this.#writing = false;
    }
    this.#changed();
  }

  /** Counted per write: when the disk fills up mid-batch, every byte already written is kept. */
  async #writeAll(chunks: Buffer[], total: number): Promise<void> {
    let buffers = chunks;
    let done = 0;
    while (done < total) {
      const { bytesWritten } = await this.#file.writev(buffers, this.#options.start + this.written);
      done += bytesWritten;
      this.written += bytesWritten;
      // The disk writes back while the body still arrives, so the last fsync finds little left.
      if (this.written - this.synced >= SYNC_BYTES) this.#checkpoint();
      if (done < total) buffers = [Buffer.concat(buffers).subarray(bytesWritten)];
    }
  }

  /** Starts an fsync of what is written so far, unless one runs; status may then answer that offset. */
  #checkpoint(): void {
    if (this.#options.digest || this.checkpoint || this.written === this.synced) return;
    const at = this.written; // written before the fsync starts, so durable once it returns
    this.checkpoint = this.#sync(this.#file)
      .then(() => {
        this.synced = at;
        if (!this.#ended) this.#options.onDurable?.(this.#options.start + at);
      })
      .catch(() => undefined)
      .finally(() => (this.checkpoint = null));
  }
}
