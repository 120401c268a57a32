import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

export interface SourceFile {
  path: string;
  name: string;
  size: number;
  sha256: string;
}

/** Writes `size` random bytes to `dir/name` and hashes them on the way. */
export async function makeFile(dir: string, name: string, size: number): Promise<SourceFile> {
  const path = join(dir, name);
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let left = size; left > 0;) {
      const block = randomBytes(Math.min(left, 1024 * 1024));
      hash.update(block);
      await file.write(block);
      left -= block.length;
    }
  } finally {
    await file.close();
  }
  return { path, name, size, sha256: hash.digest('hex') };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const MiB = 1024 * 1024;
export const KiB = 1024;
