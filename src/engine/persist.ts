// `persist`: unfinished uploads outlive the page. Each is an IndexedDB entry holding, best first, the
// file's FileSystemFileHandle, or a copy of its unsent bytes in OPFS, or only its name, size and id.
// A reloaded page lists them, asks the server where each stands, and goes on where it can read the file.
// Every storage failure warns and leaves the upload as it would be without `persist`.
import { SEGMENT, dropSegments, hole, readCopy, removeCopy, writeCopy } from './persist-copy.js';
import {
  openStore,
  permissions,
  type PersistApi,
  type PersistEntry,
  type PersistStore,
} from './persist-store.js';
import type { Uploader } from './queue.js';
import { mirror, tabKey } from './tabs.js';
import { isSettled } from './state.js';
import { Upload, type UploadItem } from './upload.js';

/** `persist: true`: the most bytes of OPFS copies kept at once. */
export const DEFAULT_COPY_LIMIT = 2 * 1024 ** 3;
/** Entries untouched this long are dropped: servers expire unfinished uploads well before. */
export const MAX_AGE = 7 * 24 * 60 * 60 * 1000;

const warned = new Set<string>();
/** A storage failure: told once, never thrown. */
export function warn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`<resumable-upload> persist: ${message}`);
}

/** A restored upload gets its file (back): it reads from the start and needs nothing more. */
function give(u: Upload, file: File): void {
  u.file = file;
  u.readableFrom = 0;
  u.needs = null;
}

const UNITS = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*$/i;

/** The bytes of copies `persist` allows: `true`, a byte count, or `'2GB'`, `'500MiB'`; anything else warns. */
export function copyLimit(persist: boolean | number | string): number {
  if (persist === true || persist === '') return DEFAULT_COPY_LIMIT;
  if (typeof persist === 'number' && persist >= 0) return persist;
  const m = UNITS.exec(String(persist));
  if (m) return Math.floor(Number(m[1]) * (m[3] ? 1024 : 1000) ** ' KMGT'.indexOf(m[2].toUpperCase() || ' '));
  warn(
    `persist="${String(persist)}" is not a size; use no value, or e.g. "2GB" or "500MiB". Using the default, 2 GiB`,
  );
  return DEFAULT_COPY_LIMIT;
}

const identity = (f: { name: string; size: number; lastModified: number }) =>
  `${f.name}\0${f.size}\0${f.lastModified}`;

/** What the browser offers; tests replace it to play a browser without OPFS. */
export interface PersistEnv {
  store: PersistStore;
  /** OPFS with Workers: copies can be kept. */
  opfs: boolean;
}

export async function persistence(q: Uploader, env?: PersistEnv): Promise<Persistence | null> {
  try {
    return new Persistence(q, env ?? { store: await openStore(), opfs: await hasOpfs() });
  } catch (err) {
    warn(`the browser keeps no IndexedDB here (${String(err)}); uploads will not survive a reload`);
    return null;
  }
}

async function hasOpfs(): Promise<boolean> {
  try {
    return typeof Worker === 'function' && !!(await navigator.storage?.getDirectory?.());
  } catch {
    return false;
  }
}

export class Persistence implements PersistApi {
  private readonly entries = new Map<Upload, PersistEntry>();
  private readonly offered = new Map<string, Promise<FileSystemFileHandle | null>>();
  private readonly copies = new Map<Upload, AbortController>();
  private readonly handles = new Map<Upload, FileSystemFileHandle>();

  constructor(
    private readonly q: Uploader,
    private readonly env: PersistEnv,
  ) {
    const on = (type: 'upload-progress' | 'upload-complete' | 'upload-cancel', f: (u: Upload) => void) =>
      q.addEventListener(type, (e) => f(e.detail.item as Upload));
    on('upload-progress', (u) => void this.trim(u));
    on('upload-complete', (u) => void this.forget(u));
    on('upload-cancel', (u) => void this.forget(u));
  }

  private get scope(): string {
    return tabKey(this.q.options, '');
  }

  /** The handle a file came from (a drop, showOpenFilePicker): kept instead of a copy. Call before add(). */
  offer(file: File, handle: FileSystemFileHandle | Promise<FileSystemFileHandle | null>): void {
    this.offered.set(
      identity(file),
      Promise.resolve(handle).catch(() => null),
    );
  }

