import { randomBytes } from 'node:crypto';
import type { UploadService } from '../service.js';
import type { ProtocolRequest } from './types.js';
import { HttpError } from './types.js';

/** What a path below the files endpoint names. */
export type FilesTarget = { kind: 'collection' } | { kind: 'upload'; id: string } | { kind: 'unknown' };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `/files`, `/files/` -> the collection; `/files/<id>` -> one upload; elsewhere -> undefined (not ours). */
export function filesTarget(path: string, filesPath: string): FilesTarget | undefined {
  if (path === filesPath || path === `${filesPath}/`) return { kind: 'collection' };
  if (!path.startsWith(`${filesPath}/`)) return undefined;
  const id = path.slice(filesPath.length + 1);
  return ID.test(id) ? { kind: 'upload', id } : { kind: 'unknown' };
}

/** The request's owner; a missing or empty one is a 401 (HttpError, answered in each protocol's own form). */
export async function requireOwner(req: ProtocolRequest): Promise<string> {
  const owner = await req.owner();
  if (typeof owner !== 'string' || owner === '') throw new HttpError(401, 'Unauthorized');
  return owner;
}

/**
 * What tus and IETF ask before a request below the files endpoint reaches an upload: a known target (404),
 * a method it takes (405, with Allow: the collection takes POST, an upload `uploadMethods`), an owner (401).
 * Refusals are HttpErrors, which each protocol answers in its own form.
 */
export async function admit(
  req: ProtocolRequest,
  service: UploadService,
  target: FilesTarget,
  method: string,
  uploadMethods: readonly string[],
): Promise<{ owner: string; target: Exclude<FilesTarget, { kind: 'unknown' }> }> {
  if (target.kind === 'unknown') throw new HttpError(404, 'Upload not found');
  const allowed = target.kind === 'collection' ? ['POST'] : uploadMethods;
  if (!allowed.includes(method)) {
    throw new HttpError(405, `Method ${method} is not allowed here`, {
      Allow: [...allowed, 'OPTIONS'].join(', '),
    });
  }
  await service.initialized();
  return { owner: await requireOwner(req), target };
}

/** 128 random bits, URL-safe: an upload's id and the last segment of its URL. */
export const newUploadId = (): string => randomBytes(16).toString('base64url');

/** The upload's URL as an absolute path, so it works wherever the handler is mounted. */
export const uploadLocation = (req: ProtocolRequest, filesPath: string, id: string): string =>
  `${req.base}${filesPath}/${id}`;

/** tus and IETF uploads share one namespace: either protocol can resume the other's upload. */
export const filesKey = (service: UploadService, owner: string, id: string): string =>
  service.key(owner, id, 'files');

/** Seconds until an incomplete upload expires, if it does. */
export async function secondsLeft(service: UploadService, key: string): Promise<number | undefined> {
  const at = await service.expiresAt(key);
  return at === undefined ? undefined : Math.max(0, Math.floor((at - Date.now()) / 1000));
}
