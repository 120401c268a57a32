// Where `persist` keeps its entries: IndexedDB, which can hold a FileSystemFileHandle as it is.
import type { Upload, UploadItem } from './upload.js';

/** What the queue and the element call on `persist` (persist.ts implements it; loaded on first use). */
export interface PersistApi {
  track(uploads: readonly Upload[]): Promise<void>;
  restore(): Promise<UploadItem[]>;
  offer(file: File, handle: FileSystemFileHandle | Promise<FileSystemFileHandle | null>): void;
  obtain(item: UploadItem): Promise<boolean>;
  match(files: readonly File[]): File[];
}

/** File System Access permission calls, which TypeScript's DOM types lack (Chromium has them). */
export interface PermissionCalls {
  queryPermission(d: { mode: 'read' }): Promise<PermissionState>;
  requestPermission(d: { mode: 'read' }): Promise<PermissionState>;
}

/** The permission calls of `handle`, or calls that answer 'denied' where the browser has none. */
export const permissions = (handle: FileSystemFileHandle): PermissionCalls => {
  const h = handle as Partial<PermissionCalls>;
  const denied = () => Promise.resolve<PermissionState>('denied');
  return {
    queryPermission: h.queryPermission?.bind(handle) ?? denied,
    requestPermission: h.requestPermission?.bind(handle) ?? denied,
  };
};

/** One unfinished upload, as a reloaded page finds it. */
export interface PersistEntry {
  /** The tab key (queue.ts `tabKey`): protocol, server and file id. */
  key: string;
  /** The key without the file id: which element's list it belongs to. */
  scope: string;
  fileId: string;
  name: string;
  size: number;
  type: string;
  lastModified: number;
  /** Epoch ms of the last change; entries older than the maximum age are dropped. */
  savedAt: number;
  /** From showOpenFilePicker() or a drop: read again after a reload, where permission allows. */
  handle?: FileSystemFileHandle;
  /** Otherwise a copy of the unsent bytes in the Origin Private File System (persist-copy.ts). */
  copy?: CopyState;
}

export interface CopyState {
  /** Folder under the OPFS root. */
  dir: string;
  /** Bytes per segment file; segment i holds bytes [i * segment, (i + 1) * segment). */
  segment: number;
  /** Segments below this index are gone: the server confirmed their bytes. */
  dropped: number;
  /** The copy is whole from `dropped` to the end of the file. */
  complete: boolean;
}

/** The few calls persist.ts makes; unit tests use a Map. */
export interface PersistStore {
  all(): Promise<PersistEntry[]>;
  put(entry: PersistEntry): Promise<void>;
  delete(key: string): Promise<void>;
}

const DB = 'resumable-upload';
const STORE = 'uploads';

const done = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

/** IndexedDB; rejects where the browser keeps none (some private modes). */
export async function openStore(): Promise<PersistStore> {
  const open = indexedDB.open(DB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'key' });
  const db = await done(open);
  const run = <T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>) =>
    done(f(db.transaction(STORE, mode).objectStore(STORE)));
  return {
    all: () => run('readonly', (s) => s.getAll() as IDBRequest<PersistEntry[]>),
    put: async (entry) => void (await run('readwrite', (s) => s.put(entry))),
    delete: async (key) => void (await run('readwrite', (s) => s.delete(key))),
  };
}
