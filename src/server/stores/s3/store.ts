import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type {
  AppendOptions,
  AppendResult,
  StoredLocation,
  UploadRecord,
  UploadState,
  UploadStore,
} from '../types.js';
import { appendS3 } from './append.js';
import { S3Bucket } from './client.js';
import { MIN_PART, progressOf } from './layout.js';
import type { Progress, UploadObjects } from './layout.js';

const KEY = /^[0-9a-f]{64}$/;
const LISTED = /^([0-9a-f]{64})\.(json|part)$/;
const TEMP = /^[0-9a-f]{64}\.digest-/;

export interface S3StoreOptions {
  /** The bucket; it must exist (`init` checks that it can be reached). */
  bucket: string;
  /**
   * Key prefix of every object the store writes (`uploads` puts a completed upload at `uploads/<key>`).
   * @default ''
   */
  prefix?: string;
  /**
   * URL of an S3-compatible service (Ceph RGW, MinIO, R2, ...); unset means AWS.
   * @default undefined
   */
  endpoint?: string;
  /**
   * @default process.env.AWS_REGION, else 'us-east-1'
   */
  region?: string;
  /**
   * Unset: the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles).
   * @default undefined
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Path-style URLs (`endpoint/bucket/key`), which most S3-compatible services need.
   * @default true when `endpoint` is set
   */
  forcePathStyle?: boolean;
  /**
   * Bytes per multipart part (at least 5 MiB). Status reports progress of a running body in steps of this
   * size. Memory per upload being written: see `partConcurrency`.
   * @default 8388608 (8 MiB)
   */
  partSize?: number;
  /**
   * Parts of one body sent to S3 at once while the body keeps arriving (1 to 16). Memory per upload being
   * written is at most `partSize x (partConcurrency + 1)`: the parts in flight plus the one filling; when
   * it is full, the request is paused until a part returns. Parts may return in any order; an offset is
   * acknowledged only up to the last part before which every part returned.
   * @default 3 (32 MiB per upload with the default part size)
   */
  partConcurrency?: number;
}

/** The defaults of S3StoreOptions (one source: the store, the CLI and the bench read them here). */
export const S3_STORE_DEFAULTS = { partSize: 8 * 1024 * 1024, partConcurrency: 3 } as const;

/**
 * Uploads in S3 (or any S3-compatible service) on multipart uploads; every instance over the same bucket and
 * prefix sees the same state, since all of it is in S3. Layout under `prefix`, with key = the service's
 * 64-hex key:
 *   <key>             the multipart upload while incomplete, the completed object after
 *   <key>.part        staged bytes after the last part (fewer than 5 MiB, S3's part minimum);
 *                     `x-amz-meta-parts` says how many parts precede them: with more parts, it is stale;
 *                     `x-amz-meta-stale` lists a failed body's parts that must never count (layout.ts)
 *   <key>.json        the record while incomplete, and until onComplete succeeded (from just before completion
 *                     until then, with the client's Repr-Digest, checked against the completed object)
 *   <key>.done.json   the record once onComplete succeeded (with completedAt)
 *   <key>.digest-*    a body with a digest, until it is verified (see appendS3)
 * The offset is read from S3 every time: the sizes of the parts numbered 1..n without a gap (ListParts) plus
 * the staged bytes that count.
 * `@aws-sdk/client-s3` is loaded by `init`, so it is needed only where an S3Store is used.
 */
