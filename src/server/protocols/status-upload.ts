import { X_FILE_ID, X_FILE_SIZE, X_START_BYTE } from '../../shared/headers.js';
import { parseByteCount } from '../options.js';
import type { UploadService } from '../service.js';
import { UploadProblem } from '../service.js';
import {
  DIGEST_REQUEST_HEADERS,
  DIGEST_RESPONSE_HEADERS,
  WANT_DIGESTS,
  agreedDigest,
  contentDigest,
  reprDigest,
} from './digest.js';
import type { ProtocolReply, ProtocolRequest, WireProtocol } from './types.js';
import { HttpError } from './types.js';
import { requireOwner } from './files.js';

const ROUTES: Record<string, { methods: readonly string[]; allow: string }> = {
  '/status': { methods: ['GET', 'HEAD'], allow: 'GET, HEAD, OPTIONS' },
  '/upload': { methods: ['POST'], allow: 'POST, OPTIONS' },
};

const text = (status: number, body: string, headers: Record<string, string> = {}): ProtocolReply => ({
  status,
  body,
  headers,
});

/**
 * The article's protocol: `GET status` answers the stored byte count of `X-File-Id`; `POST upload`
 * appends its body at `X-Start-Byte`; `X-File-Size` (our addition) says when the file is whole.
 */
export const statusUpload: WireProtocol = {
  cors: {
    methods: ['GET', 'POST'],
    allowHeaders: [X_FILE_ID, X_START_BYTE, X_FILE_SIZE, ...DIGEST_REQUEST_HEADERS],
    exposeHeaders: [...DIGEST_RESPONSE_HEADERS],
  },
  failure: (status, message) => text(status, message),
  async handle(req, service) {
    const route = ROUTES[req.path];
    if (!route) return undefined;
    if (req.method === 'OPTIONS') return text(204, '', { Allow: route.allow });
    if (!route.methods.includes(req.method)) {
      return text(405, `Method ${req.method} is not allowed here`, { Allow: route.allow });
    }
    try {
      await service.initialized();
      const owner = await requireOwner(req);
      const header = req.header(X_FILE_ID);
      if (header === undefined || header === '') return text(400, 'X-File-Id header is required');
      const fileId = decodeId(header);
      const key = service.key(owner, fileId);
      if (req.path === '/status')
        return text(200, String(await service.offset(key)), { Connection: 'close', ...WANT_DIGESTS });
      return await upload(req, service, key, owner, fileId);
    } catch (err) {
      if (err instanceof HttpError) return text(err.status, err.message);
      if (err instanceof UploadProblem) return problemReply(err);
      throw err;
    }
  },
};

async function upload(
  req: ProtocolRequest,
  service: UploadService,
  key: string,
  owner: string,
  id: string,
): Promise<ProtocolReply | null> {
  const start = byteHeader(req, X_START_BYTE);
  if (start === undefined) throw new HttpError(400, 'X-Start-Byte header is required');
  const size = byteHeader(req, X_FILE_SIZE);
  const bodyLength = byteHeader(req, 'Content-Length');
  const { maxSize } = service.config;
  if (size !== undefined && size > maxSize) {
    throw new HttpError(413, `X-File-Size exceeds the limit of ${maxSize} bytes`);
  }
  if (size !== undefined && start > size) throw new HttpError(400, 'X-Start-Byte is past X-File-Size');
  if (start + (bodyLength ?? 0) > maxSize)
    throw new HttpError(413, `Upload exceeds the limit of ${maxSize} bytes`);
  if (size !== undefined && bodyLength !== undefined && start + bodyLength > size) {
    throw new HttpError(413, 'Body runs past X-File-Size');
  }
  const outcome = await service.append(key, {
    start,
    body: req.body(),
    bodyLength,
    size,
    create: { owner, id },
    digest: contentDigest(req),
    reprDigest: reprDigest(req),
    sizeName: X_FILE_SIZE,
  });
  if (!outcome.answered) return null; // the connection is gone; what arrived is kept and durable
  return text(200, String(outcome.offset), agreedDigest(outcome.sha256));
}

/** 409s carry the offset as their body: the client goes on from there. */
function problemReply(problem: UploadProblem): ProtocolReply {
  switch (problem.code) {
    case 'busy':
    case 'offset-mismatch':
      return text(409, String(problem.offset));
    // The article's client asks status after any 409 and goes on from there: here, the start of this body.
    case 'digest-mismatch':
      return text(
        409,
        `Content-Digest does not match the body: nothing of it was kept (${problem.offset} bytes stored)`,
      );
    case 'repr-mismatch':
      return text(409, problem.message);
    case 'completed':
      // A body at the size of a complete upload has nowhere to go.
      return text(413, problem.message);
    case 'too-large':
    case 'past-size':
      return text(413, problem.message);
    case 'size-mismatch':
      return text(400, problem.message);
    case 'hook-failed':
      return text(500, problem.message);
    default:
      return text(400, problem.message);
  }
}

function decodeId(header: string): string {
  try {
    return decodeURIComponent(header);
  } catch {
    return header;
  }
}

/** A byte-count header: undefined when absent; anything but plain decimal digits is a 400. */
export function byteHeader(req: ProtocolRequest, name: string): number | undefined {
  const value = req.header(name);
  if (value === undefined) return undefined;
  const n = parseByteCount(value);
  if (n === undefined) throw new HttpError(400, `${name} must be a non-negative decimal integer`);
  return n;
}
