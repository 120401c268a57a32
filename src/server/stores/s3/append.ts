import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AppendOptions, AppendResult } from '../types.js';
import type { S3Bucket, StoredPart } from './client.js';
import { MIN_PART, stagingMetadata } from './layout.js';
import type { Progress, UploadObjects } from './layout.js';
import { PartWriter, runLimited } from './parts.js';
import { pump } from './pump.js';

/** How the store cuts and sends a body. */
export interface PartPlan {
  partSize: number;
  /** Parts in flight at once. */
  concurrency: number;
}

/**
 * Streams `body` into the upload: every `partSize` bytes become a part, sent while the next ones arrive, up to
 * `concurrency` at once; the bytes left when the body ends are staged (or, from MIN_PART on, a part too).
 * Parts may return in any order; onDurable reports only the prefix of parts that have all returned, and a
 * part that fails fails the append once the others settled, leaving that prefix as the offset. Memory per
 * upload: at most partSize x (concurrency + 1), the parts in flight and one filling; the body is paused while
 * a full part waits for a slot. With a digest, parts go to temporary objects until the body is verified, then
 * are copied into the upload by S3 (UploadPartCopy); a body that does not match, or is cut, keeps nothing.
 */
export async function appendS3(
  bucket: S3Bucket,
  objects: UploadObjects,
  progress: Progress,
  body: Readable,
  options: AppendOptions,
  plan: PartPlan,
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
  const { strays } = progress;
  if (strays.length > 0) await markStale(bucket, objects, progress, staged);
  let uploadId = progress.uploadId;
  const parts = [...progress.parts];
  let partsEnd: number;
  // One CreateMultipartUpload, however many parts start before it returns.
  let creating: Promise<string> | undefined;
  const upload = (): Promise<string> =>
    uploadId ? Promise.resolve(uploadId) : (creating ??= bucket.createUpload(objects.object));
  const first = parts.length + 1;
  /** Digest mode: the body's parts, waiting in temporary objects until it is verified. */
  const tempBase = `${objects.tempPrefix}${randomBytes(6).toString('hex')}-`;
  const temps: Array<{ key: string; size: number }> = [];
  let announced = 0;
  let durableEnd = progress.partsEnd;

  const writer = new PartWriter<StoredPart | { key: string; size: number }>({
    concurrency: plan.concurrency,
    partSize: plan.partSize,
    send: async (part, index) => {
      if (hash) {
        const temp = { key: `${tempBase}${index + 1}`, size: part.length };
        temps[index] = temp;
        await bucket.put(temp.key, part);
        return temp;
      }
      return bucket.uploadPart(objects.object, await upload(), first + index, part);
    },
    onConfirmed: (confirmed) => {
      if (hash) return;
      while (announced < confirmed.length) durableEnd += (confirmed[announced++] as StoredPart).size;
      // The parts hold the staged bytes too: from now on the staging object names fewer parts and is stale.
      options.onDurable?.(durableEnd);
    },
  });
  const dropTemps = (): Promise<unknown> => Promise.all(temps.map((t) => bucket.delete(t.key)));
  try {
    const pumped = await pump(body, staged, plan.partSize, options, hash, writer);
    writer.release();
    options.onEnded?.();
    // Every part that needed it waited for it, and they all returned.
    if (creating) uploadId = await creating;
    let { end } = pumped;
    if (hash) {
      if (!(end === 'end' && hash.digest().equals(digest!.value))) {
        // A body that can't be verified (cut) or does not match keeps nothing.
        if (end === 'end') end = 'mismatch';
        await dropTemps();
        return { end, written: 0 };
      }
      // Verified: the parts waiting in temporary objects become the upload's, in order.
      uploadId = await upload();
      const id = uploadId;
      const copied = await runLimited(temps.length, plan.concurrency, (i) =>
        bucket.copyPart(objects.object, id, first + i, temps[i]!.key, temps[i]!.size),
      );
      parts.push(...copied);
      await dropTemps();
    } else {
      parts.push(...(writer.confirmed as StoredPart[]));
    }
    partsEnd = parts.reduce((sum, part) => sum + part.size, 0);
    // Parts sent before the overflow are durable (and were announced); nothing else of this body is kept.
    if (end === 'overflow') return { end, written: Math.max(0, partsEnd - start) };
    const remainder = Buffer.concat(pumped.rest);
    const received = partsEnd + remainder.length - start;
    if (received === 0) return { end, written: 0 };
    let stage = remainder;
    if (remainder.length >= MIN_PART) {
      uploadId = await upload();
      parts.push(await bucket.uploadPart(objects.object, uploadId, parts.length + 1, remainder));
      partsEnd += remainder.length;
      stage = Buffer.alloc(0);
    }
    // Written even when empty: it marks the stale staged bytes as used and dates the upload's last change.
    await bucket.put(objects.staging, stage, stagingMetadata(parts.length, strays));
    return { end, written: partsEnd + stage.length - start };
  } catch (err) {
    await dropTemps().catch(() => undefined);
    throw err;
  }
}

/**
 * Parts past a gap (a failed body's strays) are listed as stale before a part fills the gap, so they never
 * count; the staged bytes keep counting exactly as they did.
 */
async function markStale(
  bucket: S3Bucket,
  objects: UploadObjects,
  progress: Progress,
  staged: Buffer | undefined,
): Promise<void> {
  const metadata = stagingMetadata(progress.parts.length, progress.strays);
  await bucket.put(objects.staging, staged ?? Buffer.alloc(0), metadata);
}
