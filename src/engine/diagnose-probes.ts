// The requests diagnose() sends, one set per protocol: a tiny ask, a throwaway upload that takes a body
// of a given size and is deleted after (where the protocol can delete), and the offset of that upload.
import {
  TUS_RESUMABLE,
  TUS_VERSION,
  UPLOAD_COMPLETE,
  UPLOAD_DRAFT_INTEROP_VERSION,
  UPLOAD_LENGTH,
  UPLOAD_METADATA,
  UPLOAD_OFFSET,
  X_FILE_ID,
  X_START_BYTE,
} from '../shared/headers.js';
import { UploadError } from './errors.js';
import { isHtml, isOk, ok, parseOffset, reasonOf, request, type RequestParts } from './protocols/http.js';
import { parseItem } from './protocols/ietf.js';
import { absolute } from './protocols/memory.js';
import type { RequestContext } from './protocols/types.js';
import type { TransportResponse } from './wire.js';

/** What a finding says: whether all is well, what was seen, and what to do about it. */
export interface Verdict {
  ok: boolean;
  detail: string;
  fix?: string;
}

/** One throwaway upload on the server. */
export interface Scratch {
  /** The request that appends `body` at `start` (for the streaming probe, sent with fetch). */
  append(start: number, body: Blob | null): RequestParts;
  /** How many bytes the server holds. */
  offset(): Promise<number>;
  /** Deletes the upload where the protocol can; never rejects. */
  remove(): Promise<void>;
}

export interface Probe {
  /** The URL the tiny requests go to. */
  url: string;
  /** A tiny request that speaks the protocol and changes nothing. */
  ask(): Promise<TransportResponse>;
  /** Whether the answer of ask() is the protocol's. */
  speaks(res: TransportResponse): Verdict;
  /** A new throwaway upload, for bodies up to `size` bytes in all (never completed). */
  scratch(size: number): Promise<Scratch>;
  /** Response headers a browser must be allowed to read (Access-Control-Expose-Headers). */
  exposes: readonly string[];
  /** True when nothing can be deleted: the probe's bytes stay until the server's expiry. */
  leavesData: boolean;
}

