// Completing an upload: the whole file checked against the client's digest, onComplete delivered exactly
// once, and the one request a complete upload still answers (its lost last answer, asked again).
import type { Readable } from 'node:stream';
import type { CompletedUpload } from './options.js';
import { RunningDigests } from './running-digest.js';
import { UploadProblem } from './service-types.js';
import type { AppendOutcome, AppendRequest } from './service-types.js';
import type {
  ExpectedDigest,
  StoredLocation,
  UploadRecord,
  UploadState,
  UploadStore,
} from './stores/types.js';

export class Completion {
  /** Running SHA-256s of the uploads this process received, so completing one needs no read-back. */
  readonly running = new RunningDigests();
  readonly #store: UploadStore;
  readonly #onComplete: ((info: CompletedUpload) => void | Promise<void>) | undefined;

  constructor(store: UploadStore, onComplete: ((info: CompletedUpload) => void | Promise<void>) | undefined) {
    this.#store = store;
    this.#onComplete = onComplete;
  }

  /**
   * Makes the stored bytes the completed upload, checked whole against the client's `Repr-Digest`. Where
   * this process fed a running SHA-256 with every byte of it (`running`), that is compared before
   * `complete`, with no read-back: it checks the bytes as received and written, not as re-read from the
   * disk or S3. Otherwise the bytes are read back: before `complete` when the store can (`digest`), else
   * right after it (`digestComplete`), with the digest recorded first so that a crash in between leaves the
   * check to do, not skipped. `sha256` is the SHA-256 (hex) when the file was checked with it. A mismatch
   * removes the upload: no prefix of it can be trusted, so the client starts again.
   */
  async complete(
    key: string,
    record: UploadRecord,
    expected: ExpectedDigest | undefined,
  ): Promise<{ location: StoredLocation; sha256: string | undefined }> {
    const store = this.#store;
    const running = this.running.take(key, record.createdAt, record.size ?? -1);
    if (expected?.algorithm === 'sha256' && running) {
      const sha256 = await this.#verify(key, expected, running);
      // Recorded as on the read-back path, so that after a crash onComplete still hears the SHA-256.
      if (!store.digest && store.digestComplete) await store.writeRecord(key, recorded(record, expected));
      return { location: await store.complete(key), sha256 };
    }
    if (!expected || store.digest || !store.digestComplete) {
      const sha256 = expected && store.digest ? await this.#check(key, expected, 'digest') : undefined;
      return { location: await store.complete(key), sha256 };
    }
    await store.writeRecord(key, recorded(record, expected));
    const location = await store.complete(key);
    return { location, sha256: await this.#check(key, expected, 'digestComplete') };
  }

  /** Deletes an upload, complete or not, and its running digest. */
  async remove(key: string): Promise<void> {
    this.running.forget(key);
    await this.#store.remove(key);
  }

  /** The stored bytes' digest, read back, against the expected one; a mismatch removes the upload. */
  async #check(
    key: string,
    expected: ExpectedDigest,
    via: 'digest' | 'digestComplete',
  ): Promise<string | undefined> {
    return this.#verify(key, expected, await this.#store[via]!(key, expected.algorithm));
  }

  /** `stored` against the expected digest; a mismatch removes the upload. */
  async #verify(key: string, expected: ExpectedDigest, stored: Buffer): Promise<string | undefined> {
    if (!stored.equals(expected.value)) {
      await this.remove(key);
      throw new UploadProblem(
        'repr-mismatch',
        'Repr-Digest does not match the stored file: the upload was removed, send it again',
        0,
      );
    }
    return expected.algorithm === 'sha256' ? stored.toString('hex') : undefined;
  }

  /**
   * Calls onComplete; on success records that it ran, so it never runs twice. A digest the record still
   * holds (its check cut short by a crash, or this is a retry) is checked first. Resolves with the SHA-256
   * (hex) the file was checked with, if any.
   */
  async deliver(
    key: string,
    record: UploadRecord,
    size: number,
    location: StoredLocation,
    checked?: string,
  ): Promise<string | undefined> {
    const { reprDigest, ...kept } = record;
    const recorded = reprDigest && { ...reprDigest, value: Buffer.from(reprDigest.value, 'base64') };
    const sha256 =
      checked ??
      (recorded && this.#store.digestComplete
        ? await this.#check(key, recorded, 'digestComplete')
        : undefined);
    try {
      await this.#onComplete?.({
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
    await this.#store.finalize(key, { ...kept, size });
    return sha256;
  }

  /** A request for an upload that is already complete: only its lost last answer can be asked again. */
  async again(key: string, state: UploadState, request: AppendRequest): Promise<AppendOutcome> {
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
    if (notified) return { offset: size, size, complete: true, answered: true };
    const record = state.record ?? { ...request.create!, size, createdAt: new Date().toISOString() };
    const sha256 = await this.deliver(key, record, size, this.#store.location(key));
    return { offset: size, size, complete: true, answered: true, ...(sha256 && { sha256 }) };
  }
}

/** The record with the client's digest, kept until the completed upload was checked and delivered. */
function recorded(record: UploadRecord, expected: ExpectedDigest): UploadRecord {
  return {
    ...record,
    reprDigest: { algorithm: expected.algorithm, value: expected.value.toString('base64') },
  };
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
