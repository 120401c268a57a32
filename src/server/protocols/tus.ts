import {
  REPR_DIGEST,
  TUS_CHECKSUM_ALGORITHM,
  TUS_EXTENSION,
  TUS_MAX_SIZE,
  TUS_RESUMABLE,
  TUS_VERSION,
  UPLOAD_CHECKSUM,
  UPLOAD_DEFER_LENGTH,
  UPLOAD_EXPIRES,
  UPLOAD_LENGTH,
  UPLOAD_METADATA,
  UPLOAD_OFFSET,
  WANT_REPR_DIGEST,
} from '../../shared/headers.js';
import type { UploadService } from '../service.js';
import { UploadProblem } from '../service.js';
import type { ExpectedDigest } from '../stores/types.js';
import { admit, filesKey, filesTarget, newUploadId, uploadLocation } from './files.js';
import type { FilesTarget } from './files.js';
import { byteHeader } from './status-upload.js';
import { WANT_DIGESTS, agreedDigest, reprDigest } from './digest.js';
import type { CorsNeeds, ProtocolReply, ProtocolRequest, WireProtocol } from './types.js';
import { HttpError } from './types.js';

const VERSION = '1.0.0';
const EXTENSIONS = 'creation,creation-with-upload,creation-defer-length,termination,expiration,checksum';
/** tus checksum names -> node:crypto hash names. */
const CHECKSUMS: Record<string, string> = { sha1: 'sha1', sha256: 'sha256', sha512: 'sha512', md5: 'md5' };
const OCTETS = 'application/offset+octet-stream';
const METADATA_PAIR = /^[^\s,]+( [A-Za-z0-9+/]*={0,2})?$/;
/** tus has no field for the whole file's digest: ours takes RFC 9530 `Repr-Digest` with the last PATCH. */
const wantRepr = { [WANT_REPR_DIGEST]: WANT_DIGESTS[WANT_REPR_DIGEST] };

const reply = (status: number, body = '', headers: Record<string, string> = {}): ProtocolReply => ({
  status,
  body,
  headers: { [TUS_RESUMABLE]: VERSION, ...headers },
});

/** What a page on another origin may send and read. */
const CORS: CorsNeeds = {
  // GET too: a browser's preflight for the IETF protocol's GET offset request comes here.
  methods: ['POST', 'HEAD', 'GET', 'PATCH', 'DELETE'],
  allowHeaders: [
    TUS_RESUMABLE,
    UPLOAD_LENGTH,
    UPLOAD_DEFER_LENGTH,
    UPLOAD_METADATA,
    UPLOAD_OFFSET,
    UPLOAD_CHECKSUM,
    REPR_DIGEST,
    'X-HTTP-Method-Override',
    'X-Requested-With',
    'X-Request-ID',
  ],
  exposeHeaders: [
    'Location',
    UPLOAD_OFFSET,
    UPLOAD_LENGTH,
    UPLOAD_DEFER_LENGTH,
    UPLOAD_METADATA,
    UPLOAD_EXPIRES,
    TUS_RESUMABLE,
    TUS_VERSION,
    TUS_EXTENSION,
    TUS_MAX_SIZE,
    TUS_CHECKSUM_ALGORITHM,
    WANT_REPR_DIGEST,
    REPR_DIGEST,
  ],
};

/** tus 1.0.0: core, creation, creation-with-upload, creation-defer-length, termination, expiration, checksum. */
export function createTusProtocol(filesPath: string): WireProtocol {
  return {
    cors: CORS,
    failure: (status, message) => reply(status, message),
    handle: (req, service) => handle(req, service, filesPath),
  };
}

