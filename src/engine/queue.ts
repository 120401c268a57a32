import type { DiagnoseOptions, DiagnosisReport } from './diagnose.js';
import type { UploadEventDetailMap, UploadEventMap } from './events.js';
import { defaultOptions, type UploaderOptions } from './options.js';
import { UploadStatus, isSettled } from './state.js';
import { Upload, type UploadHost, type UploadItem } from './upload.js';
import type { PersistApi } from './persist-store.js';

/**
 * tabs.ts once loaded. It starts loading with the first Uploader, so that a page's first upload waits
 * neither for its download and parse (50-80 ms in Chromium in `npm run bench`) nor for an import's turn.
 */
interface Tabs {
  exclusive(q: Uploader, u: Upload, signal: AbortSignal, body: () => Promise<void>): Promise<void>;
}
let tabs: Tabs | undefined;
const loadTabs = (): Promise<Tabs> => import('./tabs.js').then((m) => (tabs = m));

/**
 * Many files: a queue with `concurrency`, pause/resume/cancel/retry of one or all.
 * An EventTarget dispatching the `upload-*` events of UploadEventMap.
 */
// Merged with the interface below only to type addEventListener; it adds no members at run time.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Uploader extends EventTarget implements UploadHost {
  options: UploaderOptions;
  readonly #uploads: Upload[] = [];
  /** Something ran since the last queue-complete. */
  #busy = false;
  #persistence: Promise<PersistApi | null> | null = null;

  constructor(options: Partial<UploaderOptions> = {}) {
    super();
    this.options = { ...defaultOptions(), ...options };
    if (globalThis.navigator?.locks) loadTabs().catch(() => undefined);
  }

  /** Changes options; running requests keep theirs, the next ones use the new ones. */
  setOptions(options: Partial<UploaderOptions>): void {
    this.options = { ...this.options, ...options };
    this.#pump();
  }

  /** Every upload not yet canceled or cleared, in the order added. */
  get items(): readonly UploadItem[] {
    return [...this.#uploads];
  }

  /** Queues files; they start at once unless `autoStart` is false. */
  add(files: Iterable<File> | ArrayLike<File>): UploadItem[] {
    const added = Array.from(files, (file) => new Upload(file, this));
    for (const upload of added) this.adopt(upload);
    if (this.options.persist) void this.persisted().then((p) => p?.track(added));
    this.#pump();
    return added;
  }

  /** Lists the unfinished uploads a `persist` page left (reload, browser restart) and goes on where it can. */
  async restore(): Promise<UploadItem[]> {
    return (await this.persisted())?.restore() ?? [];
  }

  /** Takes an upload into the list (persist.ts restores through it too). */
  adopt(upload: Upload): void {
    upload.held = !this.options.autoStart;
    this.#uploads.push(upload);
    this.emit('upload-add', upload);
    this.#pump();
  }

  /** persist.ts, loaded on first use; null where the browser keeps nothing. */
  persisted(): Promise<PersistApi | null> {
    return (this.#persistence ??= import('./persist.js').then((m) => m.persistence(this)));
  }

  /** Starts every queued upload held back by `autoStart: false`. */
  start(): void {
    for (const u of this.#uploads) u.held = false;
    this.#pump();
  }

  pause(item?: UploadItem): void {
    for (const u of this.#pick(item)) u.pause();
    this.#pump();
  }

  resume(item?: UploadItem): void {
    for (const u of this.#pick(item))
      if (u.status === UploadStatus.paused && !u.needs) u.requeue('upload-resume');
    this.#pump();
  }

  /** Aborts and forgets: the upload leaves `items`. */
  cancel(item?: UploadItem): void {
    for (const u of this.#pick(item)) {
      u.cancel();
      this.#uploads.splice(this.#uploads.indexOf(u), 1);
    }
    this.#pump();
    this.#checkDone();
  }

  /** Starts failed uploads again from the server's offset. */
  retry(item?: UploadItem): void {
    for (const u of this.#pick(item)) if (u.status === UploadStatus.error) u.requeue(null);
    this.#pump();
  }

  /** Cancels what is unfinished and empties the list. */
  clear(): void {
    for (const u of [...this.#uploads]) if (!isSettled(u.status)) u.cancel();
    this.#uploads.length = 0;
    this.#busy = false;
  }

  /**
   * Probes the configured endpoint with tiny, harmless requests (a throwaway upload, deleted after where
   * the protocol can) and reports what to fix: reachable, CORS, protocol, largest body, buffering proxy,
   * round trip. Its code loads on first call.
   */
  diagnose(options?: DiagnoseOptions): Promise<DiagnosisReport> {
    return import('./diagnose.js').then((m) => m.diagnose(this.options, options));
  }

  emit<K extends keyof UploadEventDetailMap>(type: K, item: Upload, extra: object = {}): void {
    const detail = {
      item,
      file: item.file,
      fileId: item.fileId,
      bytesUploaded: item.bytesUploaded,
      bytesTotal: item.bytesTotal,
      ...extra,
    };
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  settled(_item: Upload): void {
    // The slot frees after run() returns; pump on the next microtask so it is counted free.
    queueMicrotask(() => {
      this.#pump();
      this.#checkDone();
    });
  }

  /** One uploader per file across the origin's tabs (tabs.ts). */
  exclusive(u: Upload, signal: AbortSignal, body: () => Promise<void>): Promise<void> {
    return globalThis.navigator?.locks
      ? tabs
        ? tabs.exclusive(this, u, signal, body)
        : loadTabs().then((m) => m.exclusive(this, u, signal, body))
      : body();
  }

  #pick(item?: UploadItem): Upload[] {
    if (!item) return [...this.#uploads];
    const u = this.#uploads.find((x) => x === item);
    return u ? [u] : [];
  }

  #pump(): void {
    let running = this.#uploads.filter((u) => u.active).length;
    const limit = Math.max(1, this.options.concurrency);
    for (const u of this.#uploads) {
      if (running >= limit) break;
      if (u.status !== UploadStatus.queued || u.held || u.active) continue;
      running++;
      this.#busy = true;
      void u.run().then(() => this.#pump());
    }
  }

  #checkDone(): void {
    if (!this.#busy || this.#uploads.some((u) => !isSettled(u.status))) return;
    this.#busy = false;
    this.dispatchEvent(new CustomEvent('queue-complete', { detail: { items: this.items } }));
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Uploader {
  addEventListener<K extends keyof UploadEventMap>(
    type: K,
    listener: (this: Uploader, ev: UploadEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof UploadEventMap>(
    type: K,
    listener: (this: Uploader, ev: UploadEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}
