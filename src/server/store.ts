import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The sidecar kept beside each upload. */
export interface UploadMeta {
  owner: string;
  id: string;
  /** Total size; null while the client has not said it (the article's client never does). */
  size: number | null;
  createdAt: string;
  completedAt?: string;
}

/** What the disk says about one upload. */
export interface UploadState {
  /** The partial upload's sidecar, if any. */
  meta: UploadMeta | null;
  /** Bytes of the partial file (0 when there is none). */
  offset: number;
  /** Set once the file has been renamed into `complete/`; `notified` once `onComplete` succeeded. */
  complete: { size: number; notified: boolean } | null;
}

const KEY = /^[0-9a-f]{64}$/;

/**
 * The durable file store. Layout under `dir`:
 *   partial/<key>        bytes received so far; its size is the offset
 *   partial/<key>.json   sidecar (owner, id, size, createdAt), replaced atomically
 *   complete/<key>       the finished file, renamed from partial/
 *   complete/<key>.json  sidecar moved here once onComplete succeeded
 * where key = sha256(owner + '\0' + id): the id never becomes a path.
 */
export class FileStore {
  readonly dir: string;
  readonly #partial: string;
  readonly #complete: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.#partial = join(this.dir, 'partial');
    this.#complete = join(this.dir, 'complete');
  }

  async init(): Promise<void> {
    await mkdir(this.#partial, { recursive: true });
    await mkdir(this.#complete, { recursive: true });
  }

  key(owner: string, id: string): string {
    return createHash('sha256').update(`${owner}\0${id}`, 'utf8').digest('hex');
  }

  partialPath(key: string): string {
    return join(this.#partial, key);
  }

  completePath(key: string): string {
    return join(this.#complete, key);
  }

  /** The byte count status answers when nobody is writing: completed size, else the partial file's size. */
  async offset(key: string): Promise<number> {
    const partial = await sizeOf(this.partialPath(key));
    if (partial !== undefined) return partial;
    return (await this.#completion(key))?.size ?? 0;
  }

  async inspect(key: string): Promise<UploadState> {
    const complete = await this.#completion(key);
    const meta = await readMeta(`${this.partialPath(key)}.json`);
    const offset = complete ? 0 : ((await sizeOf(this.partialPath(key))) ?? 0);
    return { meta, offset, complete };
  }

  /** Writes the partial upload's sidecar: temp file, fsync, rename, fsync of the folder. */
  async writeMeta(key: string, meta: UploadMeta): Promise<void> {
    await writeJsonAtomic(`${this.partialPath(key)}.json`, meta);
  }

  /** Moves the full partial file into `complete/` (one rename: readers see all of it or none). */
  async complete(key: string): Promise<void> {
    await rename(this.partialPath(key), this.completePath(key));
    await Promise.all([fsyncDir(this.#complete), fsyncDir(this.#partial)]);
  }

  /** Records that onComplete succeeded: the sidecar moves to `complete/`. */
  async finalize(key: string, meta: UploadMeta): Promise<void> {
    await writeJsonAtomic(`${this.completePath(key)}.json`, {
      ...meta,
      completedAt: new Date().toISOString(),
    });
    await unlinkIfPresent(`${this.partialPath(key)}.json`);
    await fsyncDir(this.#partial);
  }

  /** Deletes an incomplete upload: the bytes first, so a crash in between leaves only an empty record. */
  async remove(key: string): Promise<void> {
    await unlinkIfPresent(this.partialPath(key));
    await unlinkIfPresent(`${this.partialPath(key)}.json`);
  }

  /** Keys with something in `partial/`, and leftover temp files (from a crash mid-write) with their age. */
  async scan(): Promise<{ keys: string[]; temps: Array<{ path: string; mtimeMs: number }> }> {
    const keys = new Set<string>();
    const temps: Array<{ path: string; mtimeMs: number }> = [];
    for (const name of await readdir(this.#partial)) {
      const base = name.endsWith('.json') ? name.slice(0, -5) : name;
      if (KEY.test(base)) keys.add(base);
      else if (name.endsWith('.tmp')) {
        const info = await stat(join(this.#partial, name)).catch(() => undefined);
        if (info) temps.push({ path: join(this.#partial, name), mtimeMs: info.mtimeMs });
      }
    }
    return { keys: [...keys], temps };
  }

  /** Last write to an incomplete upload: the data file's mtime, else its sidecar's. */
  async lastModified(key: string): Promise<number | undefined> {
    for (const path of [this.partialPath(key), `${this.partialPath(key)}.json`]) {
      const info = await stat(path).catch(ignoreMissing);
      if (info) return info.mtimeMs;
    }
    return undefined;
  }

  async removeTemp(path: string): Promise<void> {
    await unlinkIfPresent(path);
  }

  /** Removes a partial sidecar left over by a crash between finalize's two steps. */
  async removeMeta(key: string): Promise<void> {
    await unlinkIfPresent(`${this.partialPath(key)}.json`);
  }

  async #completion(key: string): Promise<UploadState['complete']> {
    const done = await readMeta(`${this.completePath(key)}.json`);
    if (done?.size != null) return { size: done.size, notified: true };
    const size = await sizeOf(this.completePath(key));
    return size === undefined ? null : { size, notified: false };
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): undefined {
  if (err.code === 'ENOENT') return undefined;
  throw err;
}

async function sizeOf(path: string): Promise<number | undefined> {
  return (await stat(path).catch(ignoreMissing))?.size;
}

async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch(ignoreMissing);
}

async function readMeta(path: string): Promise<UploadMeta | null> {
  const text = await readFile(path, 'utf8').catch(ignoreMissing);
  if (text === undefined) return null;
  try {
    const meta = JSON.parse(text) as UploadMeta;
    return typeof meta === 'object' && meta !== null && typeof meta.owner === 'string' ? meta : null;
  } catch {
    // Written atomically, so only a hand edit gets here; treat it as absent and let it be rewritten.
    return null;
  }
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await file.writeFile(`${JSON.stringify(value)}\n`);
    await file.sync();
  } catch (err) {
    await file.close();
    await unlinkIfPresent(temp);
    throw err;
  }
  await file.close();
  await rename(temp, path);
  await fsyncDir(join(path, '..'));
}

/** Makes a folder's entries (created, renamed, removed files) durable. */
export async function fsyncDir(path: string): Promise<void> {
  // Windows cannot open folders for fsync; there the rename itself is as durable as it gets.
  if (process.platform === 'win32') return;
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
