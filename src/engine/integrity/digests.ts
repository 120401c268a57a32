// End-to-end integrity, loaded only when an upload has `integrity` on: SHA-256 of every request's body
// and of the whole file, computed in a Worker one body ahead of the one being sent.
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

/** A worker and the answers it owes. */
class Digester {
  readonly worker = new Worker(workerUrl());
  readonly waiting = new Map<number, (answer: WorkerAnswer) => void>();
  /** Why the worker is gone (it did not start: a CSP without `worker-src blob:`, or it crashed). */
  private broken: string | null = null;

  constructor(file: File, role: 'body' | 'file', peer: MessagePort) {
    this.worker.onmessage = ({ data }: MessageEvent<WorkerAnswer>) => {
      this.waiting.get(data.id)?.(data);
      this.waiting.delete(data.id);
    };
    // Else every answer owed would be waited for forever, and the upload with it.
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.fail(e.message || 'the digest worker failed');
    };
    this.worker.postMessage({ file, role, peer } satisfies WorkerRequest, [peer]);
  }

  /** Asks for `start`-`end`; the answer is awaited only when `wanted`. */
  ask(id: number, start: number, end: number, wanted = true): Promise<Uint8Array | null> {
    if (this.broken !== null) return Promise.reject(new Error(`Could not digest the file: ${this.broken}`));
    const answer = new Promise<Uint8Array | null>((resolve, reject) => {
      if (wanted)
        this.waiting.set(id, (a) =>
          'error' in a ? reject(new Error(`Could not digest the file: ${a.error}`)) : resolve(a.digest),
        );
    });
    this.worker.postMessage({ id, start, end } satisfies WorkerRequest);
    return answer;
  }

  close(): void {
    this.worker.terminate();
    this.fail('Upload stopped');
  }

  private fail(why: string): void {
    this.broken ??= why;
    for (const settle of this.waiting.values()) settle({ id: 0, error: why });
    this.waiting.clear();
  }
}

/**
 * One file's digests, from two Workers (the bodies', the whole file's) working side by side, the file
 * read once. Ask `body(start, end)` before each request; the next body is digested meanwhile.
 */
export class FileDigests {
  private readonly bodies: Digester;
  private readonly whole: Digester;
  private readonly asked = new Map<string, Promise<BodyDigest>>();
  private nextId = 1;
  /** Base64 of the whole file's SHA-256, once the last body was digested. */
  file: string | null = null;

  constructor(private readonly source: File) {
    // The body worker hands the bytes it read to the file worker over this channel.
    const { port1, port2 } = new MessageChannel();
    this.bodies = new Digester(source, 'body', port1);
    this.whole = new Digester(source, 'file', port2);
  }

  /** The digests of `file.slice(start, end)`; starts on the body after it, of the same length. */
  body(start: number, end: number): Promise<BodyDigest> {
    const digest = this.ask(start, end);
    const next = Math.min(this.source.size, end + (end - start));
    if (end < this.source.size) this.ask(end, next).catch(() => undefined);
    // Only the bodies ahead are kept: a resend asks the worker again.
    for (const key of this.asked.keys()) if (Number(key.split('-')[0]) < end) this.asked.delete(key);
    return digest;
  }

  /** See agreement(). */
  agreed(last: { header(name: string): string | null } | undefined): Agreement | UploadError {
    return agreement(this.file, last);
  }

  close(): void {
    this.bodies.close();
    this.whole.close();
  }

  private ask(start: number, end: number): Promise<BodyDigest> {
    const key = `${start}-${end}`;
    let digest = this.asked.get(key);
    if (!digest) {
      const id = this.nextId++;
      const last = end === this.source.size;
      const body = this.bodies.ask(id, start, end);
      // Every body goes to the whole file's worker, in order; only the last one's answer is awaited.
      const file = this.whole.ask(id, start, end, last);
      digest = Promise.all([body, last ? file : null]).then(([b, f]) => {
        if (f) this.file = base64(f);
        return { body: base64(b!), file: f && base64(f) };
      });
      this.asked.set(key, digest);
    }
    return digest;
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