  /** Keeps an entry for each upload, with its handle or a copy of its bytes. Never rejects. */
  async track(uploads: readonly Upload[]): Promise<void> {
    for (const u of uploads) {
      const { file, fileId } = u;
      const entry: PersistEntry = {
        key: tabKey(this.q.options, fileId),
        scope: this.scope,
        fileId,
        name: file.name,
        size: file.size,
        type: file.type,
        lastModified: file.lastModified,
        savedAt: Date.now(),
      };
      const handle = (await this.offered.get(identity(file))) ?? null;
      this.offered.delete(identity(file));
      if (handle) entry.handle = handle;
      if (isSettled(u.status)) continue;
      this.entries.set(u, entry);
      if (!(await this.save(entry))) continue;
      if (!handle) void this.copy(u, entry);
    }
  }

  private async save(entry: PersistEntry): Promise<boolean> {
    entry.savedAt = Date.now();
    try {
      await this.env.store.put(entry);
      return true;
    } catch (err) {
      warn(`could not save ${entry.name} (${String(err)}); it will not survive a reload`);
      return false;
    }
  }

  /** The OPFS copy, within the `persist` limit and the origin's quota; on failure the entry keeps none. */
  private async copy(u: Upload, entry: PersistEntry): Promise<void> {
    if (!this.env.opfs) return;
    const limit = copyLimit(this.q.options.persist);
    let kept = 0;
    for (const [other, e] of this.entries) if (e.copy && other !== u) kept += e.size;
    // Not every browser has StorageManager (WebKitGTK on plain http has none): no estimate, no limit.
    const estimate: StorageEstimate = (await navigator.storage?.estimate?.().catch(() => ({}))) ?? {};
    const { quota = Infinity, usage = 0 } = estimate;
    if (kept + entry.size > limit || quota - usage < entry.size) {
      warn(
        `no room to keep a copy of ${entry.name} (${entry.size} B; persist allows ${limit - kept} B, ` +
          `the browser ${quota - usage} B): after a reload it will ask for the file`,
      );
      return;
    }
    const abort = new AbortController();
    this.copies.set(u, abort);
    entry.copy = { dir: crypto.randomUUID(), segment: SEGMENT, dropped: 0, complete: false };
    try {
      await this.save(entry);
      await writeCopy(entry.copy.dir, u.file, 0, abort.signal);
      entry.copy.complete = true;
      if (this.entries.has(u)) await this.save(entry);
      void this.trim(u);
    } catch (err) {
      if (!abort.signal.aborted)
        warn(
          `could not keep a copy of ${entry.name} (${String(err)}): after a reload it will ask for the file`,
        );
      await removeCopy(entry.copy.dir);
      delete entry.copy;
      if (this.entries.has(u)) await this.save(entry);
    } finally {
      this.copies.delete(u);
    }
  }

  /** The trim running for each upload: one at a time, and awaited before the copy goes. */
  private readonly trimming = new Map<Upload, Promise<void>>();

  /** Deletes the copy's segments the server confirmed. */
  private trim(u: Upload): Promise<void> {
    const entry = this.entries.get(u);
    const copy = entry?.copy;
    if (!copy?.complete || this.trimming.has(u)) return Promise.resolve();
    const below = Math.floor(u.confirmed / copy.segment);
    if (below <= copy.dropped) return Promise.resolve();
    const run = (async () => {
      try {
        copy.dropped = await dropSegments(copy, below);
        if (entry && this.entries.has(u)) await this.save(entry);
      } catch (err) {
        warn(`could not free the copy of ${u.file.name} (${String(err)})`);
      } finally {
        this.trimming.delete(u);
      }
    })();
    this.trimming.set(u, run);
    return run;
  }

  /**
   * Lists this element's entries again: each as an upload that goes on (its handle still readable, or its
   * copy whole), or waits paused for a click (`needs`). Asks the server what each holds.
   */
  async restore(): Promise<UploadItem[]> {
    let all: PersistEntry[] = [];
    try {
      all = await this.env.store.all();
    } catch (err) {
      warn(`could not read the saved uploads (${String(err)})`);
    }
    const listed = new Set(this.q.items.map((i) => i.fileId));
    const restored: Upload[] = [];
    for (const entry of all) {
      if (entry.scope !== this.scope || listed.has(entry.fileId)) continue;
      if (Date.now() - entry.savedAt > MAX_AGE) {
        await this.drop(entry);
        continue;
      }
      const u = await this.revive(entry);
      if (u) restored.push(u);
    }
    return restored;
  }