/** A request below `filesPath`: discovery and the version check first, then the upload's own answer. */
async function handle(
  req: ProtocolRequest,
  service: UploadService,
  filesPath: string,
): Promise<ProtocolReply | null | undefined> {
  const target = filesTarget(req.path, filesPath);
  if (!target) return undefined;
  const method = (req.header('x-http-method-override') ?? req.method).toUpperCase();
  if (method === 'OPTIONS') return reply(204, '', { ...discovery(service), ...wantRepr });
  if (req.header(TUS_RESUMABLE) !== VERSION) {
    return reply(
      412,
      `Tus-Resumable: ${VERSION} is required (or Upload-Draft-Interop-Version for the IETF protocol)`,
      { [TUS_VERSION]: VERSION },
    );
  }
  try {
    return await route(req, service, filesPath, target, method);
  } catch (err) {
    if (err instanceof HttpError) return reply(err.status, err.message, err.headers);
    if (err instanceof UploadProblem) return problemReply(err, service);
    throw err;
  }
}

/** The method, the owner, then create, offset (HEAD), append (PATCH) or terminate (DELETE). */
async function route(
  req: ProtocolRequest,
  service: UploadService,
  filesPath: string,
  target: FilesTarget,
  method: string,
): Promise<ProtocolReply | null> {
  const { owner, target: known } = await admit(req, service, target, method, ['HEAD', 'PATCH', 'DELETE']);
  if (known.kind === 'collection') return create(req, service, owner, filesPath);
  const key = filesKey(service, owner, known.id);
  if (method === 'HEAD') return head(service, key);
  if (method === 'PATCH') return patch(req, service, key);
  await service.terminate(key);
  return reply(204);
}

function discovery(service: UploadService): Record<string, string> {
  const { maxSize } = service.config;
  return {
    [TUS_VERSION]: VERSION,
    [TUS_EXTENSION]: EXTENSIONS,
    [TUS_CHECKSUM_ALGORITHM]: Object.keys(CHECKSUMS).join(','),
    ...(Number.isFinite(maxSize) ? { [TUS_MAX_SIZE]: String(maxSize) } : {}),
  };
}

async function create(
  req: ProtocolRequest,
  service: UploadService,
  owner: string,
  filesPath: string,
): Promise<ProtocolReply | null> {
  const length = byteHeader(req, UPLOAD_LENGTH);
  const defer = req.header(UPLOAD_DEFER_LENGTH);
  if (defer !== undefined && defer !== '1') throw new HttpError(400, 'Upload-Defer-Length must be 1');
  if ((length === undefined) === (defer === undefined)) {
    throw new HttpError(400, 'Exactly one of Upload-Length and Upload-Defer-Length is required');
  }
  const metadata = req.header(UPLOAD_METADATA);
  if (metadata !== undefined) checkMetadata(metadata);
  // Checked before anything is created: a refused creation leaves no upload behind.
  const digest = checksum(req);
  const id = newUploadId();
  const key = filesKey(service, owner, id);
  await service.create(key, { owner, id, size: length ?? null, metadata });
  const location = uploadLocation(req, filesPath, id);
  const hasBody = req.header('content-type')?.split(';')[0].trim().toLowerCase() === OCTETS;
  const bodyLength = byteHeader(req, 'Content-Length');
  if (length === 0 || (hasBody && bodyLength !== 0)) {
    // creation-with-upload (and an empty file, complete at once).
    const outcome = await service.append(key, {
      start: 0,
      body: req.body(),
      bodyLength: hasBody ? bodyLength : 0,
      digest,
      reprDigest: reprDigest(req),
      sizeName: UPLOAD_LENGTH,
    });
    if (!outcome.answered) return null;
    return reply(201, '', {
      Location: location,
      [UPLOAD_OFFSET]: String(outcome.offset),
      ...(await expires(service, key, outcome.complete)),
      ...wantRepr,
      ...agreedDigest(outcome.sha256),
    });
  }
  return reply(201, '', {
    Location: location,
    [UPLOAD_OFFSET]: '0',
    ...(await expires(service, key, false)),
    ...wantRepr,
  });
}

async function head(service: UploadService, key: string): Promise<ProtocolReply> {
  const state = await service.find(key);
  const size = state.complete?.size ?? state.record?.size ?? null;
  const offset = state.complete ? state.complete.size : await service.offset(key);
  const metadata = state.record?.metadata ?? state.complete?.metadata;
  const headers: Record<string, string> = {
    [UPLOAD_OFFSET]: String(offset),
    ...(size === null ? { [UPLOAD_DEFER_LENGTH]: '1' } : { [UPLOAD_LENGTH]: String(size) }),
    ...(metadata !== undefined ? { [UPLOAD_METADATA]: metadata } : {}),
    ...(await expires(service, key, state.complete !== null)),
    ...wantRepr,
  };
  return reply(200, '', headers);
}

