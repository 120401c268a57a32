import { randomBytes } from 'node:crypto';
import type { UploadService } from '../service.js';
import type { ProtocolRequest } from './types.js';

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
