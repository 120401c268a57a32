import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { AppendOptions, AppendResult, BodyEnd } from '../types.js';

/**
 * Every this many bytes written, an fsync starts in the background (never two at once). Without it the
 * closing fsync of a 256 MiB body took 80 ms, all of it after the last byte arrived (measured, npm run bench).
 */
const SYNC_BYTES = 8 * 1024 * 1024;

/** Bytes queued in memory before the request is paused; also the largest single writev. */
const HIGH_WATER = 1024 * 1024;

/**
 * Streams a body into `path` from byte `options.start`, never past `start + limit`, fsyncing along the way and
 * once at the end. Bytes that arrived before a cut are kept (and fsynced); an overflowing body is truncated
 * back to its last checkpoint (`start` for most: they are checkpointed every 8 MiB and every syncInterval).
 * With a digest there are no checkpoints: the body is kept whole when it matches, else not at all.
 * Resolves only after the file is closed, so the caller may rename it.
 */
export async function appendFile(
  body: Readable,
  path: string,
  options: AppendOptions,
): Promise<AppendResult> {
  const { start, limit, idleTimeout, digest } = options;
  const hash = digest ? createHash(digest.algorithm) : undefined;
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
  let written = 0;
  let synced = 0;
  let checkpoint: Promise<void> | null = null;
  let ended = false;
  /** Starts an fsync of what is written so far, unless one runs; status may then answer that offset. */
  const sync = (): void => {
    if (hash || checkpoint || written === synced) return;
    const at = written; // written before the fsync starts, so durable once it returns
    checkpoint = file
      .datasync()
      .then(() => {
        synced = at;
        // Once the body is over, only the closing fsync's offset is worth announcing (the caller does).
        if (!ended) options.onDurable?.(start + at);
      })
      .catch(() => undefined)
      .finally(() => (checkpoint = null));
  };
  const interval = options.syncInterval ?? Infinity;
  // A long body is fsynced now and then, so status can answer its progress and a crash keeps it.
  const ticker = interval > 0 && interval < 2 ** 31 ? setInterval(sync, interval) : undefined;
  try {
    let end = await pump(body, file, start, limit, idleTimeout, {
      hash,
      written: (n) => {
        written += n;
        // The disk writes back while the body still arrives, so the last fsync finds little left.
        if (written - synced >= SYNC_BYTES) sync();
      },
      arrived: () => options.onActivity?.(),
    });
    clearInterval(ticker);
    ended = true;
    options.onEnded?.();
    await checkpoint;
    if (hash && !(end === 'end' && hash.digest().equals(digest!.value))) {
      // A body that can't be verified (cut) or that does not match keeps nothing.
      if (end === 'end') end = 'mismatch';
      await file.truncate(start);
      written = 0;
    } else if (end === 'overflow') {
      // Nothing of an overflowing request is kept, except what a checkpoint already made durable.
      await file.truncate(start + synced);
      written = synced;
    }
    await file.datasync();
    return { end, written };
  } catch (err) {
    // A failed write (e.g. ENOSPC) may have left part of a buffer: keep only what is known to be whole
    // (with a digest, nothing: the body can no longer be verified).
    await file.truncate(start + (hash ? 0 : written)).catch(() => undefined);
    await file.datasync().catch(() => undefined);
    throw err;
  } finally {
    clearInterval(ticker);
    await checkpoint;
    await file.close();
  }
}

function pump(
  req: Readable,
  file: FileHandle,
  start: number,
  limit: number,
  idleTimeout: number,
  on: { hash: Hash | undefined; written: (n: number) => void; arrived: () => void },
): Promise<BodyEnd> {
  if (req.readableEnded) return Promise.resolve('end');
  if (req.destroyed) return Promise.resolve('aborted');
  return new Promise((resolve, reject) => {
    let queue: Buffer[] = [];
    let queued = 0;
    let received = 0;
    let position = start;
    let writing = false;
    let end: BodyEnd | undefined;

    const timer =
      idleTimeout > 0 && idleTimeout < 2 ** 31
        ? setTimeout(() => {
            stop('stalled');
            req.destroy();
          }, idleTimeout)
        : undefined;

    const stop = (why: BodyEnd): void => {
      end ??= why;
      if (why === 'overflow') {
        queue = [];
        queued = 0;
      }
      void drain();
    };
    const onData = (chunk: Buffer): void => {
      if (end) return;
      timer?.refresh();
      on.arrived();
      if (chunk.length > limit - received) return stop('overflow');
      received += chunk.length;
      queue.push(chunk);
      queued += chunk.length;
      if (queued >= HIGH_WATER) req.pause();
      void drain();
    };
    // Node drops a destroyed request's buffer: take what it parsed but had not handed over yet.
    // 'aborted' is emitted while that buffer is still readable; read() re-emits it as 'data'.
    const onAborted = (): void => {
      while (req.read() !== null);
    };
    const onEnd = (): void => stop('end');
    const onClose = (): void => stop('aborted');
    const cleanup = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('aborted', onAborted);
      req.off('end', onEnd);
      req.off('close', onClose);
    };

    async function drain(): Promise<void> {
      if (writing) return;
      writing = true;
      try {
        while (queue.length > 0) {
          const chunks = queue;
          const n = queued;
          queue = [];
          queued = 0;
          if (!end) req.resume();
          // Counted per write: when the disk fills up mid-batch, every byte already written is kept.
          await writeAll(file, chunks, n, position, (k) => {
            position += k;
            on.written(k);
          });
          if (on.hash) for (const chunk of chunks) on.hash.update(chunk);
          timer?.refresh();
        }
      } catch (err) {
        cleanup();
        reject(err);
        return;
      } finally {
        writing = false;
      }
      if (end) {
        cleanup();
        resolve(end);
      }
    }

    req.on('data', onData);
    req.on('aborted', onAborted);
    req.on('end', onEnd);
    req.on('close', onClose);
    // 'close' follows any error; a listener that stays keeps a late reset from becoming an uncaught error.
    req.on('error', () => stop('aborted'));
    req.resume();
  });
}

async function writeAll(
  file: FileHandle,
  chunks: Buffer[],
  total: number,
  position: number,
  progress: (n: number) => void,
): Promise<void> {
  let buffers = chunks;
  let done = 0;
  while (done < total) {
    const { bytesWritten } = await file.writev(buffers, position + done);
    done += bytesWritten;
    progress(bytesWritten);
    if (done < total) buffers = [Buffer.concat(buffers).subarray(bytesWritten)];
  }
}