async function patch(
  req: ProtocolRequest,
  service: UploadService,
  key: string,
): Promise<ProtocolReply | null> {
  if (req.header('content-type')?.split(';')[0].trim().toLowerCase() !== OCTETS) {
    throw new HttpError(415, `Content-Type must be ${OCTETS}`);
  }
  const start = byteHeader(req, UPLOAD_OFFSET);
  if (start === undefined) throw new HttpError(400, 'Upload-Offset header is required');
  const size = byteHeader(req, UPLOAD_LENGTH);
  const digest = checksum(req);
  // Not found and expired are the service's: it asks nothing before the lock, so the first request gets it.
  const outcome = await service.append(key, {
    start,
    body: req.body(),
    bodyLength: byteHeader(req, 'Content-Length'),
    size,
    digest,
    reprDigest: reprDigest(req),
    sizeName: UPLOAD_LENGTH,
  });
  if (!outcome.answered) return null;
  return reply(204, '', {
    [UPLOAD_OFFSET]: String(outcome.offset),
    ...(await expires(service, key, outcome.complete)),
    ...wantRepr,
    ...agreedDigest(outcome.sha256),
  });
}

/** `Upload-Checksum: sha1 <base64>`; an unknown algorithm is a 400. */
function checksum(req: ProtocolRequest): ExpectedDigest | undefined {
  const header = req.header(UPLOAD_CHECKSUM);
  if (header === undefined) return undefined;
  const m = /^([a-z0-9-]+) ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!m) throw new HttpError(400, 'Upload-Checksum must be "<algorithm> <base64 digest>"');
  const algorithm = CHECKSUMS[m[1]];
  if (!algorithm) {
    throw new HttpError(
      400,
      `Upload-Checksum algorithm ${m[1]} is not supported (${Object.keys(CHECKSUMS).join(', ')})`,
    );
  }
  return { algorithm, value: Buffer.from(m[2], 'base64') };
}

function checkMetadata(header: string): void {
  const seen = new Set<string>();
  for (const pair of header.split(',')) {
    const trimmed = pair.trim();
    if (!METADATA_PAIR.test(trimmed)) {
      throw new HttpError(400, 'Upload-Metadata must be comma-separated "key base64value" pairs');
    }
    const [name, value = ''] = trimmed.split(' ');
    if (value.length % 4 !== 0) throw new HttpError(400, `Upload-Metadata value of ${name} is not base64`);
    if (seen.has(name)) throw new HttpError(400, `Upload-Metadata has ${name} twice`);
    seen.add(name);
  }
}

async function expires(
  service: UploadService,
  key: string,
  complete: boolean,
): Promise<Record<string, string>> {
  if (complete) return {};
  const at = await service.expiresAt(key);
  return at === undefined ? {} : { [UPLOAD_EXPIRES]: new Date(at).toUTCString() };
}

function problemReply(problem: UploadProblem, service: UploadService): ProtocolReply {
  const offset: Record<string, string> =
    problem.offset === undefined ? {} : { [UPLOAD_OFFSET]: String(problem.offset) };
  switch (problem.code) {
    case 'not-found':
      return reply(404, problem.message);
    case 'gone':
      return reply(410, problem.message);
    case 'busy':
      // tus-js-client retries a 423 with its back-off, then asks HEAD.
      return reply(423, problem.message);
    case 'offset-mismatch':
      return reply(409, problem.message, offset);
    case 'completed':
    case 'past-size':
      return reply(413, problem.message);
    case 'too-large':
      return reply(413, problem.message, discovery(service));
    case 'digest-mismatch':
    case 'repr-mismatch':
      return reply(460, problem.message);
    case 'hook-failed':
      return reply(500, problem.message);
    default:
      return reply(400, problem.message);
  }
}
