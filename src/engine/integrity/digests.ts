// End-to-end integrity, loaded only when an upload has `integrity` on: SHA-256 of every request's body
// and of the whole file, computed in Workers one body ahead of the one being sent, from one read.
import { UploadError } from '../errors.js';
import type { BodyDigest } from '../protocols/types.js';
import type { WorkerAnswer, WorkerRequest } from './worker.js';
import { workerScript } from './worker-script.js';

export const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
export const hex = (base64Text: string): string =>
  Array.from(atob(base64Text), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');

/**
 * The workers' script (worker.ts and hash-wasm, bundled at build time), from a Blob URL: a worker's
 * script must be same-origin, and the bundle is often served from a CDN. A page's CSP needs
 * `worker-src blob:`, and `script-src 'wasm-unsafe-eval'` for hash-wasm (else the JS SHA-256 runs).
 */
let scriptUrl: string | null = null;
const workerUrl = (): string =>
  (scriptUrl ??= URL.createObjectURL(new Blob([workerScript], { type: 'text/javascript' })));

/** A worker's answer to one body. */
type Answered = Exclude<WorkerAnswer, { error: string }>;

/** A worker and the answers it owes. */
class Digester {
  private readonly worker = new Worker(workerUrl());
  private readonly waiting = new Map<number, (answer: WorkerAnswer) => void>();
  private nextId = 1;

  constructor(file: File, role: 'body' | 'file') {
    this.worker.onmessage = ({ data }: MessageEvent<WorkerAnswer>) => this.settle(data);
    // A worker that cannot start, or an answer that cannot be read, fails what is asked: never a wait.
    this.worker.onerror = (e) => this.failAll(e.message || 'The integrity worker failed');
    this.worker.onmessageerror = () => this.failAll('An answer of the integrity worker could not be read');
    this.worker.postMessage({ file, role } satisfies WorkerRequest);
  }

  /** Asks for `start`-`end`, handing `bytes` (moved when `move`, else copied). */
  ask(start: number, end: number, bytes?: Uint8Array<ArrayBuffer>, move = false): Promise<Answered> {
    const id = this.nextId++;
    const answer = new Promise<Answered>((resolve, reject) =>
      this.waiting.set(id, (a) =>
        'error' in a ? reject(new Error(`Could not digest the file: ${a.error}`)) : resolve(a),
      ),
    );
    this.worker.postMessage(
      { id, start, end, bytes } satisfies WorkerRequest,
      move && bytes ? [bytes.buffer] : [],
    );
    return answer;
  }

  close(): void {
    this.worker.terminate();
    this.failAll('Upload stopped');
  }

  private settle(answer: WorkerAnswer): void {
    this.waiting.get(answer.id)?.(answer);
    this.waiting.delete(answer.id);
  }

  private failAll(error: string): void {
    for (const [id, settle] of this.waiting) settle({ id, error });
    this.waiting.clear();
  }
}

/**
 * Bodies handed to the file worker that it has not fed yet: past this many, the page lets a sent body's
 * bytes go and the file worker reads them again when their turn comes, so memory stays flat while it lags.
 */
const KEEP = 2;

/** A body's read gets the upload's `stallTimeout` per this many bytes (a stuck read fails, a big one not). */
const STALL_PER = 16 * 1024 * 1024;

/** Rejects with a stall when `answer` takes longer than `ms` (0: waits as long as it takes). */
function within<T>(answer: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0)) return answer;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UploadError('stall', `The integrity worker read no body for ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/**
 * One file's digests, from two Workers working side by side: the bodies' worker reads each body, digests
 * it and moves its bytes here, to be sent as they are (the file is read once); after its request a body's
 * bytes move on to the whole file's worker. Ask `body(start, end)` before each request: the next body is
 * read meanwhile.
 */
export class FileDigests {
  private bodies: Digester;
  private readonly whole: Digester;
  /** Bodies read ahead, by range: the one being sent and the next, at most. */
  private readonly asked = new Map<string, Promise<Answered>>();
  /** See KEEP. */
  private handed = 0;
  /** The body handed out last, not the last one of the file: its request is over when the next is asked. */
  private previous: { start: number; end: number; bytes: Uint8Array<ArrayBuffer> } | null = null;
  /** Base64 of the whole file's SHA-256, once the last body was digested. */
  file: string | null = null;

  /** @param patience ms to wait for a body's bytes before a stall (the upload's `stallTimeout`). */
  constructor(
    private readonly source: File,
    private readonly patience = 0,
  ) {
    this.bodies = new Digester(source, 'body');
    this.whole = new Digester(source, 'file');
  }

  /**
   * The digests and the bytes of `file.slice(start, end)`; starts on the body after it, of the same
   * length. The body that ends the file carries the whole file's digest too. Asked only once the request
   * of the body before is over, sent or not: its bytes move on to the whole file's worker.
   */
  async body(start: number, end: number): Promise<BodyDigest> {
    const size = this.source.size;
    this.handOn();
    const read = this.read(start, end);
    if (end < size) this.read(end, Math.min(size, end + (end - start))).catch(() => undefined);
    // Only the bodies ahead are kept: a resend asks the worker again.
    for (const key of this.asked.keys()) if (Number(key.split('-')[0]) < end) this.asked.delete(key);
    const { digest, bytes } = await this.answer(read, end - start);
    if (end < size) {
      this.previous = { start, end, bytes: bytes! };
      return { body: base64(digest!), file: null, bytes };
    }
    // Its digest goes with the last body, so the file worker gets a copy of it before it is sent.
    const { digest: file } = await this.whole.ask(start, end, bytes);
    this.file = base64(file!);
    return { body: base64(digest!), file: this.file, bytes };
  }

  /**
   * The body worker's answer, or an UploadError: a read that failed, or stalled; then another worker reads
   * from the next attempt on (the whole file's worker goes on).
   */
  private async answer(read: Promise<Answered>, length: number): Promise<Answered> {
    try {
      return await within(read, this.patience * Math.max(1, length / STALL_PER));
    } catch (cause) {
      this.bodies.close();
      this.bodies = new Digester(this.source, 'body');
      this.asked.clear();
      throw cause instanceof UploadError ? cause : new UploadError('network', String(cause), { cause });
    }
  }

  /** Moves the previous body's bytes to the whole file's worker, unless it lags KEEP behind. */
  private handOn(): void {
    const body = this.previous;
    this.previous = null;
    if (!body || this.handed >= KEEP) return;
    const { start, end, bytes } = body;
    this.handed++;
    this.whole
      .ask(start, end, bytes, true)
      .catch(() => undefined)
      .finally(() => this.handed--);
  }

  /** See agreement(). */
  agreed(last: { header(name: string): string | null } | undefined): Agreement | UploadError {
    return agreement(this.file, last);
  }

  close(): void {
    this.bodies.close();
    this.whole.close();
  }

  private read(start: number, end: number): Promise<Answered> {
    const key = `${start}-${end}`;
    let read = this.asked.get(key);
    if (!read) this.asked.set(key, (read = this.bodies.ask(start, end)));
    return read;
  }
}

/** What both sides agreed on at the end: the file's SHA-256 (hex) and whether the server echoed it. */
export interface Agreement {
  sha256: string | null;
  verified: boolean;
}

/**
 * Compares the file's digest with the `Repr-Digest` of the server's last answer; an error when the
 * server names another digest for what it stored.
 */
export function agreement(
  file: string | null,
  last: { header(name: string): string | null } | undefined,
): Agreement | UploadError {
  const stored = sha256Member(last?.header('Repr-Digest') ?? null);
  const sha256 = file && hex(file);
  if (file !== null && stored !== null && stored !== file)
    return new UploadError('integrity', `The server stored a file whose SHA-256 is not ${sha256}`);
  return { sha256, verified: file !== null && stored === file };
}

/** The `sha-256` member of an RFC 9530 digest field (`Repr-Digest: sha-256=:...:`), as base64. */
export function sha256Member(field: string | null): string | null {
  const m = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]*={0,2}):/.exec(field ?? '');
  return m ? m[1] : null;
}
