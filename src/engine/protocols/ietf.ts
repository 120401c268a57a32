// IETF Resumable Uploads for HTTP (draft-ietf-httpbis-resumable-upload, interop 8 = draft-09 to -11;
// interop 6 = draft-04/-05 on request). Browsers can't see 104 Upload Resumption Supported, so the
// upload is created by an empty POST with `Upload-Complete: ?0` and its URL read from `Location`.
// Loaded on demand by `ietf()` in index.ts.
import {
  UPLOAD_COMPLETE,
  UPLOAD_DRAFT_INTEROP_VERSION,
  UPLOAD_LENGTH,
  UPLOAD_LIMIT,
  UPLOAD_OFFSET,
} from '../../shared/headers.js';
import { UploadError } from '../errors.js';
import type { TransportResponse } from '../transport.js';
import { digestHeaders, httpError, integrityError, isOk, learnWanted, ok, request, slice } from './http.js';
import { UrlMemory, absolute, memoryKey } from './memory.js';
import type { IetfOptions } from './options.js';
import type {
  Protocol,
  ProtocolSession,
  RequestContext,
  ServerLimits,
  ServerOffset,
  SessionInit,
} from './types.js';

/** An sf-integer Item, parameters ignored (`Upload-Offset: 100;x=1` is 100). */
export function parseItem(value: string | null): number | null {
  const m = /^\s*(\d{1,15})\s*(?:;|$)/.exec(value ?? '');
  return m ? Number(m[1]) : null;
}

/** `Upload-Limit`, an sf-dictionary of integers; a known key with another type voids the whole field. */
export function parseLimit(value: string | null): Record<string, number> | null {
  if (!value) return null;
  const out: Record<string, number> = {};
  for (const member of value.split(',')) {
    const [key, raw = '?1'] = member.split(';')[0].trim().split('=');
    if (!key) continue;
    const n = /^\d{1,15}$/.test(raw.trim()) ? Number(raw) : null;
    if (n === null) {
      if (['max-size', 'min-size', 'max-append-size', 'min-append-size', 'max-age', 'expires'].includes(key))
        return null;
      continue;
    }
    out[key] = n;
  }
  return out;
}

/** `Upload-Complete: ?1`; only exactly `?1` is true. */
const completeIn = (res: TransportResponse): boolean => res.header(UPLOAD_COMPLETE)?.trim() === '?1';

export class IetfSession implements ProtocolSession {
  url: string | null;
  readonly limits: ServerLimits = {};
  private readonly endpoint: string;
  private readonly memory: UrlMemory;
  private readonly interop: Record<string, string>;
  /** The digests the server asked for (`Want-Content-Digest`, `Want-Repr-Digest`). */
  private readonly wanted = { content: false, repr: false };

  constructor(
    private readonly init: SessionInit,
    options: IetfOptions,
  ) {
    this.endpoint = absolute(init.endpoint);
    this.interop = { [UPLOAD_DRAFT_INTEROP_VERSION]: String(options.interopVersion ?? 8) };
    this.memory = new UrlMemory(
      memoryKey('ietf', this.endpoint, init.fileId),
      options.storage,
      options.maxAge,
    );
    this.url = init.url ?? this.memory.recall();
  }

  async offset(ctx: RequestContext, create = true): Promise<ServerOffset | null> {
    const size = this.init.file.size;
    if (this.url) {
      const response = this.learn(
        await request(ctx, { method: 'HEAD', url: this.url, headers: { ...this.interop } }),
      );
      if (isOk(response)) {
        const offset = parseItem(response.header(UPLOAD_OFFSET));
        if (offset === null)
          throw new UploadError('protocol', 'HEAD answered without an Upload-Offset', { response });
        return { offset, complete: completeIn(response) && offset === size, response };
      }
      // 408, 423, 429 and 5xx are worth a retry; any other 4xx means the upload is gone: create anew.
      if (new UploadError('http', '', { response }).retryable || response.status < 400)
        ok('Offset request', response);
      this.drop();
    }
    if (!create) return null;
    const response = ok(
      'Creation',
      this.learn(
        await request(ctx, {
          method: 'POST',
          url: this.endpoint,
          headers: { ...this.interop, [UPLOAD_COMPLETE]: '?0', [UPLOAD_LENGTH]: String(size) },
        }),
      ),
    );
    const location = response.header('Location');
    if (!location) throw new UploadError('protocol', 'Creation answered without a Location', { response });
    this.url = absolute(location, this.endpoint);
    this.remember(response);
    return { offset: parseItem(response.header(UPLOAD_OFFSET)) ?? 0, complete: false, response };
  }

  async append(ctx: RequestContext, start: number, end: number, onProgress: (loaded: number) => void) {
    const size = this.init.file.size;
    if (!this.url) throw new UploadError('protocol', 'No upload URL to append to');
    const last = end === size;
    const digested = digestHeaders(ctx.digest, this.wanted);
    const response = this.learn(
      await request(ctx, {
        method: 'PATCH',
        url: this.url,
        headers: {
          ...this.interop,
          'Content-Type': 'application/partial-upload',
          [UPLOAD_OFFSET]: String(start),
          [UPLOAD_COMPLETE]: last ? '?1' : '?0',
          [UPLOAD_LENGTH]: String(size),
          ...digested,
        },
        body: slice(this.init.file, start, end),
        onProgress,
      }),
    );
    // Gone: the next ask creates a new upload.
    if (response.status === 404 || response.status === 410) this.drop();
    // A digest the server found wrong: it kept nothing of the body (RFC 9530 names no status; ours says 400).
    if (response.status === 400 && Object.keys(digested).length) {
      const error = httpError('Upload', response);
      if (/digest/i.test(error.responseText)) throw integrityError(error);
    }
    ok('Upload', response);
    this.remember(response);
    // Interop 8 drops Upload-Offset from 2xx answers: a 2xx means the whole body was taken.
    const offset = parseItem(response.header(UPLOAD_OFFSET)) ?? end;
    return { offset, complete: last && offset === size, response };
  }

  async terminate(ctx: RequestContext): Promise<void> {
    const url = this.url;
    this.drop();
    if (url)
      await request(ctx, { method: 'DELETE', url, headers: { ...this.interop } }).catch(() => undefined);
  }

  finish(): void {
    this.memory.forget();
  }

  private drop(): void {
    this.url = null;
    this.memory.forget();
  }

  /** Remembers the URL until the server's `max-age` (interop 6: `expires`) runs out. */
  private remember(response: TransportResponse): void {
    if (!this.url) return;
    const limit = parseLimit(response.header(UPLOAD_LIMIT));
    const age = limit?.['max-age'] ?? limit?.expires;
    this.memory.remember(
      this.url,
      age === undefined ? null : new Date(Date.now() + age * 1000).toUTCString(),
    );
  }

  /** Reads `Upload-Limit` from any answer (a 413 carries it too): sizes requests before they are sent. */
  private learn(response: TransportResponse): TransportResponse {
    learnWanted(response, this.wanted);
    const limit = parseLimit(response.header(UPLOAD_LIMIT));
    if (limit?.['max-size'] !== undefined) this.limits.maxSize = limit['max-size'];
    if (limit?.['max-append-size'] !== undefined) this.limits.maxAppendSize = limit['max-append-size'];
    return response;
  }
}

/** The IETF protocol with its options; `ietf()` in index.ts loads this on demand. */
export const ietfProtocol = (options: IetfOptions = {}): Protocol => ({
  name: 'ietf',
  open: (init) => new IetfSession(init, options),
});