/** A name no real upload has. */
const throwaway = () =>
  `resumable-upload-diagnose-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** "not an upload endpoint" for an HTML answer, else the answer's reason. */
function notSpoken(res: TransportResponse, what: string, fix: string): Verdict {
  if (isHtml(res))
    return {
      ok: false,
      detail: `${what} answered a web page (${res.status}), not the protocol: not an upload endpoint`,
      fix,
    };
  return { ok: false, detail: `${what} answered ${res.status}: ${reasonOf(res) || 'no reason'}`, fix };
}

/** The article's protocol: GET status with X-File-Id; POST upload at X-Start-Byte. */
export function statusUploadProbe(
  ctx: RequestContext,
  urls: { statusUrl: string; uploadUrl: string },
): Probe {
  const statusUrl = absolute(urls.statusUrl);
  const uploadUrl = absolute(urls.uploadUrl);
  const status = (id: string) =>
    request(ctx, { method: 'GET', url: statusUrl, headers: { [X_FILE_ID]: id } });
  const fix =
    'Point status-url at the upload server\'s status route (e.g. "/status" where it is mounted); ' +
    "a static file server or an app's fallback page answers HTML for any path";
  return {
    url: statusUrl,
    ask: () => status(throwaway()),
    speaks(res) {
      const held = isOk(res) ? parseOffset(res.body) : null;
      if (held !== null)
        return { ok: true, detail: `GET ${statusUrl} answers a byte count (${held}): status-upload` };
      return notSpoken(res, `GET ${statusUrl}`, fix);
    },
    async scratch() {
      const id = throwaway();
      const offset = async () => {
        const res = ok('Status request', await status(id));
        const n = parseOffset(res.body);
        if (n === null) throw new UploadError('protocol', 'Status answered no byte count', { response: res });
        return n;
      };
      return {
        // No X-File-Size: the upload never completes, so no completion hook runs for it.
        append: (start, body) => ({
          method: 'POST',
          url: uploadUrl,
          headers: { [X_FILE_ID]: id, [X_START_BYTE]: String(start) },
          body: body ?? undefined,
        }),
        offset,
        remove: async () => {},
      };
    },
    exposes: [],
    leavesData: true,
  };
}

const TUS = { [TUS_RESUMABLE]: '1.0.0' };

/** tus 1.0: OPTIONS answers Tus-Version; creation, PATCH, HEAD, DELETE. */
export function tusProbe(ctx: RequestContext, endpoint: string): Probe {
  const url = absolute(endpoint);
  return {
    url,
    ask: () => request(ctx, { method: 'OPTIONS', url, headers: {} }),
    speaks(res) {
      const versions = res.header(TUS_VERSION);
      if (isOk(res) && versions?.split(',').some((v) => v.trim() === '1.0.0'))
        return { ok: true, detail: `OPTIONS ${url} answers Tus-Version: ${versions}: tus 1.0` };
      const fix = 'Point endpoint at the tus server\'s creation URL (e.g. "/files/")';
      if (isOk(res) && !isHtml(res))
        return {
          ok: false,
          detail: `OPTIONS ${url} answered ${res.status} without Tus-Version: not a tus server, or it does not expose Tus-Version`,
          fix: `${fix}; cross-origin, expose Tus-Version (Access-Control-Expose-Headers)`,
        };
      return notSpoken(res, `OPTIONS ${url}`, fix);
    },
    async scratch(size) {
      const created = ok(
        'Creation',
        await request(ctx, {
          method: 'POST',
          url,
          // One byte more than is ever sent: the upload never completes, so no completion hook runs.
          headers: { ...TUS, [UPLOAD_LENGTH]: String(size + 1), [UPLOAD_METADATA]: 'filename ZGlhZ25vc2U=' },
        }),
        TUS_RESUMABLE,
      );
      return filesScratch(ctx, created, url, TUS, 'application/offset+octet-stream', parseOffset);
    },
    exposes: ['Location', UPLOAD_OFFSET, TUS_VERSION],
    leavesData: false,
  };
}

/** IETF draft (interop 8): OPTIONS with the interop version; creation, PATCH, HEAD, DELETE. */
export function ietfProbe(ctx: RequestContext, endpoint: string): Probe {
  const url = absolute(endpoint);
  const interop = { [UPLOAD_DRAFT_INTEROP_VERSION]: '8' };
  return {
    url,
    ask: () => request(ctx, { method: 'OPTIONS', url, headers: { ...interop } }),
    speaks(res) {
      if (isOk(res) && !isHtml(res) && res.header(TUS_VERSION) === null)
        return {
          ok: true,
          detail: `OPTIONS ${url} with interop version 8 answers ${res.status}: IETF resumable uploads`,
        };
      const fix = 'Point endpoint at the server\'s IETF creation URL (e.g. "/files/")';
      if (isOk(res) && !isHtml(res))
        return {
          ok: false,
          detail: `OPTIONS ${url} answers as a tus server (Tus-Version), not for interop version 8`,
          fix: `Use protocol "tus", or ${fix[0].toLowerCase()}${fix.slice(1)}`,
        };
      return notSpoken(res, `OPTIONS ${url}`, fix);
    },
    async scratch(size) {
      const created = ok(
        'Creation',
        await request(ctx, {
          method: 'POST',
          url,
          headers: { ...interop, [UPLOAD_COMPLETE]: '?0', [UPLOAD_LENGTH]: String(size + 1) },
        }),
      );
      return filesScratch(ctx, created, url, interop, 'application/partial-upload', parseItem, true);
    },
    exposes: ['Location', UPLOAD_OFFSET],
    leavesData: false,
  };
}

/** A tus or IETF upload made by `created`: PATCH at an offset, HEAD, DELETE. */
function filesScratch(
  ctx: RequestContext,
  created: TransportResponse,
  endpoint: string,
  headers: Record<string, string>,
  contentType: string,
  parse: (value: string | null) => number | null,
  ietf = false,
): Scratch {
  const location = created.header('Location');
  if (!location)
    throw new UploadError('protocol', 'Creation answered without a Location', { response: created });
  const url = absolute(location, endpoint);
  return {
    append: (start, body) => ({
      method: 'PATCH',
      url,
      headers: {
        ...headers,
        'Content-Type': contentType,
        [UPLOAD_OFFSET]: String(start),
        ...(ietf && { [UPLOAD_COMPLETE]: '?0' }),
      },
      body: body ?? undefined,
    }),
    async offset() {
      const res = ok('Offset request', await request(ctx, { method: 'HEAD', url, headers: { ...headers } }));
      const n = parse(res.header(UPLOAD_OFFSET));
      if (n === null)
        throw new UploadError('protocol', 'HEAD answered without an Upload-Offset', { response: res });
      return n;
    },
    remove: () =>
      request(ctx, { method: 'DELETE', url, headers: { ...headers } }).then(
        () => undefined,
        () => undefined,
      ),
  };
}
