// The integrity workers' body. One reads each request's body, digests it (one-shot) and moves the bytes to
// the page, which sends them: the file is read once, by this worker, and Chromium does not stream a sliced
// Blob through its blob system again. The other feeds the whole file through an incremental SHA-256 from the
// bodies the page hands it after their requests (reading itself what it was not handed): two workers, so
// the two hashes run side by side, off the main thread. Both use hash-wasm's WebAssembly, else WebCrypto
// (bodies only), else ours in JS. Bundled with hash-wasm into one script by scripts/integrity-worker.mjs.
import { createSHA256 } from 'hash-wasm';
import { createSha256, type Sha256 } from './sha256.js';

/** Page -> worker: the file and the worker's part once, then the bodies, in the order they are sent. */
export type WorkerRequest = { file: File; role: 'body' | 'file' } | BodyRequest;
/** One body: the file worker's with the bytes the body worker read, where the page still holds them. */
type BodyRequest = { id: number; start: number; end: number; bytes?: Uint8Array<ArrayBuffer> | null };
/** Which SHA-256 computed a digest: WebCrypto's, hash-wasm's WebAssembly, or ours in JS. */
export type Hasher = 'webcrypto' | 'hash-wasm' | 'js';
/**
 * Worker -> page, raw SHA-256 bytes. The body worker's: the body's digest and its bytes (moved, not
 * copied). The file worker's: the whole file's digest once a body reaching its end came (null before).
 */
export type WorkerAnswer =
  | { id: number; digest: Uint8Array | null; hasher: Hasher; bytes?: Uint8Array<ArrayBuffer> }
  | { id: number; error: string };

/** Bytes read at a time for the whole file, where no body was handed. */
const PIECE = 8 * 1024 * 1024;

const read = async (file: File, start: number, end: number): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await file.slice(start, end).arrayBuffer());

/**
 * The fastest incremental SHA-256 here: hash-wasm's (about twice ours), or ours where WebAssembly is
 * missing or refused (a Content-Security-Policy without 'wasm-unsafe-eval').
 */
async function incremental(): Promise<{ sha: Sha256 | null; hasher: Hasher }> {
  try {
    const wasm = await createSHA256();
    return {
      sha: {
        update: (data) => void wasm.update(data),
        digest: () => {
          const digest = wasm.digest('binary');
          wasm.init();
          return digest;
        },
      },
      hasher: 'hash-wasm',
    };
  } catch {
    return { sha: null, hasher: 'js' };
  }
}

/**
 * One body's SHA-256: hash-wasm's (one instance, reused: faster than WebCrypto, which copies the body
 * first), else WebCrypto's (only in secure contexts), else ours.
 */
function oneShot(): (bytes: Uint8Array<ArrayBuffer>) => Promise<{ digest: Uint8Array; hasher: Hasher }> {
  const hashing = incremental();
  return async (bytes) => {
    const { sha, hasher } = await hashing;
    if (sha) return (sha.update(bytes), { digest: sha.digest(), hasher });
    if (globalThis.crypto?.subtle)
      return { digest: new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), hasher: 'webcrypto' };
    const js = createSha256();
    js.update(bytes);
    return { digest: js.digest(), hasher };
  };
}

/** The file worker's part: the whole file's SHA-256, fed once and in order, mostly from handed bodies. */
class WholeFile {
  private hashing: Promise<{ sha: Sha256; hasher: Hasher }> | null = null;
  /** The digest covers the file up to here. */
  private fed = 0;
  private digest: Uint8Array | null = null;

  constructor(private readonly file: File) {}

  /** Feeds the digest up to `end`: a resend of bytes already fed feeds nothing. */
  async advance(
    start: number,
    end: number,
    bytes: Uint8Array | null | undefined,
  ): Promise<{ digest: Uint8Array | null; hasher: Hasher }> {
    const { sha, hasher } = await (this.hashing ??= incremental().then(({ sha, hasher }) =>
      sha ? { sha, hasher } : { sha: createSha256(), hasher },
    ));
    const handed = bytes && bytes.length === end - start ? bytes : null;
    // What lies before the body (an upload resumed past the start) and any body not handed is read here.
    for (const to = handed ? start : end; this.fed < to;) {
      const next = Math.min(to, this.fed + PIECE);
      sha.update(await read(this.file, this.fed, next));
      this.fed = next;
    }
    if (handed && this.fed >= start && this.fed < end) {
      sha.update(handed.subarray(this.fed - start));
      this.fed = end;
    }
    if (this.fed === this.file.size) this.digest ??= sha.digest();
    return { digest: this.digest, hasher };
  }
}

type Answer = { digest: Uint8Array | null; hasher: Hasher; bytes?: Uint8Array<ArrayBuffer> };

/** The part this worker plays for `file`: what it answers for each body. */
function role(file: File, part: 'body' | 'file'): (request: BodyRequest) => Promise<Answer> {
  if (part === 'file') {
    const whole = new WholeFile(file);
    return ({ start, end, bytes }) => whole.advance(start, end, bytes);
  }
  const digest = oneShot();
  return async ({ start, end }) => {
    const bytes = await read(file, start, end);
    return { ...(await digest(bytes)), bytes };
  };
}

export function workerMain(): void {
  const scope = self as unknown as {
    onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
    postMessage(message: WorkerAnswer, transfer?: Transferable[]): void;
  };
  let answer: (request: BodyRequest) => Promise<Answer> = () => Promise.reject(new Error('No file yet'));
  let chain: Promise<void> = Promise.resolve();

  scope.onmessage = ({ data }) => {
    if ('file' in data) {
      answer = role(data.file, data.role);
      return;
    }
    const { id } = data;
    chain = chain
      .then(async () => {
        const a = await answer(data);
        scope.postMessage({ id, ...a }, a.bytes ? [a.bytes.buffer] : []);
      })
      .catch((err: unknown) => scope.postMessage({ id, error: String(err) }));
  };
}
