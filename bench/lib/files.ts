// Random test files under /tmp, made once and reused across rounds and runs.
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const WORK = process.env.BENCH_TMP ?? '/tmp/resumable-upload-bench';
const BLOCK = 16 * 1024 * 1024;

/** A file of `bytes` random bytes at WORK/name, kept when it already has that size. */
export function randomFile(name: string, bytes: number): string {
  mkdirSync(WORK, { recursive: true });
  const path = join(WORK, name);
  try {
    if (statSync(path).size === bytes) return path;
  } catch {
    // missing: write it
  }
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(Math.min(BLOCK, bytes));
  for (let done = 0; done < bytes;) {
    const n = Math.min(buf.length, bytes - done);
    randomFillSync(buf, 0, n);
    done += writeSync(fd, buf, 0, n);
  }
  closeSync(fd);
  return path;
}

const hashes = new Map<string, string>();

export async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }))
    h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The source file's hash, computed once per run. */
export async function sourceHash(path: string): Promise<string> {
  let h = hashes.get(path);
  if (!h) hashes.set(path, (h = await sha256(path)));
  return h;
}
