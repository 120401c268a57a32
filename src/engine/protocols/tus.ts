// tus 1.0.0 (tus.io/protocols/resumable-upload): creation, creation-with-upload, termination,
// expiration and checksum. Loaded on demand by `tus()` in index.ts.
import {
  TUS_CHECKSUM_ALGORITHM,
  TUS_EXTENSION,
  TUS_MAX_SIZE,
  TUS_RESUMABLE,
  UPLOAD_CHECKSUM,
  UPLOAD_EXPIRES,
  UPLOAD_LENGTH,
  UPLOAD_METADATA,
  UPLOAD_OFFSET,
} from '../../shared/headers.js';
import { UploadError, checkSize } from '../errors.js';
import type { TransportResponse } from '../transport.js';
import {
  digestHeaders,
  httpError,
  integrityError,
  isOk,
  learnWanted,
  ok,
  parseOffset,
  request,
  slice,
} from './http.js';
import { UrlMemory, absolute, memoryKey } from './memory.js';
import type { TusOptions } from './options.js';
import type {
  Protocol,
  ProtocolSession,
  RequestContext,
  ServerLimits,
  ServerOffset,
  SessionInit,
} from './types.js';

const TUS = { [TUS_RESUMABLE]: '1.0.0' };
/** Every answer of a tus server carries it: an error without it came from something in between. */
const MARK = TUS_RESUMABLE;
const OCTETS = 'application/offset+octet-stream';
/** Checksummed bodies are read into memory whole: keep them small. */
const CHECKSUM_MAX_BODY = 16 * 1024 * 1024;

/** Base64 of a string's UTF-8 bytes, as Upload-Metadata wants its values. */
const base64 = (bytes: Uint8Array): string => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));

/** `filename` and `filetype` from the file, then the application's pairs: `key base64,key base64`. */
export function encodeMetadata(file: File, metadata: Readonly<Record<string, string>>): string {
  const pairs: Record<string, string> = {
    filename: file.name,
    ...(file.type && { filetype: file.type }),
    ...metadata,
  };
  return Object.entries(pairs)
    .filter(([key]) => /^[^\s,]+$/.test(key))
    .map(([key, value]) => (value ? `${key} ${base64(new TextEncoder().encode(value))}` : key))
    .join(',');
}

/** The OPTIONS answer of each endpoint, asked once per page. */
const discovered = new Map<string, Promise<TransportResponse | null>>();

export class TusSession implements ProtocolSession {
  url: string | null;
  readonly limits: ServerLimits = {};
  private readonly endpoint: string;
  private readonly memory: UrlMemory;
  private readonly extensions = new Set<string>();
  private checksum = false;
  /** Ours asks for the file's digest with the last PATCH (`Want-Repr-Digest`); tus has no field for it. */
  private readonly wanted = { content: false, repr: false };

  constructor(
    private readonly init: SessionInit,
    private readonly options: TusOptions,
  ) {
    this.endpoint = absolute(init.endpoint);
    this.memory = new UrlMemory(
      memoryKey('tus', this.endpoint, init.fileId),
      options.storage,
      options.maxAge,
    );
    this.url = init.url ?? this.memory.recall();
  }

  async offset(ctx: RequestContext, create = true): Promise<ServerOffset | null> {
    const size = this.init.file.size;
    if (this.url) {
      const response = this.learn(await request(ctx, { method: 'HEAD', url: this.url, headers: { ...TUS } }));
      if (isOk(response)) {
        const offset = parseOffset(response.header(UPLOAD_OFFSET));
        if (offset === null)
          throw new UploadError('protocol', 'HEAD answered without an Upload-Offset', { response });
        return { offset, complete: offset === size, response };
      }
      // Locked, or the server failing: worth a retry. Any other 4xx: the upload is gone, create anew.
      if (response.status === 423 || !(response.status >= 400 && response.status < 500))
        ok('Offset request', response, MARK);
      this.drop();
    }
    if (!create) return null;
    // With integrity, OPTIONS tells whether the server takes `Upload-Checksum`.
    if (this.options.discover || this.init.integrity) await this.discover(ctx);
    checkSize(size, this.limits.maxSize);
    // With creation-with-upload the first append creates the upload, carrying its first bytes.
    if (size > 0 && this.withUpload()) return { offset: 0, complete: false };
    const response = this.created(
      await request(ctx, { method: 'POST', url: this.endpoint, headers: this.creationHeaders() }),
    );
    return { offset: 0, complete: size === 0, response };
  }

