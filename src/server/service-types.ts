// The service's vocabulary: how it is configured, what a wire protocol asks of an append and hears back,
// and the problems it refuses with (each protocol words and numbers them its own way).
import type { Readable } from 'node:stream';
import type { CompletedUpload } from './options.js';
import type { ExpectedDigest } from './stores/types.js';

/** Why the service refused a request; each wire protocol words and numbers it its own way. */
export type ProblemCode =
  /** No such upload (for this owner). */
  | 'not-found'
  /** It existed, but expired. */
  | 'gone'
  /** Another request is writing it; `offset` is where that one started. */
  | 'busy'
  /** The request starts elsewhere than the stored offset, which is `offset`. */
  | 'offset-mismatch'
  /** Over `maxSize`. */
  | 'too-large'
  /** The body runs past the upload's size. */
  | 'past-size'
  /** The size the request states disagrees with the recorded one. */
  | 'size-mismatch'
  /** The upload is complete; `offset` is its size. */
  | 'completed'
  /** The body's digest did not match: nothing of it was kept. */
  | 'digest-mismatch'
  /** The whole file's digest (`Repr-Digest`) did not match the stored bytes: the upload was removed. */
  | 'repr-mismatch'
  /** Stored, but onComplete threw; the same last request again retries it. */
  | 'hook-failed';

/** A refusal the protocols answer with a 4xx (or, for `hook-failed`, a 500). */
export class UploadProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    /** The stored offset, where it helps the client. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

export interface ServiceConfig {
  maxSize: number;
  expireAfter: number;
  sweepInterval: number;
  idleTimeout: number;
  lockWait: number;
  takeoverAfter: number;
  syncInterval: number;
  onComplete?: (info: CompletedUpload) => void | Promise<void>;
}

/** One append, as a wire protocol states it. */
export interface AppendRequest {
  /** The offset the body starts at, as the client says. */
  start: number;
  body: Readable;
  /** The body's length, when the request says it (Content-Length). */
  bodyLength?: number;
  /** The total size, when the request states it (X-File-Size, Upload-Length). */
  size?: number;
  /** This body ends the upload (IETF `Upload-Complete: ?1`): where it ends is the size. */
  final?: boolean;
  /** The record to create when the upload has none yet (the article's protocol creates on first append). */
  create?: { owner: string; id: string };
  /** Milliseconds a running writer may be quiet before this request takes over (default: `takeoverAfter`). */
  takeoverAfter?: number;
  /** The body must have this digest; then it is kept whole or not at all. */
  digest?: ExpectedDigest;
  /** The whole file must have this digest before the upload completes (`Repr-Digest`). */
  reprDigest?: ExpectedDigest;
  /** How the protocol names the size in its reasons (`X-File-Size`, `Upload-Length`). */
  sizeName: string;
}

export interface AppendOutcome {
  /** The stored, durable offset after this request. */
  offset: number;
  /** The size, if known now. */
  size: number | null;
  /** The upload is complete (and onComplete has run). */
  complete: boolean;
  /** False when the body did not end (cut, stalled): nobody is left to answer. */
  answered: boolean;
  /** The stored file's SHA-256 (hex), when this request completed it and the file was checked against it. */
  sha256?: string;
}