  private async drop(entry: PersistEntry): Promise<void> {
    await this.env.store.delete(entry.key).catch(() => undefined);
    if (entry.copy) await removeCopy(entry.copy.dir);
  }

  private async revive(entry: PersistEntry): Promise<Upload | null> {
    let found: { file: File; readableFrom: number } | null = null;
    let needs: Upload['needs'] = 'file';
    if (entry.handle) {
      const permission = await permissions(entry.handle)
        .queryPermission({ mode: 'read' })
        .catch(() => 'denied');
      if (permission === 'granted') {
        const file = await this.read(entry, entry.handle);
        if (!file) return null;
        found = { file, readableFrom: 0 };
      } else if (permission === 'prompt') needs = 'permission';
    } else if (entry.copy?.complete) {
      found = await readCopy(entry.copy, entry).catch(() => null);
      if (!found) warn(`the copy of ${entry.name} is incomplete: the row asks for the file`);
    }
    const placeholder = new File([hole(entry.size)], entry.name, entry);
    const u = new Upload(found?.file ?? placeholder, this.q);
    if (found) u.readableFrom = found.readableFrom;
    else {
      u.needs = needs;
      u.status = 'paused';
    }
    this.entries.set(u, entry);
    if (entry.handle) this.handles.set(u, entry.handle);
    this.q.adopt(u);
    // What the server holds, for the row; a running upload asks by itself.
    if (!found)
      void u.ask().then(
        (offset) => offset != null && mirror(this.q, u, offset),
        () => undefined,
      );
    return u;
  }

  /** The handle's file, if it is still the one uploaded (same size and lastModified); else the entry goes. */
  private async read(entry: PersistEntry, handle: FileSystemFileHandle): Promise<File | null> {
    const file = await handle.getFile().catch(() => null);
    if (file && file.size === entry.size && file.lastModified === entry.lastModified) return file;
    warn(`${entry.name} changed or is gone since its upload began: its upload cannot go on`);
    await this.drop(entry);
    return null;
  }

  /**
   * One click on a restored row: asks the permission its handle needs (call it in the click, as a prompt
   * needs the user's gesture) and goes on. False when the file itself must be picked again.
   */
  async obtain(item: UploadItem): Promise<boolean> {
    const u = item as Upload;
    const handle = this.handles.get(u);
    if (u.needs !== 'permission' || !handle) return false;
    const permission = await permissions(handle)
      .requestPermission({ mode: 'read' })
      .catch(() => 'denied');
    const entry = this.entries.get(u);
    const file = permission === 'granted' && entry ? await this.read(entry, handle) : null;
    if (!file) {
      u.needs = 'file';
      return false;
    }
    give(u, file);
    this.q.resume(u);
    return true;
  }

  /** Files picked or dropped again: each one a restored row waits for (same id) goes to it. Returns the rest. */
  match(files: readonly File[]): File[] {
    const rest: File[] = [];
    for (const file of files) {
      const id = this.q.options.fileId(file);
      const u = (this.q.items as Upload[]).find(
        (i) => (i.needs || (i.readableFrom && i.status === 'error')) && i.fileId === id,
      );
      if (!u) {
        rest.push(file);
        continue;
      }
      const old = this.entries.get(u)?.copy;
      if (old) void removeCopy(old.dir);
      give(u, file);
      void this.track([u]);
      if (u.status === 'error') this.q.retry(u);
      else this.q.resume(u);
    }
    return rest;
  }

  /** Completed or canceled: its entry and copy go. */
  private async forget(u: Upload): Promise<void> {
    const entry = this.entries.get(u);
    if (!entry) return;
    this.entries.delete(u);
    this.handles.delete(u);
    this.copies.get(u)?.abort();
    await this.trimming.get(u);
    await this.env.store.delete(entry.key).catch(() => undefined);
    if (entry.copy) await removeCopy(entry.copy.dir);
  }
}
