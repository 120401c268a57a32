import {
  CONTENT_DIGEST,
  REPR_DIGEST,
  UPLOAD_COMPLETE,
  UPLOAD_DRAFT_INTEROP_VERSION,
  UPLOAD_LENGTH,
  UPLOAD_LIMIT,
  UPLOAD_OFFSET,
} from '../../shared/headers.js';
import type { UploadService } from '../service.js';
import { UploadProblem } from '../service.js';
import { DIGEST_RESPONSE_HEADERS, WANT_DIGESTS, agreedDigest, contentDigest, reprDigest } from './digest.js';
import { admit, filesKey, filesTarget, newUploadId, secondsLeft, uploadLocation } from './files.js';
import type { FilesTarget } from './files.js';
import type { CorsNeeds, ProtocolReply, ProtocolRequest, WireProtocol } from './types.js';
import { HttpError } from './types.js';

/** Interop versions answered: 8 (draft -09 to -11, the newest) and 6 (draft -04/-05, tus-js-client 4.x). */
export const IETF_INTEROP_VERSIONS = [5, 6, 7, 8] as const;
const NEWEST = 8;
const PARTIAL = 'application/partial-upload';
const PROBLEMS = 'https://iana.org/assignments/http-problem-types#';

/** One request's protocol facts: the interop version decides a few names and codes. */
interface Dialect {
  version: number;
}

/** What a page on another origin may send and read. */
const CORS: CorsNeeds = {
  methods: ['POST', 'HEAD', 'PATCH', 'DELETE'],
  allowHeaders: [
    UPLOAD_DRAFT_INTEROP_VERSION,
    UPLOAD_COMPLETE,
    UPLOAD_OFFSET,
    UPLOAD_LENGTH,
    CONTENT_DIGEST,
    REPR_DIGEST,
    'Content-Disposition',
  ],
  exposeHeaders: [
    'Location',
    UPLOAD_OFFSET,
    UPLOAD_LENGTH,
    UPLOAD_COMPLETE,
    UPLOAD_LIMIT,
    ...DIGEST_RESPONSE_HEADERS,
  ],
};

/**
 * "Resumable Uploads for HTTP" (draft-ietf-httpbis-resumable-upload), told apart from tus by
 * `Upload-Draft-Interop-Version`. Creation by POST (`Upload-Complete`), offset by HEAD, append by PATCH
 * (`application/partial-upload`), cancel by DELETE; problems as application/problem+json.
 */
export function createIetfProtocol(filesPath: string): WireProtocol {
  return {
    cors: CORS,
    failure: (status, message) => problem(status, message),
    handle: (req, service) => handle(req, service, filesPath),
  };
}

/** Ours when below `filesPath` with `Upload-Draft-Interop-Version`; a version we do not speak is a 400. */
async function handle(
  req: ProtocolRequest,
  service: UploadService,
  filesPath: string,
): Promise<ProtocolReply | null | undefined> {
  const target = filesTarget(req.path, filesPath);
  const versionHeader = req.header(UPLOAD_DRAFT_INTEROP_VERSION);
  if (!target || versionHeader === undefined) return undefined;
  const version = interopVersion(versionHeader);
  if (version === undefined) {
    return problem(
      400,
      `Upload-Draft-Interop-Version ${versionHeader} is not supported (${IETF_INTEROP_VERSIONS.join(', ')})`,
    );
  }
  const dialect: Dialect = { version };
  try {
    return await route(req, service, filesPath, target, dialect);
  } catch (err) {
    if (err instanceof HttpError) return problem(err.status, err.message, {}, err.headers);
    if (err instanceof UploadProblem) return problemReply(err, dialect);
    throw err;
  }
}

/** An interop version we answer, or undefined. */
function interopVersion(header: string): number | undefined {
  // An sf-integer item (parameters allowed): `8.0`, `0x8` and `+8` are not versions.
  const item = header.split(';')[0].trim();
  const version = /^[0-9]{1,15}$/.test(item) ? Number(item) : NaN;
  return (IETF_INTEROP_VERSIONS as readonly number[]).includes(version) ? version : undefined;
}

/** OPTIONS, the method, the owner, then create, offset (HEAD, GET), append (PATCH) or cancel (DELETE). */
async function route(
  req: ProtocolRequest,
  service: UploadService,
  filesPath: string,
  target: FilesTarget,
  dialect: Dialect,
): Promise<ProtocolReply | null> {
  if (req.method === 'OPTIONS') {
    return answer(204, {
      'Accept-Patch': PARTIAL,
      [UPLOAD_LIMIT]: limits(service, dialect),
      ...WANT_DIGESTS,
    });
  }
  const uploadMethods = ['HEAD', 'GET', 'PATCH', 'DELETE'];
  const { owner, target: known } = await admit(req, service, target, req.method, uploadMethods);
  if (known.kind === 'collection') return create(req, service, owner, filesPath, dialect);
  const key = filesKey(service, owner, known.id);
  if (req.method === 'HEAD' || req.method === 'GET') return head(req, service, key, dialect);
  if (req.method === 'PATCH') return append(req, service, key, dialect);
  await service.terminate(key);
  return answer(204);
}

