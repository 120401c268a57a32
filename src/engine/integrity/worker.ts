// The integrity workers' body: each reads the file itself. One digests each request's body (WebCrypto,
// one-shot), the other feeds the whole file through an incremental SHA-256: two workers, so the two
// hashes run side by side, off the main thread. Built from source text (see digests.ts), so nothing here
// may name anything outside the function but its parameter and the worker's globals.
import type { Sha256 } from './sha256.js';

/** Page -> worker: the file and the worker's part once, then the bodies, in the order they will be sent. */
export type WorkerRequest =
  { file: File; role: 'body' | 'file' } | { id: number; start: number; end: number };
/**
 * Worker -> page, raw SHA-256 bytes: `body`, the body's digest; `file`, the whole file's once a body
 * reaching its end came (null before).
 */
export type WorkerAnswer = { id: number; digest: Uint8Array | null } | { id: number; error: string };

export function workerMain(createSha256: () => Sha256): void {
  const scope = self as unknown as {
    onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
    postMessage(message: WorkerAnswer): void;
  };
  /** Bytes read at a time for the whole file. */
  const PIECE = 8 * 1024 * 1024;
  let file: File | null = null;
  let role: 'body' | 'file' = 'body';
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
  /** Feeds the whole-file digest up to `end` (a resend of bytes already fed feeds nothing). */
  const advance = async (end: number): Promise<Uint8Array | null> => {
    while (wholeTo < end) {
      const to = Math.min(end, wholeTo + PIECE);
      whole.update(await read(wholeTo, to));
      wholeTo = to;
    }
    if (wholeTo === file!.size) fileDigest ??= whole.digest();
    return fileDigest;
  };

  const answer = async (id: number, start: number, end: number): Promise<void> => {
    const digest = role === 'body' ? await digestOf(await read(start, end)) : await advance(end);
    scope.postMessage({ id, digest });
  };

  scope.onmessage = ({ data }) => {
    if ('file' in data) {
      ({ file, role } = data);
      return;
    }
    const { id, start, end } = data;
    chain = chain
      .then(() => answer(id, start, end))
      .catch((err: unknown) => scope.postMessage({ id, error: String(err) }));
  };
}