  async append(ctx: RequestContext, start: number, end: number, onProgress: (loaded: number) => void) {
    const size = this.init.file.size;
    const body = slice(this.init.file, start, end);
    const headers: Record<string, string> = { ...TUS, 'Content-Type': OCTETS };
    let response: TransportResponse;
    if (!this.url) {
      response = await request(ctx, {
        method: 'POST',
        url: this.endpoint,
        headers: { ...this.creationHeaders(), 'Content-Type': OCTETS, ...this.checksumHeaders(ctx) },
        body,
        onProgress,
      });
      // A damaged first body: the next attempt creates again.
      if (response.status === 460) throw integrityError(httpError('Creation', response, MARK));
      this.created(response);
    } else {
      headers[UPLOAD_OFFSET] = String(start);
      if (ctx.digest) Object.assign(headers, this.checksumHeaders(ctx));
      else if (this.checksum && body.size <= CHECKSUM_MAX_BODY)
        headers[UPLOAD_CHECKSUM] = `sha256 ${base64(
          new Uint8Array(await crypto.subtle.digest('SHA-256', await body.arrayBuffer())),
        )}`;
      response = this.learn(
        await request(ctx, { method: 'PATCH', url: this.url, headers, body, onProgress }),
      );
      // Expired or removed: the next ask creates a new upload.
      if (response.status === 404 || response.status === 410) this.drop();
      // Checksum mismatch: the server kept nothing of this body.
      if (response.status === 460) throw integrityError(httpError('Upload', response, MARK));
      ok('Upload', response, MARK);
      this.memory.renew(this.url, response.header(UPLOAD_EXPIRES));
    }
    const offset = parseOffset(response.header(UPLOAD_OFFSET));
    return { offset, complete: offset === size, response };
  }

  async terminate(ctx: RequestContext): Promise<void> {
    const url = this.url;
    this.drop();
    if (url) await request(ctx, { method: 'DELETE', url, headers: { ...TUS } }).catch(() => undefined);
  }

  finish(): void {
    this.memory.forget();
  }

  private drop(): void {
    this.url = null;
    this.memory.forget();
  }

  /** `Upload-Checksum` of the body where the server takes sha256, and the file's digest where it asked. */
  private checksumHeaders(ctx: RequestContext): Record<string, string> {
    if (!ctx.digest) return {};
    return {
      ...(this.checksum && { [UPLOAD_CHECKSUM]: `sha256 ${ctx.digest.body}` }),
      ...digestHeaders(ctx.digest, { content: false, repr: this.wanted.repr }),
    };
  }

  private withUpload(): boolean {
    return this.options.creationWithUpload === true || this.extensions.has('creation-with-upload');
  }

  private creationHeaders(): Record<string, string> {
    const { file, metadata } = this.init;
    return {
      ...TUS,
      [UPLOAD_LENGTH]: String(file.size),
      [UPLOAD_METADATA]: encodeMetadata(file, metadata),
    };
  }

  /** A creation answer: 2xx with a Location, which is remembered. */
  private created(response: TransportResponse): TransportResponse {
    ok('Creation', this.learn(response), MARK);
    const location = response.header('Location');
    if (!location) throw new UploadError('protocol', 'Creation answered without a Location', { response });
    this.url = absolute(location, this.endpoint);
    this.memory.remember(this.url, response.header(UPLOAD_EXPIRES));
    return response;
  }

  /** Reads what any answer announces: extensions, the size limit, checksum algorithms. */
  private learn(response: TransportResponse): TransportResponse {
    learnWanted(response, this.wanted);
    for (const e of (response.header(TUS_EXTENSION) ?? '').split(','))
      if (e.trim()) this.extensions.add(e.trim());
    const max = parseOffset(response.header(TUS_MAX_SIZE));
    if (max !== null) this.limits.maxSize = max;
    const algorithms = (response.header(TUS_CHECKSUM_ALGORITHM) ?? '').toLowerCase().split(/\s*,\s*/);
    if (this.extensions.has('checksum') && algorithms.includes('sha256')) {
      this.checksum = true;
      this.limits.maxAppendSize = Math.min(this.limits.maxAppendSize ?? Infinity, CHECKSUM_MAX_BODY);
    }
    return response;
  }

  private async discover(ctx: RequestContext): Promise<void> {
    let asked = discovered.get(this.endpoint);
    if (!asked) {
      // OPTIONS carries no Tus-Resumable (the spec says clients should not send it there).
      // A failed ask is not kept: the next upload asks again.
      asked = request(ctx, { method: 'OPTIONS', url: this.endpoint, headers: {} }).then(
        (r) => (isOk(r) ? r : null),
        () => (discovered.delete(this.endpoint), null),
      );
      discovered.set(this.endpoint, asked);
    }
    const response = await asked;
    if (response) this.learn(response);
  }
}

/** The tus protocol with its options; `tus()` in index.ts loads this on demand. */
export const tusProtocol = (options: TusOptions = {}): Protocol => ({
  name: 'tus',
  open: (init) => new TusSession(init, options),
});
