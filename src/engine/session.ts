// What an Upload hands its protocol's session and reads back from it: the request context, the session's
// opening, the offset an answer gives. Kept apart so upload.ts reads as its state machine.
import { UploadError } from './errors.js';
import type { UploaderOptions } from './options.js';
import type { ProtocolSession, RequestContext, ServerOffset } from './protocols/types.js';
import { XhrTransport } from './transport.js';

/** Header values must be ASCII: percent-encode anything else (and `%` itself, so it stays unambiguous). */
export const encodeHeaderValue = (id: string): string =>
  id.replace(/[^\x20-\x24\x26-\x7e]/gu, (c) => encodeURIComponent(c));

let sharedTransport: XhrTransport | null = null;

/** What every request of one attempt needs, from the options as they are now. */
export function requestContext(options: UploaderOptions, file: File, signal: AbortSignal): RequestContext {
  const { headers, withCredentials, stallTimeout, transport } = options;
  return {
    // Asked before every request, so a function can hand out a fresh token each time.
    headers: async () => {
      try {
        return typeof headers === 'function' ? await headers(file) : headers;
      } catch (cause) {
        throw new UploadError('client', `The headers function failed: ${String(cause)}`, { cause });
      }
    },
    withCredentials,
    stallTimeout,
    signal,
    transport: transport ?? (sharedTransport ??= new XhrTransport()),
  };
}

/** Opens a session with the protocol chosen now (tus and IETF load their code first). */
export async function openSession(
  options: () => UploaderOptions,
  upload: { file: File; fileId: string; headerId: string; handed?: string },
): Promise<ProtocolSession> {
  const { protocol, endpoint, metadata, integrity } = options();
  return protocol.open({
    file: upload.file,
    fileId: upload.fileId,
    headerId: upload.headerId,
    endpoint,
    metadata,
    statusUrl: () => options().statusUrl,
    uploadUrl: () => options().uploadUrl,
    integrity,
    url: upload.handed,
  });
}

/** The offset an answer gives, checked against the file and against what a restored copy can still send. */
export function offsetOf(answer: ServerOffset | null, size: number, readableFrom: number): number {
  const offset = answer?.offset ?? (answer?.complete ? size : null);
  if (offset === null)
    throw new UploadError('protocol', 'The server did not say how many bytes it holds', {
      response: answer?.response,
    });
  if (offset > size) throw new UploadError('protocol', `Server holds ${offset} bytes of a ${size}-byte file`);
  if (offset < readableFrom)
    throw new UploadError('client', 'The saved copy lacks bytes the server lost: pick the file again');
  return offset;
}

/**
 * For a stalled append (TransportRequest.stillMoving): whether the server holds more than when last asked,
 * from `start` on. A failed ask counts as not moving.
 */
export function movedSince(
  session: ProtocolSession,
  ctx: RequestContext,
  start: number,
): () => Promise<boolean> {
  let seen = start;
  return async () => {
    try {
      const now = (await session.offset(ctx, false))?.offset ?? seen;
      const moved = now > seen;
      seen = Math.max(seen, now);
      return moved;
    } catch {
      return false;
    }
  };
}
