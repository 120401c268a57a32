import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AppendOptions, AppendResult, BodyEnd } from '../types.js';
import type { S3Bucket, StoredPart } from './client.js';

/** S3's smallest part (all but the last). */
export const MIN_PART = 5 * 1024 * 1024;

/** Where one upload lives in the bucket. */
export interface UploadObjects {
  /** The multipart upload's key, and the completed object's. */
  object: string;
  /** The staged bytes after the last part (fewer than MIN_PART), with `x-amz-meta-parts` = parts before them. */
  staging: string;
  /** Objects holding a body with a digest until it is verified: `<tempPrefix><random>-<n>`. */
  tempPrefix: string;
}

/** What S3 holds for an incomplete upload. */
export interface Progress {
  uploadId: string | undefined;
  parts: StoredPart[];
  /** Bytes in the parts. */
  partsEnd: number;
  /** Staged bytes that count (the staging object names as many parts as there are), else 0. */
  staged: number;
  offset: number;
}

/** The staging object's metadata: how many parts precede its bytes; with more parts than that, it is stale. */
export const stagingMetadata = (parts: number): Record<string, string> => ({ parts: String(parts) });

/**
 * Streams `body` into the upload: every `partSize` bytes become a part (sent while the next ones arrive), and
 * the bytes left when the body ends are staged (or, from MIN_PART on, a part too). A part that returned is
 * durable and reported with onDurable. Memory per upload: one part being sent plus one filling, so about
 * 2 x partSize. With a digest, parts go to temporary objects until the body is verified, then are copied
 * into the upload by S3 (UploadPartCopy); a body that does not match, or is cut, keeps nothing.
 */
export async function appendS3(
  bucket: S3Bucket,
  objects: UploadObjects,
  progress: Progress,
  body: Readable,
  options: AppendOptions,
  partSize: number,
): Promise<AppendResult> {
  const { start, digest } = options;
  if (progress.offset !== start) {
    throw new Error(`S3 store: append at ${start}, but the upload is at ${progress.offset}`);
  }
  const hash = digest ? createHash(digest.algorithm) : undefined;
  const staged = progress.staged > 0 ? await bucket.get(objects.staging) : undefined;
  if (progress.staged > 0 && staged?.length !== progress.staged) {
    throw new Error('S3 store: the staged bytes changed while being read');
  }
  let uploadId = progress.uploadId;
  const parts = [...progress.parts];
  let partsEnd = progress.partsEnd;
  let ended = false;
  /** Digest mode: the verified body's parts, waiting in temporary objects. */
  const pending: Array<{ key: string; size: number }> = [];
  const tempBase = `${objects.tempPrefix}${randomBytes(6).toString('hex')}-`;

  const sendPart = async (part: Buffer): Promise<void> => {
    if (hash) {
      const key = `${tempBase}${pending.length + 1}`;
      await bucket.put(key, part);
      pending.push({ key, size: part.length });
      return;
    }
    uploadId ??= await bucket.createUpload(objects.object);
    parts.push(await bucket.uploadPart(objects.object, uploadId, parts.length + 1, part));
    partsEnd += part.length;
    // The part holds the staged bytes too: from now on the staging object names fewer parts and is stale.
    if (!ended) options.onDurable?.(partsEnd);
  };

  const dropPending = (): Promise<unknown> => Promise.all(pending.map((p) => bucket.delete(p.key)));
  try {
    const { end: bodyEnd, rest } = await pump(body, staged, partSize, options, hash, sendPart);
    let end = bodyEnd;
    ended = true;
    options.onEnded?.();
    if (hash) {
      if (!(end === 'end' && hash.digest().equals(digest!.value))) {
        // A body that can't be verified (cut) or does not match keeps nothing.
        if (end === 'end') end = 'mismatch';
        await dropPending();
        return { end, written: 0 };
      }
      // Verified: the parts waiting in temporary objects become the upload's, in order.
      for (const { key, size } of pending) {
        uploadId ??= await bucket.createUpload(objects.object);
        parts.push(await bucket.copyPart(objects.object, uploadId, parts.length + 1, key, size));
        partsEnd += size;
      }
      await dropPending();
    }
    // Parts sent before the overflow are durable (and were announced); nothing else of this body is kept.
    if (end === 'overflow') return { end, written: Math.max(0, partsEnd - start) };
    const remainder = Buffer.concat(rest);
    const received = partsEnd + remainder.length - start;
    if (received === 0) return { end, written: 0 };
    let stage = remainder;
    if (remainder.length >= MIN_PART) {
      uploadId ??= await bucket.createUpload(objects.object);
      parts.push(await bucket.uploadPart(objects.object, uploadId, parts.length + 1, remainder));
      partsEnd += remainder.length;
      stage = Buffer.alloc(0);
    }
    // Written even when empty: it marks the stale staged bytes as used and dates the upload's last change.
    await bucket.put(objects.staging, stage, stagingMetadata(parts.length));
    return { end, written: partsEnd + stage.length - start };
  } catch (err) {
    await dropPending().catch(() => undefined);
    throw err;
  }
}

