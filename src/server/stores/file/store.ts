import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type {
  AppendOptions,
  AppendResult,
  StoredLocation,
  UploadRecord,
  UploadState,
  UploadStore,
} from '../types.js';
import { appendFile } from './append.js';

const KEY = /^[0-9a-f]{64}$/;

export interface FileStoreOptions {
  /**
   * Acknowledge an offset only once its bytes are fsynced: every append's closing fsync, and the checkpoints
   * (every 8 MiB and every `syncInterval`) whose offsets status reports while a long body streams.
   * `false` skips those fsyncs; sidecars, renames and folders are still fsynced once per upload. It is a
   * measurement and what-if knob (the bench's `ours-nofsync`), the way tusd's and @tus/file-store's file
   * stores run (they never fsync): a process crash loses nothing (the bytes are in the OS's page cache), but
   * a power loss or kernel crash can lose bytes the client was told are stored, or leave zeros in their place
   * (file systems differ), in an unfinished upload and in a completed one already announced to `onComplete`.
   * @default true
   */
  syncOnAcknowledge?: boolean;
}

/**
 * The durable file store. Layout under `dir`:
 *   partial/<key>        bytes received so far; its size is the offset
 *   partial/<key>.json   sidecar (owner, id, size, createdAt), replaced atomically
 *   complete/<key>       the finished file, renamed from partial/
 *   complete/<key>.json  sidecar moved here once onComplete succeeded
 * where key = sha256(owner + '\0' + id): the id never becomes a path.
 */
export class FileStore implements UploadStore {
  readonly dir: string;
  readonly #partial: string;
  readonly #complete: string;
  readonly #syncOnAcknowledge: boolean;

  constructor(dir: string, options: FileStoreOptions = {}) {
    const { syncOnAcknowledge = true } = options;
    if (typeof syncOnAcknowledge !== 'boolean') {
      throw new TypeError(
        `resumable-upload server: option syncOnAcknowledge must be true or false, got ${JSON.stringify(syncOnAcknowledge)}`,
      );
    }
    this.dir = resolve(dir);
    this.#partial = join(this.dir, 'partial');
    this.#complete = join(this.dir, 'complete');
    this.#syncOnAcknowledge = syncOnAcknowledge;
  }

  async init(): Promise<void> {
    await mkdir(this.#partial, { recursive: true });
    await mkdir(this.#complete, { recursive: true });
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
    const record = await readRecord(`${this.partialPath(key)}.json`);
    const offset = complete ? 0 : ((await sizeOf(this.partialPath(key))) ?? 0);
    return { record, offset, complete };
  }

  /** Writes the partial upload's sidecar: temp file, fsync, rename, fsync of the folder. */
  async writeRecord(key: string, record: UploadRecord): Promise<void> {
    await writeJsonAtomic(`${this.partialPath(key)}.json`, record);
  }

  append(key: string, body: Readable, options: AppendOptions): Promise<AppendResult> {
    return appendFile(body, this.partialPath(key), options, this.#syncOnAcknowledge);
  }

  /** Hashes the partial file (an upload of zero bytes has none: the digest of nothing). */
  async digest(key: string, algorithm: string): Promise<Buffer> {
    const hash = createHash(algorithm);
    try {
      for await (const chunk of createReadStream(this.partialPath(key), { highWaterMark: 1 << 20 }))
        hash.update(chunk as Buffer);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return hash.digest();
  }

  /** Moves the full partial file into `complete/` (one rename: readers see all of it or none). */
  async complete(key: string): Promise<StoredLocation> {
    // An upload of zero bytes never wrote a partial file.
    const file = await open(this.partialPath(key), constants.O_WRONLY | constants.O_CREAT, 0o600);
    await file.close();
    await rename(this.partialPath(key), this.completePath(key));
    await Promise.all([fsyncDir(this.#complete), fsyncDir(this.#partial)]);
    return this.location(key);
  }

  location(key: string): StoredLocation {
    const path = this.completePath(key);
    return { store: 'file', url: pathToFileURL(path).href, path };
  }

  /** Records that onComplete succeeded: the sidecar moves to `complete/`. */
  async finalize(key: string, record: UploadRecord): Promise<void> {
    await writeJsonAtomic(`${this.completePath(key)}.json`, {
      ...record,
      completedAt: new Date().toISOString(),
    });
    await unlinkIfPresent(`${this.partialPath(key)}.json`);
    await fsyncDir(this.#partial);
  }

  /** Deletes an upload, complete or not: the bytes first, so a crash in between leaves only a record. */
  async remove(key: string): Promise<void> {
    await unlinkIfPresent(this.partialPath(key));
    await unlinkIfPresent(this.completePath(key));
    await unlinkIfPresent(`${this.partialPath(key)}.json`);
    await unlinkIfPresent(`${this.completePath(key)}.json`);
  }

  /** Keys with something in `partial/` (a completed upload keeps its sidecar there until finalized). */
  async list(): Promise<string[]> {
    const keys = new Set<string>();
    for (const name of await readdir(this.#partial)) {
      const base = name.endsWith('.json') ? name.slice(0, -5) : name;
      if (KEY.test(base)) keys.add(base);
    }
    return [...keys];
  }

  /** Removes temp files a crash mid-write left behind, and sidecars a crash inside finalize left. */
  async cleanup(maxAge: number): Promise<void> {
    for (const name of await readdir(this.#partial)) {
      if (!name.endsWith('.tmp')) continue;
      const path = join(this.#partial, name);
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > maxAge) await unlinkIfPresent(path);
    }
  }

  /** Last write to an incomplete upload: the data file's mtime, else its sidecar's. */
  async lastModified(key: string): Promise<number | undefined> {
    for (const path of [this.partialPath(key), `${this.partialPath(key)}.json`]) {
      const info = await stat(path).catch(ignoreMissing);
      if (info) return info.mtimeMs;
    }
    return undefined;
  }

  async #completion(key: string): Promise<UploadState['complete']> {
    const done = await readRecord(`${this.completePath(key)}.json`);
    if (done?.size != null) return { size: done.size, notified: true, metadata: done.metadata };
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

async function readRecord(path: string): Promise<UploadRecord | null> {
  const text = await readFile(path, 'utf8').catch(ignoreMissing);
  if (text === undefined) return null;
  try {
    const record = JSON.parse(text) as UploadRecord;
    return typeof record === 'object' && record !== null && typeof record.owner === 'string' ? record : null;
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
