import type { Readable } from 'node:stream';
import type { UploadService } from '../service.js';

/** A request as every wire protocol sees it, whichever runtime (node:http, Fetch) carried it. */
export interface ProtocolRequest {
  /** Upper-case method, after `X-HTTP-Method-Override` where a protocol allows it. */
  method: string;
  /** The path below the mount point, e.g. `/status` or `/files/abc`, without the query. */
  path: string;
  /** The mount point's path as the client sees it (`''` at the root), for `Location`. */
  base: string;
  /** A header's value (several joined by `, `), or undefined. Names in any case. */
  header(name: string): string | undefined;
  /** The body as a stream (read it once). */
  body(): Readable;
  /** The owner `authorize` names for this request; null means 401. */
  owner(): Promise<string | null>;
  /** Sends an informational (1xx) response before the final one, where the runtime can. */
  inform?(status: number, reason: string, headers: Record<string, string>): void;
}

/** One answer: a status, headers, and a one-line text body (or a problem+json document). */
export interface ProtocolReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** What CORS must let a page on another origin send and read. */
export interface CorsNeeds {
  methods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
}

/** One wire protocol: requests in, calls on the upload service, answers out. */
export interface WireProtocol {
  cors: CorsNeeds;
  /** Answers `request`, or undefined when it is not this protocol's (another one, or `next()`). */
  handle(request: ProtocolRequest, service: UploadService): Promise<ProtocolReply | null | undefined>;
  /** How this protocol words a failure no module caught (500, 507). */
  failure(status: number, message: string): ProtocolReply;
}

/** A client mistake, answered with its status and one-line reason. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