/**
 * Reads `body` into part-sized buffers, handing each to `send` (one at a time: while one is sent, the next
 * fills, and the body pauses once that is full too). Resolves with how the body ended and the bytes not sent.
 */
function pump(
  req: Readable,
  staged: Buffer | undefined,
  partSize: number,
  options: AppendOptions,
  hash: Hash | undefined,
  send: (part: Buffer) => Promise<void>,
): Promise<{ end: BodyEnd; rest: Buffer[] }> {
  let chunks: Buffer[] = staged ? [staged] : [];
  let buffered = staged?.length ?? 0;
  if (req.readableEnded) return Promise.resolve({ end: 'end', rest: chunks });
  if (req.destroyed) return Promise.resolve({ end: 'aborted', rest: chunks });
  const { limit, idleTimeout } = options;
  return new Promise((resolve, reject) => {
    let received = 0;
    let sending = false;
    let end: BodyEnd | undefined;

    const timer =
      idleTimeout > 0 && idleTimeout < 2 ** 31
        ? setTimeout(function idle() {
            // Paused while a part is sent: the quiet is ours, not the client's.
            if (sending && req.isPaused()) return void timer?.refresh();
            stop('stalled');
            req.destroy();
          }, idleTimeout)
        : undefined;

    const stop = (why: BodyEnd): void => {
      end ??= why;
      if (why === 'overflow') {
        chunks = [];
        buffered = 0;
      }
      void drain();
    };
    const onData = (chunk: Buffer): void => {
      if (end) return;
      timer?.refresh();
      options.onActivity?.();
      if (chunk.length > limit - received) return stop('overflow');
      received += chunk.length;
      hash?.update(chunk);
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered >= partSize) {
        if (sending) req.pause();
        void drain();
      }
    };
    // Node drops a destroyed request's buffer: take what it parsed but had not handed over yet.
    const onAborted = (): void => {
      while (req.read() !== null);
    };
    const onEnd = (): void => stop('end');
    const onClose = (): void => stop('aborted');
    const onError = (): void => stop('aborted');
    const cleanup = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('aborted', onAborted);
      req.off('end', onEnd);
      req.off('close', onClose);
    };

    async function drain(): Promise<void> {
      if (sending) return;
      sending = true;
      try {
        while (buffered >= partSize) {
          const part = Buffer.concat(chunks, buffered);
          chunks = [];
          buffered = 0;
          if (!end) req.resume();
          await send(part);
          timer?.refresh();
        }
      } catch (err) {
        cleanup();
        reject(err);
        return;
      } finally {
        sending = false;
      }
      if (end) {
        cleanup();
        resolve({ end, rest: chunks });
      }
    }

    req.on('data', onData);
    req.on('aborted', onAborted);
    req.on('end', onEnd);
    req.on('close', onClose);
    // 'close' follows any error; a listener that stays keeps a late reset from becoming an uncaught error.
    req.on('error', onError);
    req.resume();
  });
}
