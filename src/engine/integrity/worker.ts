// The integrity worker's body: reads the file, digests each request's body (WebCrypto, one-shot) and
// the whole file (an incremental SHA-256), off the main thread. Built from source text (see digests.ts),
// so nothing here may name anything outside the function but its parameter and the worker's globals.
import type { Sha256 } from './sha256.js';

/** Page -> worker: the file once, then the bodies to digest, in the order they will be sent. */
export type WorkerRequest = { file: File } | { id: number; start: number; end: number };
/** Worker -> page: a body's digest; the whole file's with the body that ends it. Raw SHA-256 bytes. */
export type WorkerAnswer =
  { id: number; body: Uint8Array; file: Uint8Array | null } | { id: number; error: string };

export function workerMain(createSha256: () => Sha256): void {
  const scope = self as unknown as {
    onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
    postMessage(message: WorkerAnswer): void;
  };
  /** Bytes read at a time when the whole-file digest must catch up (a resume from a server offset). */
  const PIECE = 8 * 1024 * 1024;
  let file: File | null = null;
  const whole = createSha256();
  /** The whole-file digest covers the file up to here. */
  let wholeTo = 0;
  let fileDigest: Uint8Array | null = null;
  let chain: Promise<void> = Promise.resolve();

  const read = async (start: number, end: number): Promise<Uint8Array<ArrayBuffer>> =>
    new Uint8Array(await file!.slice(start, end).arrayBuffer());
  const digestOf = async (bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> => {
    // WebCrypto is native and fast, but only in secure contexts.
    if (globalThis.crypto?.subtle) return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const one = createSha256();
    one.update(bytes);
    return one.digest();
  };
  /** Feeds the whole-file digest up to `start`, then this body where it continues it. */
  const advance = async (start: number, end: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> => {
    while (wholeTo < start) {
      const to = Math.min(start, wholeTo + PIECE);
      whole.update(await read(wholeTo, to));
      wholeTo = to;
    }
    if (wholeTo < end) {
      whole.update(bytes.subarray(wholeTo - start));
      wholeTo = end;
    }
    if (wholeTo === file!.size) fileDigest ??= whole.digest();
  };

  const body = async (id: number, start: number, end: number): Promise<void> => {
    const bytes = await read(start, end);
    const digest = await digestOf(bytes);
    if (fileDigest === null) await advance(start, end, bytes);
    scope.postMessage({ id, body: digest, file: end === file!.size ? fileDigest : null });
  };

  scope.onmessage = ({ data }) => {
    if ('file' in data) {
      file = data.file;
      return;
    }
    const { id, start, end } = data;
    chain = chain
      .then(() => body(id, start, end))
      .catch((err: unknown) => scope.postMessage({ id, error: String(err) }));
  };
}
