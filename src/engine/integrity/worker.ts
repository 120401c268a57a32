// The integrity workers' body. One digests each request's body (hash-wasm, else WebCrypto) and hands the
// bytes it read to the other, which feeds the whole file through an incremental SHA-256 (hash-wasm's
// WebAssembly, else ours in JS): two workers, so the two hashes run side by side, off the main thread, and
// the file is read once. Bundled with hash-wasm into one script by scripts/integrity-worker.mjs (worker-script.ts).
import { createSHA256 } from 'hash-wasm';
import { createSha256, type Sha256 } from './sha256.js';

/**
 * Page -> worker: the file, the worker's part and its end of a channel to the other once, then the
 * bodies, in the order they will be sent (the same ids to both).
 */
export type WorkerRequest =
  { file: File; role: 'body' | 'file'; peer: MessagePort } | { id: number; start: number; end: number };
/** Body worker -> file worker, for every body: the bytes it read (null when it could not). */
type Handoff = { id: number; bytes: Uint8Array<ArrayBuffer> | null };
/** Which SHA-256 computed a digest: WebCrypto's, hash-wasm's WebAssembly, or ours in JS. */
export type Hasher = 'webcrypto' | 'hash-wasm' | 'js';
/**
 * Worker -> page, raw SHA-256 bytes: `body`, the body's digest; `file`, the whole file's once a body
 * reaching its end came (null before).
 */
export type WorkerAnswer =
  { id: number; digest: Uint8Array | null; hasher: Hasher } | { id: number; error: string };

/** Bytes read at a time for the whole file, where no body was handed. */
const PIECE = 8 * 1024 * 1024;
/**
 * Handed bodies the file worker keeps while it is behind (a slow hash, a fast link); the bytes of any
 * more are let go and read again when their turn comes, so its memory stays flat.
 */
const KEEP = 2;

const read = async (file: File, start: number, end: number): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await file.slice(start, end).arrayBuffer());

/**
 * The fastest incremental SHA-256 here: hash-wasm's (about twice ours), or ours where WebAssembly is
 * missing or refused (a Content-Security-Policy without 'wasm-unsafe-eval').
 */
async function incremental(): Promise<{ sha: Sha256; hasher: Hasher }> {
  try {
    const wasm = await createSHA256();
    return {
      sha: {
        update: (data) => void wasm.update(data),
        digest: () => {
          const digest = wasm.digest('binary');
          // Ready for the next body (the body worker reuses one instance).
          wasm.init();
          return digest;
        },
      },
      hasher: 'hash-wasm',
    };
  } catch {
    return { sha: createSha256(), hasher: 'js' };
  }
}

/**
 * One body's SHA-256: hash-wasm's, one instance reused (faster than WebCrypto, which copies the body first:
 * bench 'integrity'), else WebCrypto's (secure contexts only), else ours.
 */
let bodyHasher: Promise<{ sha: Sha256; hasher: Hasher }> | null = null;
async function oneShot(bytes: Uint8Array<ArrayBuffer>): Promise<{ digest: Uint8Array; hasher: Hasher }> {
  const { sha, hasher } = await (bodyHasher ??= incremental());
  if (hasher === 'js' && globalThis.crypto?.subtle)
    return { digest: new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), hasher: 'webcrypto' };
  const body = hasher === 'js' ? createSha256() : sha;
  body.update(bytes);
  return { digest: body.digest(), hasher };
}

/** The body worker's part: read, digest, and hand the bytes on (moved, not copied). */
async function digestBody(file: File, peer: MessagePort, id: number, start: number, end: number) {
  let bytes: Uint8Array<ArrayBuffer> | null = null;
  try {
    bytes = await read(file, start, end);
    return await oneShot(bytes);
  } finally {
    peer.postMessage({ id, bytes } satisfies Handoff, bytes ? [bytes.buffer] : []);
  }
}

/** The file worker's part: the whole file's SHA-256, fed once and in order, mostly from handed bodies. */
class WholeFile {
  private hashing: Promise<{ sha: Sha256; hasher: Hasher }> | null = null;
  /** The digest covers the file up to here. */
  private fed = 0;
  private digest: Uint8Array | null = null;
  private readonly arrived = new Map<number, Handoff>();
  private readonly waiting = new Map<number, (handoff: Handoff) => void>();

  constructor(
    private readonly file: File,
    peer: MessagePort,
  ) {
    peer.onmessage = ({ data }: MessageEvent<Handoff>) => {
      const waiting = this.waiting.get(data.id);
      this.waiting.delete(data.id);
      const kept = [...this.arrived.values()].filter((h) => h.bytes).length;
      if (waiting) waiting(data);
      else this.arrived.set(data.id, kept < KEEP ? data : { id: data.id, bytes: null });
    };
  }

  /** Feeds the digest up to `end`: a resend of bytes already fed feeds nothing. */
  async advance(
    id: number,
    start: number,
    end: number,
  ): Promise<{ digest: Uint8Array | null; hasher: Hasher }> {
    const { sha, hasher } = await (this.hashing ??= incremental());
    const { bytes } = await this.handoff(id);
    // What lies before the body (an upload resumed past the start) and any body not handed is read here.
    for (const to = bytes ? start : end; this.fed < to;) {
      const next = Math.min(to, this.fed + PIECE);
      sha.update(await read(this.file, this.fed, next));
      this.fed = next;
    }
    if (bytes && this.fed >= start && this.fed < start + bytes.length) {
      sha.update(bytes.subarray(this.fed - start));
      this.fed = start + bytes.length;
    }
    if (this.fed === this.file.size) this.digest ??= sha.digest();
    return { digest: this.digest, hasher };
  }

  private handoff(id: number): Promise<Handoff> {
    const handed = this.arrived.get(id);
    this.arrived.delete(id);
    return handed ? Promise.resolve(handed) : new Promise((resolve) => this.waiting.set(id, resolve));
  }
}

export function workerMain(): void {
  const scope = self as unknown as {
    onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
    postMessage(message: WorkerAnswer): void;
  };
  type Answer = { digest: Uint8Array | null; hasher: Hasher };
  let answer: (id: number, start: number, end: number) => Promise<Answer> = () =>
    Promise.reject(new Error('No file yet'));
  let chain: Promise<void> = Promise.resolve();

  scope.onmessage = ({ data }) => {
    if ('file' in data) {
      const { file, role, peer } = data;
      const whole = role === 'file' ? new WholeFile(file, peer) : null;
      answer = (id, start, end) => whole?.advance(id, start, end) ?? digestBody(file, peer, id, start, end);
      return;
    }
    const { id, start, end } = data;
    chain = chain
      .then(async () => scope.postMessage({ id, ...(await answer(id, start, end)) }))
      .catch((err: unknown) => scope.postMessage({ id, error: String(err) }));
  };
}
