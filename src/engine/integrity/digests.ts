// End-to-end integrity, loaded only when an upload has `integrity` on: SHA-256 of every request's body
// and of the whole file, computed in a Worker one body ahead of the one being sent.
import type { BodyDigest } from '../protocols/types.js';
import { createSha256 } from './sha256.js';
import type { WorkerAnswer, WorkerRequest } from './worker.js';
import { workerMain } from './worker.js';

export const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
export const hex = (base64Text: string): string =>
  Array.from(atob(base64Text), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');

/** The worker's script: its body and the SHA-256 it uses, from their own source text. */
let scriptUrl: string | null = null;
const workerUrl = (): string =>
  (scriptUrl ??= URL.createObjectURL(
    new Blob([`(${String(workerMain)})(${String(createSha256)})`], { type: 'text/javascript' }),
  ));

/** One file's digests. Ask `body(start, end)` before each request; the next body is digested meanwhile. */
export class FileDigests {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (answer: WorkerAnswer) => void>();
  private readonly asked = new Map<string, Promise<BodyDigest>>();
  private nextId = 1;
  /** Base64 of the whole file's SHA-256, once the last body was digested. */
  file: string | null = null;

  constructor(private readonly source: File) {
    this.worker = new Worker(workerUrl());
    this.worker.onmessage = ({ data }: MessageEvent<WorkerAnswer>) => {
      this.waiting.get(data.id)?.(data);
      this.waiting.delete(data.id);
    };
    this.worker.postMessage({ file: source } satisfies WorkerRequest);
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
  agreed(last: { header(name: string): string | null } | null): Agreement {
    return agreement(this.file, last);
  }

  close(): void {
    this.worker.terminate();
    for (const settle of this.waiting.values()) settle({ id: 0, error: 'Upload stopped' });
    this.waiting.clear();
  }

  private ask(start: number, end: number): Promise<BodyDigest> {
    const key = `${start}-${end}`;
    let digest = this.asked.get(key);
    if (!digest) {
      const id = this.nextId++;
      digest = new Promise<BodyDigest>((resolve, reject) => {
        this.waiting.set(id, (answer) => {
          if ('error' in answer) return reject(new Error(`Could not digest the file: ${answer.error}`));
          if (answer.file) this.file = base64(answer.file);
          resolve({ body: base64(answer.body), file: answer.file && base64(answer.file) });
        });
      });
      this.worker.postMessage({ id, start, end } satisfies WorkerRequest);
      this.asked.set(key, digest);
    }
    return digest;
  }
}

/** What both sides agreed on at the end: the file's SHA-256 (hex) and whether the server echoed it. */
export interface Agreement {
  sha256: string | null;
  verified: boolean;
  /** The server named another digest for what it stored. */
  differs: boolean;
}

/** Compares the file's digest with the `Repr-Digest` of the server's last answer. */
export function agreement(
  file: string | null,
  last: { header(name: string): string | null } | null,
): Agreement {
  const stored = sha256Member(last?.header('Repr-Digest') ?? null);
  return {
    sha256: file && hex(file),
    verified: file !== null && stored === file,
    differs: file !== null && stored !== null && stored !== file,
  };
}

/** The `sha-256` member of an RFC 9530 digest field (`Repr-Digest: sha-256=:...:`), as base64. */
export function sha256Member(field: string | null): string | null {
  const m = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]*={0,2}):/.exec(field ?? '');
  return m ? m[1] : null;
}
