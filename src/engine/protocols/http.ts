import { UploadError } from '../errors.js';
import type { TransportRequest, TransportResponse } from '../transport.js';
import type { RequestContext } from './types.js';

const DECIMAL = /^\d{1,16}$/;

/** A plain non-negative decimal byte count, or null. */
export function parseOffset(text: string | null): number | null {
  const t = (text ?? '').trim();
  if (!DECIMAL.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** A non-2xx answer as an UploadError with the first line of the server's reason. */
export function httpError(what: string, res: TransportResponse): UploadError {
  const reason = res.body.trim().split('\n')[0].slice(0, 500);
  return new UploadError('http', `${what} failed with ${res.status}${reason ? `: ${reason}` : ''}`, {
    response: res,
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

/** Rejects a non-2xx answer. */
export function ok(what: string, res: TransportResponse): TransportResponse {
  if (!isOk(res)) throw httpError(what, res);
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
