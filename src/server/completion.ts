// Completing an upload: the whole file checked against the client's digest, onComplete delivered exactly
// once, and the one request a complete upload still answers (its lost last answer, asked again).
import type { Readable } from 'node:stream';
import type { CompletedUpload } from './options.js';
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
  readonly #store: UploadStore;
  readonly #onComplete: ((info: CompletedUpload) => void | Promise<void>) | undefined;

  constructor(store: UploadStore, onComplete: ((info: CompletedUpload) => void | Promise<void>) | undefined) {
    this.#store = store;
    this.#onComplete = onComplete;
  }

  /**
   * The stored bytes against the client's `Repr-Digest`, before they become the upload: the SHA-256 (hex)
   * when they match (undefined without a digest, or with a store that cannot read its bytes back). A
   * mismatch removes the upload: no prefix of it can be trusted, so the client starts again.
   */
  async checkWhole(key: string, expected: ExpectedDigest | undefined): Promise<string | undefined> {
    const store = this.#store;
    if (!expected || !store.digest) return undefined;
    const stored = await store.digest(key, expected.algorithm);
    if (!stored.equals(expected.value)) {
      await store.remove(key);
      throw new UploadProblem(
        'repr-mismatch',
        'Repr-Digest does not match the stored file: the upload was removed, send it again',
        0,
      );
    }
    return expected.algorithm === 'sha256' ? stored.toString('hex') : undefined;
  }

  /** Calls onComplete; on success records that it ran, so it never runs twice. */
  async deliver(
    key: string,
    record: UploadRecord,
    size: number,
    location: StoredLocation,
    sha256?: string,
  ): Promise<void> {
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
    await this.#store.finalize(key, { ...record, size });
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
    if (!notified) {
      const record = state.record ?? { ...request.create!, size, createdAt: new Date().toISOString() };
      await this.deliver(key, record, size, this.#store.location(key));
    }
    return { offset: size, size, complete: true, answered: true };
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