export class S3Store implements UploadStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly partSize: number;
  readonly partConcurrency: number;
  readonly #options: S3StoreOptions;
  #s3: S3Bucket | undefined;

  constructor(options: S3StoreOptions) {
    const partSize = options.partSize ?? S3_STORE_DEFAULTS.partSize;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART || partSize > 5 * 1024 ** 3) {
      throw new TypeError(`S3 store: partSize must be from 5 MiB to 5 GiB, got ${options.partSize}`);
    }
    const partConcurrency = options.partConcurrency ?? S3_STORE_DEFAULTS.partConcurrency;
    if (!Number.isInteger(partConcurrency) || partConcurrency < 1 || partConcurrency > 16) {
      throw new TypeError(`S3 store: partConcurrency must be from 1 to 16, got ${options.partConcurrency}`);
    }
    if (!options.bucket) throw new TypeError('S3 store: bucket is required');
    this.#options = options;
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.partSize = partSize;
    this.partConcurrency = partConcurrency;
  }

  async init(): Promise<void> {
    const o = this.#options;
    this.#s3 ??= await S3Bucket.connect(o.bucket, {
      endpoint: o.endpoint,
      region: o.region,
      credentials: o.credentials,
      forcePathStyle: o.forcePathStyle,
    });
    await this.#s3.check();
  }

  /** Closes the SDK's connections. */
  close(): void {
    this.#s3?.destroy();
    this.#s3 = undefined;
  }

  /** The S3 key of one of the store's objects. */
  objectKey(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  async offset(key: string): Promise<number> {
    const s3 = this.#bucket();
    const [done, object, progress] = await Promise.all([
      this.#readRecord(`${key}.done.json`),
      s3.head(this.objectKey(key)),
      this.#progress(key),
    ]);
    if (done?.size != null) return done.size;
    return object ? object.size : progress.offset;
  }

  async inspect(key: string): Promise<UploadState> {
    const [record, complete, progress] = await Promise.all([
      this.#readRecord(`${key}.json`),
      this.#completion(key),
      this.#progress(key),
    ]);
    return { record, offset: complete ? 0 : progress.offset, complete };
  }

  /** One PutObject: S3 replaces an object whole, so readers see the old record or the new one. */
  async writeRecord(key: string, record: UploadRecord): Promise<void> {
    await this.#putJson(`${key}.json`, record);
  }

  async append(key: string, body: Readable, options: AppendOptions): Promise<AppendResult> {
    const progress = await this.#progress(key);
    const plan = { partSize: this.partSize, concurrency: this.partConcurrency };
    return appendS3(this.#bucket(), this.#objects(key), progress, body, options, plan);
  }

  /** CompleteMultipartUpload (the staged bytes become the last part), or one PutObject under 5 MiB. */
  async complete(key: string): Promise<StoredLocation> {
    const s3 = this.#bucket();
    const { object, staging } = this.#objects(key);
    const progress = await this.#progress(key);
    const { uploadId } = progress;
    const parts = [...progress.parts];
    const staged = progress.staged > 0 ? await s3.get(staging) : undefined;
    if (staged && staged.length !== progress.staged) throw new Error('S3 store: staged bytes changed');
    if (uploadId && parts.length > 0) {
      if (staged) parts.push(await s3.uploadPart(object, uploadId, parts.length + 1, staged));
      await s3.completeUpload(object, uploadId, parts);
    } else {
      await s3.put(object, staged ?? Buffer.alloc(0));
      // A multipart upload without parts (created just before a crash) has nothing to give.
      if (uploadId) await s3.abortUpload(object, uploadId);
    }
    await s3.delete(staging);
    return this.location(key);
  }

  /**
   * Streams the completed object back through the hash: S3 cannot read an unfinished multipart upload's
   * parts, so the whole file is checked once it is complete (see UploadStore.digestComplete). Until the check
   * is done, the object is at its key already: readers of the bucket (not onComplete) may see it, and see it
   * go when it did not match. Only the fallback: where this process received every byte of the upload, the
   * service's running SHA-256 is checked before CompleteMultipartUpload instead, and a mismatching object
   * never appears at its key (src/server/running-digest.ts).
   */
  async digestComplete(key: string, algorithm: string): Promise<Buffer> {
    const hash = createHash(algorithm);
    const body = await this.#bucket().stream(this.objectKey(key));
    if (!body) throw new Error('S3 store: the completed object to check is missing');
    for await (const chunk of body) hash.update(chunk as Buffer);
    return hash.digest();
  }

  location(key: string): StoredLocation {
    const path = this.objectKey(key).split('/').map(encodeURIComponent).join('/');
    return { store: 's3', url: `s3://${this.bucket}/${path}` };
  }

  /** Records that onComplete succeeded: the record moves to `<key>.done.json`. */
  async finalize(key: string, record: UploadRecord): Promise<void> {
    await this.#putJson(`${key}.done.json`, { ...record, completedAt: new Date().toISOString() });
    await this.#bucket().delete(this.objectKey(`${key}.json`));
  }

  /** Aborts the multipart upload, then deletes the objects: bytes first, so a crash leaves only a record. */
  async remove(key: string): Promise<void> {
    const s3 = this.#bucket();
    const { object, staging, tempPrefix } = this.#objects(key);
    for (const upload of await s3.uploads(object)) {
      if (upload.key === object) await s3.abortUpload(object, upload.uploadId);
    }
    const temps: string[] = [];
    for await (const item of s3.list(tempPrefix)) temps.push(item.key);
    for (const name of [...temps, staging, object]) await s3.delete(name);
    await s3.delete(this.objectKey(`${key}.json`));
    await s3.delete(this.objectKey(`${key}.done.json`));
  }

  async list(): Promise<string[]> {
    const keys = new Set<string>();
    for await (const item of this.#bucket().list(this.#listPrefix())) {
      const match = LISTED.exec(this.#name(item.key));
      if (match) keys.add(match[1]!);
    }
    return [...keys];
  }

  /** When the staged bytes (written at the end of every append) or else the record last changed. */
  async lastModified(key: string): Promise<number | undefined> {
    const s3 = this.#bucket();
    const [staging, record] = await Promise.all([
      s3.head(this.objectKey(`${key}.part`)),
      s3.head(this.objectKey(`${key}.json`)),
    ]);
    if (!staging && !record) return undefined;
    return Math.max(staging?.modified ?? 0, record?.modified ?? 0);
  }

  /**
   * Removes leftovers older than `maxAge`: unverified digest bodies of crashed requests, and multipart
   * uploads nothing refers to (a second one for the same key, or one whose upload was removed halfway).
   */
  async cleanup(maxAge: number): Promise<void> {
    const s3 = this.#bucket();
    const now = Date.now();
    const names = new Set<string>();
    for await (const item of s3.list(this.#listPrefix())) {
      const name = this.#name(item.key);
      names.add(name);
      if (TEMP.test(name) && now - item.modified > maxAge) await s3.delete(item.key);
    }
    const seen = new Set<string>();
    for (const upload of await s3.uploads(this.#listPrefix())) {
      const name = this.#name(upload.key);
      if (!KEY.test(name)) continue;
      const first = !seen.has(name);
      seen.add(name);
      const live = names.has(`${name}.json`) || names.has(`${name}.part`);
      // The oldest upload of a key is the one its offset counts; a later one is a leftover of a race.
      if ((first && live) || now - upload.initiated <= maxAge) continue;
      await s3.abortUpload(upload.key, upload.uploadId);
    }
  }

  #bucket(): S3Bucket {
    if (!this.#s3) throw new Error('S3 store: init() has not run');
    return this.#s3;
  }

  #objects(key: string): UploadObjects {
    return {
      object: this.objectKey(key),
      staging: this.objectKey(`${key}.part`),
      tempPrefix: this.objectKey(`${key}.digest-`),
    };
  }

  #listPrefix(): string {
    return this.prefix ? `${this.prefix}/` : '';
  }

  #name(objectKey: string): string {
    return this.prefix ? objectKey.slice(this.prefix.length + 1) : objectKey;
  }

  /** What S3 holds for an incomplete upload; see the layout above. */
  async #progress(key: string): Promise<Progress> {
    const s3 = this.#bucket();
    const { object, staging } = this.#objects(key);
    const [uploads, stagingHead] = await Promise.all([s3.uploads(object), s3.head(staging)]);
    const uploadId = uploads.find((upload) => upload.key === object)?.uploadId;
    return progressOf(uploadId, uploadId ? await s3.parts(object, uploadId) : [], stagingHead);
  }

  async #completion(key: string): Promise<UploadState['complete']> {
    const [done, object] = await Promise.all([
      this.#readRecord(`${key}.done.json`),
      this.#bucket().head(this.objectKey(key)),
    ]);
    if (done?.size != null) return { size: done.size, notified: true };
    return object ? { size: object.size, notified: false } : null;
  }

  async #readRecord(name: string): Promise<UploadRecord | null> {
    const bytes = await this.#bucket().get(this.objectKey(name));
    if (!bytes) return null;
    try {
      const record = JSON.parse(bytes.toString('utf8')) as UploadRecord;
      return typeof record === 'object' && record !== null && typeof record.owner === 'string'
        ? record
        : null;
    } catch {
      // Written whole by PutObject, so only a hand edit gets here; treat it as absent.
      return null;
    }
  }

  async #putJson(name: string, value: unknown): Promise<void> {
    const body = Buffer.from(`${JSON.stringify(value)}\n`);
    await this.#bucket().put(this.objectKey(name), body, undefined, 'application/json');
  }
}
