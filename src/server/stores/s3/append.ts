import { randomBytes } from 'node:crypto';
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

/** Digest mode: one of the body's parts, waiting in a temporary object until the body is verified. */
interface TempPart {
  key: string;
  size: number;
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
  const { start } = options;
  if (progress.offset !== start) {
    throw new Error(`S3 store: append at ${start}, but the upload is at ${progress.offset}`);
  }
  const staged = await readStaged(bucket, objects, progress);
  const upload = new S3Append(bucket, objects, progress, options);
  const writer = upload.writer(plan);
  try {
    const { end, rest } = await pump(body, staged, plan.partSize, options, writer);
    writer.release();
    options.onEnded?.();
    // Every part that needed it waited for it, and they all returned.
    await upload.created();
    if (options.digest && end !== 'end') {
      // A body that can't be verified (cut) or does not match keeps nothing.
      await upload.dropTemps();
      return { end, written: 0 };
    }
    await upload.keepParts(writer, plan.concurrency);
    // Parts sent before the overflow are durable (and were announced); nothing else of this body is kept.
    if (end === 'overflow') return { end, written: Math.max(0, upload.partsEnd - start) };
    return { end, written: await upload.stage(Buffer.concat(rest)) };
  } catch (err) {
    await upload.dropTemps().catch(() => undefined);
    throw err;
  }
}

/**
 * The staged bytes that count (undefined when none). Parts past a gap (a failed body's strays) are listed as
 * stale before a part fills the gap, so they never count; the staged bytes keep counting exactly as they did.
 */
async function readStaged(
  bucket: S3Bucket,
  objects: UploadObjects,
  progress: Progress,
): Promise<Buffer | undefined> {
  const staged = progress.staged > 0 ? await bucket.get(objects.staging) : undefined;
  if (progress.staged > 0 && staged?.length !== progress.staged) {
    throw new Error('S3 store: the staged bytes changed while being read');
  }
  if (progress.strays.length > 0) {
    const metadata = stagingMetadata(progress.parts.length, progress.strays);
    await bucket.put(objects.staging, staged ?? Buffer.alloc(0), metadata);
  }
  return staged;
}

/** One body's way into a multipart upload: its parts, the upload they join, and what is staged after. */
class S3Append {
  readonly #bucket: S3Bucket;
  readonly #objects: UploadObjects;
  readonly #progress: Progress;
  readonly #options: AppendOptions;
  #uploadId: string | undefined;
  /** One CreateMultipartUpload, however many parts start before it returns. */
  #creating: Promise<string> | undefined;
  /** The upload's parts: those that count, then this body's. */
  readonly #parts: StoredPart[];
  readonly #first: number;
  readonly #tempBase: string;
  readonly #temps: TempPart[] = [];

  constructor(bucket: S3Bucket, objects: UploadObjects, progress: Progress, options: AppendOptions) {
    this.#bucket = bucket;
    this.#objects = objects;
    this.#progress = progress;
    this.#options = options;
    this.#uploadId = progress.uploadId;
    this.#parts = [...progress.parts];
    this.#first = this.#parts.length + 1;
    this.#tempBase = `${objects.tempPrefix}${randomBytes(6).toString('hex')}-`;
  }

  /** Bytes in the upload's parts. */
  get partsEnd(): number {
    return this.#parts.reduce((sum, part) => sum + part.size, 0);
  }

  /** Sends the body's parts (to temporary objects with a digest) and announces the durable prefix. */
  writer(plan: PartPlan): PartWriter<StoredPart | TempPart> {
    const { digest, onDurable } = this.#options;
    let announced = 0;
    let durableEnd = this.#progress.partsEnd;
    return new PartWriter<StoredPart | TempPart>({
      concurrency: plan.concurrency,
      partSize: plan.partSize,
      send: async (part, index) => {
        if (!digest)
          return this.#bucket.uploadPart(
            this.#objects.object,
            await this.#upload(),
            this.#first + index,
            part,
          );
        const temp = { key: `${this.#tempBase}${index + 1}`, size: part.length };
        this.#temps[index] = temp;
        await this.#bucket.put(temp.key, part);
        return temp;
      },
      onConfirmed: (confirmed) => {
        if (digest) return;
        while (announced < confirmed.length) durableEnd += (confirmed[announced++] as StoredPart).size;
        // The parts hold the staged bytes too: from now on the staging object names fewer parts and is stale.
        onDurable?.(durableEnd);
      },
    });
  }

  async created(): Promise<void> {
    if (this.#creating) this.#uploadId = await this.#creating;
  }

  /** The body's parts join the upload: the confirmed ones, or (verified) the temporary ones, copied by S3. */
  async keepParts(writer: PartWriter<StoredPart | TempPart>, concurrency: number): Promise<void> {
    if (!this.#options.digest) {
      this.#parts.push(...(writer.confirmed as StoredPart[]));
      return;
    }
    const id = await this.#upload();
    const temps = this.#temps;
    const copied = await runLimited(temps.length, concurrency, (i) =>
      this.#bucket.copyPart(this.#objects.object, id, this.#first + i, temps[i]!.key, temps[i]!.size),
    );
    this.#parts.push(...copied);
    await this.dropTemps();
  }

  /**
   * Stages the bytes after the last part (from MIN_PART on, they become a part too) and resolves with the
   * bytes this body stored. The staging object is written even when empty: it marks the stale staged bytes
   * as used and dates the upload's last change.
   */
  async stage(remainder: Buffer): Promise<number> {
    const { start } = this.#options;
    let partsEnd = this.partsEnd;
    if (partsEnd + remainder.length - start === 0) return 0;
    let stage = remainder;
    if (remainder.length >= MIN_PART) {
      const part = this.#parts.length + 1;
      this.#parts.push(
        await this.#bucket.uploadPart(this.#objects.object, await this.#upload(), part, remainder),
      );
      partsEnd += remainder.length;
      stage = Buffer.alloc(0);
    }
    const metadata = stagingMetadata(this.#parts.length, this.#progress.strays);
    await this.#bucket.put(this.#objects.staging, stage, metadata);
    return partsEnd + stage.length - start;
  }

  dropTemps(): Promise<unknown> {
    return Promise.all(this.#temps.map((t) => this.#bucket.delete(t.key)));
  }

  #upload(): Promise<string> {
    const id = this.#uploadId;
    return id ? Promise.resolve(id) : (this.#creating ??= this.#bucket.createUpload(this.#objects.object));
  }
}
