// A copy of a file's unsent bytes in the Origin Private File System, for browsers that give no file
// handle to keep: written in a Worker (createSyncAccessHandle is only there), one file per segment so
// what the server confirmed can be deleted as it goes.
import type { CopyState } from './persist-store.js';

/** Bytes per segment file: what the copy frees at a time as the server confirms bytes. */
export const SEGMENT = 4 * 1024 * 1024;
const ROOT = 'resumable-upload';

/** The worker-only handle TypeScript's DOM types lack. */
interface SyncHandle {
  truncate(size: number): void;
  write(data: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}

/** The worker's whole code: stringified into a Blob URL, so it must use nothing from this module. */
function worker(): void {
  onmessage = async ({ data }: MessageEvent<{ dir: string; file: File; from: number; segment: number }>) => {
    const { dir, file, from, segment } = data;
    try {
      const root = await navigator.storage.getDirectory();
      const top = await root.getDirectoryHandle('resumable-upload', { create: true });
      const folder = await top.getDirectoryHandle(dir, { create: true });
      for (let i = Math.floor(from / segment); i * segment < file.size; i++) {
        const bytes = new Uint8Array(await file.slice(i * segment, (i + 1) * segment).arrayBuffer());
        const file_ = await folder.getFileHandle(String(i), { create: true });
        const handle = await (
          file_ as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }
        ).createSyncAccessHandle();
        try {
          handle.truncate(0);
          if (handle.write(bytes, { at: 0 }) !== bytes.length)
            throw new DOMException('short write', 'QuotaExceededError');
          handle.flush();
        } finally {
          handle.close();
        }
      }
      postMessage({ ok: true });
    } catch (err) {
      postMessage({ ok: false, error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  };
}

let workerUrl: string | null = null;

/** Copies `file` from `from` (rounded down to a segment) into `dir`; rejects with the worker's reason. */
export async function writeCopy(dir: string, file: File, from: number, signal: AbortSignal): Promise<void> {
  workerUrl ??= URL.createObjectURL(new Blob([`(${worker.toString()})()`], { type: 'text/javascript' }));
  const w = new Worker(workerUrl);
  try {
    await new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error));
      w.onerror = (e) => reject(new Error(e.message || 'the copy worker failed'));
      w.onmessage = ({ data }: MessageEvent<{ ok: boolean; error?: string }>) =>
        data.ok ? resolve() : reject(new Error(data.error));
      w.postMessage({ dir, file, from, segment: SEGMENT });
    });
  } finally {
    w.terminate();
  }
}

async function folder(dir: string): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle(ROOT)).getDirectoryHandle(dir);
}

/** Deletes the segments from `state.dropped` up to (not including) `below`; returns how far it got. */
export async function dropSegments(state: CopyState, below: number): Promise<number> {
  const f = await folder(state.dir);
  let i = state.dropped;
  for (; i < below; i++) await f.removeEntry(String(i)).catch(() => undefined);
  return i;
}

/** The whole folder, on completion, cancel, expiry or a failed copy. Never rejects. */
export async function removeCopy(dir: string): Promise<void> {
  try {
    const root = await navigator.storage.getDirectory();
    await (await root.getDirectoryHandle(ROOT)).removeEntry(dir, { recursive: true });
  } catch (err) {
    if ((err as Error).name !== 'NotFoundError')
      console.warn(`<resumable-upload> persist: could not delete a copy (${String(err)})`);
  }
}

const MiB = 1024 * 1024;
let zero: Blob | null = null;

/** `n` zero bytes that cost no memory: one MiB, referenced as often as needed. Never read (see readableFrom). */
export function hole(n: number): Blob {
  zero ??= new Blob([new Uint8Array(MiB)]);
  const parts: Blob[] = new Array<Blob>(Math.floor(n / MiB)).fill(zero);
  parts.push(zero.slice(0, n % MiB));
  return new Blob(parts);
}

/**
 * The file again, from the copy: the dropped segments' bytes stand in as zeros (the server holds them;
 * the upload refuses to go below `readableFrom`), the rest read from OPFS. Null if a segment is missing.
 */
export async function readCopy(
  state: CopyState,
  meta: { name: string; size: number; type: string; lastModified: number },
): Promise<{ file: File; readableFrom: number } | null> {
  const f = await folder(state.dir);
  const readableFrom = Math.min(meta.size, state.dropped * state.segment);
  const parts: Blob[] = [hole(readableFrom)];
  for (let i = state.dropped; i * state.segment < meta.size; i++)
    parts.push(await (await f.getFileHandle(String(i))).getFile());
  const file = new File(parts, meta.name, { type: meta.type, lastModified: meta.lastModified });
  return file.size === meta.size ? { file, readableFrom } : null;
}