const answer = (status: number, headers: Record<string, string> = {}, body = ''): ProtocolReply => ({
  status,
  headers,
  body,
});

/** An RFC 9457 problem document. */
function problem(
  status: number,
  title: string,
  members: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): ProtocolReply {
  const { type = 'about:blank', ...rest } = members;
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type, title, status, ...rest }),
  };
}

/** `Upload-Limit`: the dictionary of limits; `min-size=0` when there are none. */
function limits(service: UploadService, dialect: Dialect, maxAge?: number): string {
  const parts: string[] = [];
  const { maxSize, expireAfter } = service.config;
  if (Number.isFinite(maxSize)) parts.push(`max-size=${maxSize}`);
  const age = maxAge ?? (Number.isFinite(expireAfter) ? Math.floor(expireAfter / 1000) : undefined);
  if (age !== undefined) parts.push(`${dialect.version >= 7 ? 'max-age' : 'expires'}=${age}`);
  return parts.length ? parts.join(', ') : 'min-size=0';
}

/** Proxies name themselves in these; many of them fail on a 1xx other than 100 (nginx over HTTP/2). */
const PROXY_HEADERS = ['via', 'forwarded', 'x-forwarded-for', 'x-real-ip'];

/**
 * A 104 is worth sending only before a body (an empty creation's final answer follows at once), and not
 * through a proxy: a Chromium page behind nginx with HTTP/2 lost its creation request to a forwarded 104.
 */
function interimWanted(req: ProtocolRequest, bodyLength: number | undefined): boolean {
  const body = (bodyLength ?? 0) > 0 || req.header('transfer-encoding') !== undefined;
  return body && !PROXY_HEADERS.some((name) => req.header(name) !== undefined);
}

/** An sf-boolean: `?1`, `?0`, else undefined. */
function flag(req: ProtocolRequest, name: string): boolean | undefined {
  const value = req.header(name)?.trim();
  return value === '?1' ? true : value === '?0' ? false : undefined;
}

/** An sf-integer item (parameters ignored); anything else is a 400. */
function integer(req: ProtocolRequest, name: string): number | undefined {
  const value = req.header(name);
  if (value === undefined) return undefined;
  const item = value.split(';')[0].trim();
  if (!/^[0-9]{1,15}$/.test(item)) throw new HttpError(400, `${name} must be a non-negative integer`);
  return Number(item);
}

function completeFlag(req: ProtocolRequest): boolean {
  const complete = flag(req, UPLOAD_COMPLETE);
  if (complete === undefined) throw new HttpError(400, 'Upload-Complete must be ?1 or ?0');
  return complete;
}

async function create(
  req: ProtocolRequest,
  service: UploadService,
  owner: string,
  filesPath: string,
  dialect: Dialect,
): Promise<ProtocolReply | null> {
  const complete = completeFlag(req);
  const size = integer(req, UPLOAD_LENGTH);
  const bodyLength = integer(req, 'Content-Length');
  const implied = complete && bodyLength !== undefined ? bodyLength : undefined;
  if (size !== undefined && implied !== undefined && size !== implied) {
    throw new UploadProblem(
      'size-mismatch',
      `Upload-Length ${size} disagrees with the request's content (${implied})`,
    );
  }
  const id = newUploadId();
  const key = filesKey(service, owner, id);
  await service.create(key, { owner, id, size: size ?? implied ?? null });
  const location = uploadLocation(req, filesPath, id);
  // Clients that read interim responses learn where to resume before the body is sent (browsers cannot).
  if (interimWanted(req, bodyLength)) {
    req.inform?.(104, 'Upload Resumption Supported', {
      Location: location,
      [UPLOAD_DRAFT_INTEROP_VERSION]: String(dialect.version),
      [UPLOAD_LIMIT]: limits(service, dialect),
    });
  }
  const outcome = await service.append(key, {
    start: 0,
    body: req.body(),
    bodyLength,
    final: complete,
    digest: contentDigest(req),
    reprDigest: reprDigest(req),
    sizeName: UPLOAD_LENGTH,
    takeoverAfter: 0,
  });
  if (!outcome.answered) return null;
  return answer(201, {
    Location: location,
    [UPLOAD_OFFSET]: String(outcome.offset),
    [UPLOAD_COMPLETE]: outcome.complete ? '?1' : '?0',
    [UPLOAD_LIMIT]: limits(service, dialect, await secondsLeft(service, key)),
    ...WANT_DIGESTS,
    ...agreedDigest(outcome.sha256),
  });
}

