import { parseByteCount } from '../../shared/byte-count.js';
import { CONTENT_DIGEST, REPR_DIGEST, WANT_CONTENT_DIGEST, WANT_REPR_DIGEST } from '../../shared/headers.js';
import { UploadError } from '../errors.js';
import type { TransportRequest, TransportResponse } from '../transport.js';
import type { BodyDigest, RequestContext } from './types.js';

/** A plain non-negative decimal byte count (surrounding whitespace allowed), or null. */
export const parseOffset = (text: string | null): number | null => parseByteCount(text?.trim()) ?? null;

/** RFC 9110's reason phrases: XHR's statusText is empty over HTTP/2, and a proxy's page may have no title. */
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  507: 'Insufficient Storage',
};

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** A page's text as one line: entities decoded, whitespace collapsed. */
const oneLine = (text: string): string =>
  text
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) =>
      e[0] === '#' ? String.fromCharCode(Number(e.slice(1))) : (ENTITIES[e.toLowerCase()] ?? m),
    )
    .replace(/\s+/g, ' ')
    .trim();

/** Whether an answer is a web page (a proxy's or a static server's), not an upload server's. */
export const isHtml = (res: TransportResponse): boolean =>
  /html/i.test(res.header('Content-Type') ?? '') || /^<(!doctype|html|head|body)\b/i.test(res.body.trim());

/**
 * The one-line reason of an answer, for people: the server's own first line as it is; a web page's
 * title (or the status text) marked "from a proxy"; an RFC 9457 problem's title and detail (or a JSON
 * error's message); the status text for an empty body. `protocolHeader` is one every answer of the
 * protocol carries (tus: `Tus-Resumable`): an answer without it came from something in between.
 */
export function reasonOf(res: TransportResponse, protocolHeader?: string): string {
  const body = res.body.trim();
  const phrase = PHRASES[res.status] ?? '';
  const html = isHtml(res);
  let reason: string;
  if (html) {
    const title = oneLine(/<title[^>]*>([^<]*)/i.exec(body)?.[1] ?? '')
      // nginx and others title their pages "502 Bad Gateway": the status is said already.
      .replace(new RegExp(`^(error\\s*)?${res.status}\\b[\\s:.|-]*`, 'i'), '');
    reason = title || phrase;
  } else if (/json/i.test(res.header('Content-Type') ?? '') || /^\{[\s\S]*\}$/.test(body)) {
    reason = jsonReason(body) ?? body.split('\n')[0];
  } else reason = body.split('\n')[0] || phrase;
  reason = reason.slice(0, 300);
  const foreign = html || (protocolHeader !== undefined && res.header(protocolHeader) === null);
  return foreign ? `${reason || `HTTP ${res.status}`} (from a proxy)` : reason;
}

/** `title: detail` of a problem+json body, or the `message`/`error` string of another JSON error. */
function jsonReason(body: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object') return null;
  const pick = (key: string): string => {
    const v = (json as Record<string, unknown>)[key];
    return typeof v === 'string' ? oneLine(v) : '';
  };
  const title = pick('title');
  const detail = pick('detail') || pick('message') || pick('error');
  return title && detail && title !== detail ? `${title}: ${detail}` : title || detail || null;
}

/** A non-2xx answer as an UploadError whose `responseText` is its one-line reason (see reasonOf). */
export function httpError(what: string, res: TransportResponse, protocolHeader?: string): UploadError {
  const reason = reasonOf(res, protocolHeader);
  return new UploadError('http', `${what} failed with ${res.status}${reason ? `: ${reason}` : ''}`, {
    response: res,
    responseText: reason,
  });
}

export type RequestParts = Pick<TransportRequest, 'method' | 'url' | 'headers' | 'body' | 'onProgress'>;

/** Sends one request with the user's headers under the protocol's; any answer resolves. */
export async function request(ctx: RequestContext, req: RequestParts): Promise<TransportResponse> {
  return ctx.transport.send({
    ...req,
    headers: { ...(await ctx.headers()), ...req.headers },
    withCredentials: ctx.withCredentials,
    signal: ctx.signal,
    stallTimeout: ctx.stallTimeout,
    stillMoving: req.body ? ctx.stillMoving : undefined,
  });
}

export const isOk = (res: TransportResponse): boolean => res.status >= 200 && res.status <= 299;

/** Rejects a non-2xx answer; `protocolHeader` as in reasonOf. */
export function ok(what: string, res: TransportResponse, protocolHeader?: string): TransportResponse {
  if (!isOk(res)) throw httpError(what, res, protocolHeader);
  return res;
}

/** Sends one request and rejects a non-2xx answer. */
export const send = async (
  ctx: RequestContext,
  what: string,
  req: RequestParts,
): Promise<TransportResponse> => ok(what, await request(ctx, req));

/** Chromium sends a File twice as fast as a Blob sliced from it: slice only when we must. */
export const slice = (file: File, start: number, end: number): Blob =>
  start === 0 && end === file.size ? file : file.slice(start, end);

/** Which RFC 9530 digests the server asked for (`Want-Content-Digest`, `Want-Repr-Digest` with sha-256). */
export interface WantedDigests {
  content: boolean;
  repr: boolean;
}

const wants = (res: TransportResponse, field: string): boolean =>
  /(?:^|,)\s*sha-256\s*=\s*(?:[1-9]|10)\s*(?:,|$)/i.test(res.header(field) ?? '');

/** Reads an answer's `Want-*-Digest` fields into `wanted` (a field once seen stays). */
export function learnWanted(res: TransportResponse, wanted: WantedDigests): void {
  wanted.content ||= wants(res, WANT_CONTENT_DIGEST);
  wanted.repr ||= wants(res, WANT_REPR_DIGEST);
}

/** The digest fields an append carries: only those the server asked for, so others see no new header. */
export function digestHeaders(digest: BodyDigest | undefined, wanted: WantedDigests): Record<string, string> {
  const out: Record<string, string> = {};
  if (!digest) return out;
  if (wanted.content) out[CONTENT_DIGEST] = `sha-256=:${digest.body}:`;
  if (wanted.repr && digest.file) out[REPR_DIGEST] = `sha-256=:${digest.file}:`;
  return out;
}

/** A refusal of a body's digest, as the state machine knows it: ask the offset and send the body again. */
export const integrityError = (e: UploadError): UploadError =>
  new UploadError('integrity', e.message, {
    response: e.response ?? undefined,
    responseText: e.responseText,
  });
