import type { Transport, TransportResponse } from '../transport.js';

/** What the server takes, as far as it said; a field is undefined until announced. */
export interface ServerLimits {
  /** Largest whole upload, in bytes (tus `Tus-Max-Size`, IETF `max-size`). */
  maxSize?: number;
  /** Largest body of one request (IETF `max-append-size`). */
  maxAppendSize?: number;
}

/** Who the session talks to and how, given when it opens. */
export interface SessionInit {
  file: File;
  /** The id as the application sees it: the key a protocol remembers its upload URL under. */
  fileId: string;
  /** The id, already made safe for a header. */
  headerId: string;
  /** The creation URL (tus, IETF); status-upload uses its own two URLs. */
  endpoint: string;
  /** Sent with the creation request (tus `Upload-Metadata`). */
  metadata: Readonly<Record<string, string>>;
  /** status-upload's URLs, read when each request is made. */
  statusUrl: () => string;
  uploadUrl: () => string;
  /** `integrity` is on: learn whether the server takes digests (tus asks `OPTIONS` for its checksums). */
  integrity?: boolean;
  /** An upload URL of this file's that another tab created (tus, IETF): resumed as a remembered one is. */
  url?: string;
}

/** What every request of one attempt needs. */
export interface RequestContext {
  /** Extra headers, asked before every request. */
  headers: () => Promise<Record<string, string>>;
  withCredentials: boolean;
  stallTimeout: number;
  signal: AbortSignal;
  transport: Transport;
  /** Passed to the transport for uploads: whether the server still receives (see TransportRequest). */
  stillMoving?: () => Promise<boolean>;
  /** With `integrity` on, for an append: its body's SHA-256, sent where the server asked for it. */
  digest?: BodyDigest;
}

/** SHA-256 digests, base64, that an append carries with `integrity` on. */
export interface BodyDigest {
  /** Of this request's body (RFC 9530 `Content-Digest`, tus `Upload-Checksum`). */
  body: string;
  /** Of the whole file, with the body that ends it (`Repr-Digest`); null on the others. */
  file: string | null;
}

/** Where the upload stands on the server. */
export interface ServerOffset {
  /** Bytes the server holds; null when its answer does not say (ask again with `offset`). */
  offset: number | null;
  /** The server holds the whole file and has answered for it. */
  complete: boolean;
  /** The answer it came with; none when the protocol could tell without asking. */
  response?: TransportResponse;
}

/**
 * One file's conversation with the server: ask where it stands (creating the upload when there is none),
 * append bytes, terminate on cancel. Non-2xx answers reject with an UploadError carrying the status and
 * body; the upload's state machine decides what each means, the session only what its protocol says.
 */
export interface ProtocolSession {
  /** The upload URL the server assigned; null before creation and for protocols without one. */
  readonly url: string | null;
  /** The server's limits known so far; checked before bytes are sent. */
  readonly limits: Readonly<ServerLimits>;
  /**
   * How many bytes the server holds: asks the upload URL, creating the upload first when there is none
   * (or when the remembered one is gone). With `create` false, answers null instead of creating.
   */
  offset(ctx: RequestContext, create?: boolean): Promise<ServerOffset | null>;
  /** Sends `file.slice(start, end)` at `start`; `end === file.size` ends the upload. */
  append(
    ctx: RequestContext,
    start: number,
    end: number,
    onProgress: (loaded: number) => void,
  ): Promise<ServerOffset>;
  /** The user canceled: asks the server to drop the upload and forgets it. Never rejects. */
  terminate(ctx: RequestContext): Promise<void>;
  /** The upload is complete: forgets its remembered URL. */
  finish(): void;
}

/** A wire protocol: opens one session per file. The engine knows no protocol but through this. */
export interface Protocol {
  /** `status-upload`, `tus`, `ietf`, or a name of your own. */
  readonly name: string;
  /** May load the protocol's code first (tus and IETF load on demand). Sends nothing. */
  open(init: SessionInit): ProtocolSession | Promise<ProtocolSession>;
}
