import { UploadError } from '../errors.js';
import type { TransportResponse } from '../transport.js';
import type { ChunkResult, Protocol, ProtocolContext } from './types.js';

const DECIMAL = /^\d{1,16}$/;

/** A plain non-negative decimal byte count, or null. */
export function parseOffset(text: string): number | null {
  const t = text.trim();
  if (!DECIMAL.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

function httpError(what: string, res: TransportResponse): UploadError {
  const reason = res.body.trim().split('\n')[0].slice(0, 500);
  return new UploadError('http', `${what} failed with ${res.status}${reason ? `: ${reason}` : ''}`, {
    response: res,
  });
}

/**
 * The article's protocol: `GET status` answers the stored byte count; `POST upload` appends
 * the body at `X-Start-Byte`. `X-File-Size` is our addition so the server knows when the file is whole.
 */
export class StatusUploadProtocol implements Protocol {
  constructor(
    private readonly statusUrl: () => string,
    private readonly uploadUrl: () => string,
  ) {}

  async getOffset(ctx: ProtocolContext) {
    const response = await ctx.transport.send({
      method: 'GET',
      url: this.statusUrl(),
      headers: { ...(await ctx.headers()), 'X-File-Id': ctx.headerId },
      withCredentials: ctx.withCredentials,
      signal: ctx.signal,
      stallTimeout: ctx.stallTimeout,
    });
    if (response.status < 200 || response.status > 299) throw httpError('Status request', response);
    const offset = parseOffset(response.body);
    if (offset === null)
      throw new UploadError(
        'protocol',
        `Status answered ${JSON.stringify(response.body.slice(0, 40))}, not a byte count`,
        { response },
      );
    return { offset, response };
  }

  async sendChunk(
    ctx: ProtocolContext,
    start: number,
    end: number,
    onProgress: (loaded: number) => void,
  ): Promise<ChunkResult> {
    const response = await ctx.transport.send({
      method: 'POST',
      url: this.uploadUrl(),
      headers: {
        ...(await ctx.headers()),
        'X-File-Id': ctx.headerId,
        'X-Start-Byte': String(start),
        'X-File-Size': String(ctx.file.size),
      },
      // Chromium sends a File twice as fast as a Blob sliced from it: slice only when we must.
      body: start === 0 && end === ctx.file.size ? ctx.file : ctx.file.slice(start, end),
      withCredentials: ctx.withCredentials,
      signal: ctx.signal,
      stallTimeout: ctx.stallTimeout,
      stillMoving: ctx.stillMoving,
      onProgress,
    });
    if (response.status < 200 || response.status > 299) throw httpError('Upload', response);
    return { offset: parseOffset(response.body), response };
  }
}