async function head(
  req: ProtocolRequest,
  service: UploadService,
  key: string,
  dialect: Dialect,
): Promise<ProtocolReply> {
  if ([UPLOAD_OFFSET, UPLOAD_COMPLETE, UPLOAD_LENGTH].some((h) => req.header(h) !== undefined)) {
    throw new HttpError(
      400,
      'An offset request must not carry Upload-Offset, Upload-Complete or Upload-Length',
    );
  }
  const state = await service.find(key);
  const size = state.complete?.size ?? state.record?.size ?? null;
  const offset = state.complete ? state.complete.size : await service.offset(key);
  return answer(204, {
    [UPLOAD_OFFSET]: String(offset),
    [UPLOAD_COMPLETE]: state.complete ? '?1' : '?0',
    ...(size === null ? {} : { [UPLOAD_LENGTH]: String(size) }),
    [UPLOAD_LIMIT]: limits(service, dialect, state.complete ? undefined : await secondsLeft(service, key)),
    ...WANT_DIGESTS,
  });
}

async function append(
  req: ProtocolRequest,
  service: UploadService,
  key: string,
  dialect: Dialect,
): Promise<ProtocolReply | null> {
  const type = req.header('content-type')?.split(';')[0].trim().toLowerCase();
  if (dialect.version >= 6 && type !== PARTIAL) throw new HttpError(415, `Content-Type must be ${PARTIAL}`);
  const start = integer(req, UPLOAD_OFFSET);
  if (start === undefined) throw new HttpError(400, 'Upload-Offset header is required');
  const complete = completeFlag(req);
  // Not found and expired are the service's: it asks nothing before the lock, so the first request gets it.
  const outcome = await service
    .append(key, {
      start,
      body: req.body(),
      bodyLength: integer(req, 'Content-Length'),
      size: integer(req, UPLOAD_LENGTH),
      final: complete,
      digest: contentDigest(req),
      reprDigest: reprDigest(req),
      sizeName: UPLOAD_LENGTH,
      // The draft recommends that a new request take over from an older one at once.
      takeoverAfter: 0,
    })
    .catch((err: unknown) => {
      if (err instanceof UploadProblem) return problemReply(err, dialect, start);
      throw err;
    });
  if (!('answered' in outcome)) return outcome;
  if (!outcome.answered) return null;
  if (outcome.complete)
    return answer(200, {
      [UPLOAD_OFFSET]: String(outcome.offset),
      [UPLOAD_COMPLETE]: '?1',
      ...agreedDigest(outcome.sha256),
    });
  return answer(dialect.version >= 7 ? 204 : 201, {
    [UPLOAD_OFFSET]: String(outcome.offset),
    [UPLOAD_COMPLETE]: '?0',
  });
}

function problemReply(err: UploadProblem, dialect: Dialect, provided?: number): ProtocolReply {
  const incomplete = { [UPLOAD_COMPLETE]: '?0' };
  switch (err.code) {
    case 'not-found':
      return problem(404, err.message);
    case 'gone':
      return problem(410, err.message);
    case 'busy':
    case 'offset-mismatch':
      return problem(
        409,
        'Upload-Offset does not match the offset of the upload',
        {
          type: `${PROBLEMS}mismatching-upload-offset`,
          'expected-offset': err.offset,
          ...(provided === undefined ? {} : { 'provided-offset': provided }),
        },
        { ...incomplete, [UPLOAD_OFFSET]: String(err.offset ?? 0) },
      );
    case 'size-mismatch':
      return problem(
        400,
        err.message,
        dialect.version >= 7 ? { type: `${PROBLEMS}inconsistent-upload-length` } : {},
        incomplete,
      );
    case 'completed':
      // Content for an upload that is already whole: interop 6 has a problem type for it; from 7 on (draft -11)
      // it is an inconsistent length (the editor's copy drops completed-upload).
      return problem(400, err.message, {
        type: `${PROBLEMS}${dialect.version >= 7 ? 'inconsistent-upload-length' : 'completed-upload'}`,
      });
    case 'too-large':
    case 'past-size':
      return problem(413, err.message, {}, incomplete);
    case 'digest-mismatch':
      return problem(
        400,
        'Content-Digest does not match the content: nothing of it was kept',
        {},
        incomplete,
      );
    case 'repr-mismatch':
      return problem(400, err.message, {}, incomplete);
    case 'hook-failed':
      return problem(500, err.message);
    default:
      return problem(400, err.message);
  }
}

export { NEWEST as IETF_NEWEST_INTEROP_VERSION };
