import type { TransportResponse } from './wire.js';

/** Why an upload request failed. */
export type UploadErrorKind =
  /** No response: connection refused, reset, offline, or a proxy dropping the body. */
  | 'network'
  /** No upload progress for `stallTimeout` ms. */
  | 'stall'
  /** The server answered with a status that is not a success. */
  | 'http'
  /** The status request answered something that is not a byte count. */
  | 'protocol'
  /** Rejected before sending, e.g. a headers function that threw. */
  | 'client'
  /** The server found a body's digest wrong (`integrity`) and kept nothing of it. */
  | 'integrity';

/** An upload failure: carries the HTTP status and the server's response text when there was one. */
export class UploadError extends Error {
  override readonly name = 'UploadError';
  readonly kind: UploadErrorKind;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /**
   * The one-line reason to show: the server's own text as it sent it, or one made from a proxy's page,
   * a problem+json body or the status (see reasonOf). The whole body is `response.body`.
   */
  readonly responseText: string;
  /** The response itself, for its headers (e.g. Retry-After). */
  readonly response: TransportResponse | null;

  constructor(
    kind: UploadErrorKind,
    message: string,
    options: { status?: number; responseText?: string; response?: TransportResponse; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.status = options.status ?? options.response?.status ?? 0;
    this.responseText = options.responseText ?? '';
    this.response = options.response ?? null;
  }

  /** Whether waiting and asking the server again may help: anything but a client error or a 4xx (save 408, 423, 429). */
  get retryable(): boolean {
    const s = this.status;
    return this.kind === 'http' ? s >= 500 || s === 408 || s === 423 || s === 429 : this.kind !== 'client';
  }
}

/** Rejects, before anything is sent, a file over the server's announced maximum. */
export function checkSize(size: number, maxSize: number | undefined): void {
  if (maxSize !== undefined && size > maxSize)
    throw new UploadError('client', `The file is ${size} bytes; the server takes at most ${maxSize}`);
}

/** Anything thrown, as an UploadError: a 'client' one unless it is one already. */
export function toUploadError(err: unknown): UploadError {
  if (err instanceof UploadError) return err;
  return new UploadError('client', err instanceof Error ? err.message : String(err), { cause: err });
}
