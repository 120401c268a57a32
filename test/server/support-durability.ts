// What the durability suites share: how much of a partial file is on disk, and an article-protocol
// append opened with its headers only, so the test decides what its body does next.
import { stat } from 'node:fs/promises';
import { openRequest, waitFor } from './helpers.js';

export const sizeOnDisk = async (path: string): Promise<number | undefined> =>
  (await stat(path).catch(() => undefined))?.size;

/** Waits until the partial file holds at least `n` bytes: the server has written them (not yet fsynced). */
export const untilOnDisk = (path: string, n: number) =>
  waitFor(`${n} bytes in ${path}`, async () => ((await sizeOnDisk(path)) ?? 0) >= n || undefined);

export function openUpload(base: string, id: string, startByte: number, length: number, size: number) {
  return openRequest(`${base}/upload`, 'POST', {
    'X-File-Id': id,
    'X-Start-Byte': String(startByte),
    'X-File-Size': String(size),
    'Content-Length': String(length),
  });
}
