import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PersistApi } from '../../engine/persist-store.js';
import type { Uploader } from '../../engine/queue.js';
import type { UploadItem } from '../../engine/upload.js';

/** What the File System Access API adds to DataTransferItem and window (TypeScript's DOM types lack them). */
type HandleItem = DataTransferItem & { getAsFileSystemHandle?(): Promise<FileSystemHandle | null> };
type Picker = (o: { multiple: boolean }) => Promise<FileSystemFileHandle[]>;

/**
 * `persist` in the element, loaded only when it is set: lists the uploads a reload interrupted, keeps the
 * handles of dropped and picked files (so no copy is needed), and turns a restored row's Resume into the
 * permission prompt or the file picker it needs.
 */
export class PersistController implements ReactiveController {
  private _persistence: PersistApi | null = null;
  private _restored = false;

  constructor(
    private readonly _host: ReactiveControllerHost &
      HTMLElement & { accept: string; multiple: boolean; addFiles(files: File[]): unknown },
    private readonly _uploader: Uploader,
    private readonly _input: () => HTMLInputElement | null | undefined,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    // Capture: the handles must be asked for during the drop event, before the drop controller adds the files.
    this._host.addEventListener('drop', this._onDrop, { capture: true });
    if (this._restored) return;
    this._restored = true;
    void this._uploader.persisted().then(async (p) => {
      this._persistence = p;
      await p?.restore();
      this._host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this._host.removeEventListener('drop', this._onDrop, { capture: true });
  }

  /** The drop zone's click: showOpenFilePicker where there is one (its handles outlive the page). */
  pick(): boolean {
    const picker = (window as unknown as { showOpenFilePicker?: Picker }).showOpenFilePicker;
    // `accept` is not mapped onto the picker's types: the file input applies it as users expect.
    if (!picker || this._host.accept || !this._persistence) return false;
    void picker({ multiple: this._host.multiple }).then(
      async (handles) => {
        const files = await Promise.all(handles.map((h) => h.getFile()));
        files.forEach((f, i) => this._persistence?.offer(f, handles[i]));
        this._host.addFiles(files);
      },
      // Dismissed (AbortError) is not a failure; anything else, the plain input still works.
      (err: Error) => err.name !== 'AbortError' && this._input()?.click(),
    );
    return true;
  }

  /** A restored row's Resume: the permission prompt, or the picker for the file. False: not such a row. */
  obtain(item: UploadItem): boolean {
    if (item.needs === 'file') this._input()?.click();
    else if (item.needs === 'permission' && this._persistence)
      void this._persistence.obtain(item).then(() => this._host.requestUpdate());
    else return false;
    return true;
  }

  /** Files given again to the restored rows that wait for them; returns the others. */
  match(files: File[]): File[] {
    return this._persistence ? this._persistence.match(files) : files;
  }

  private _onDrop = (e: DragEvent): void => {
    for (const item of Array.from(e.dataTransfer?.items ?? []) as HandleItem[]) {
      const file = item.kind === 'file' ? item.getAsFile() : null;
      if (!file || !item.getAsFileSystemHandle || !this._persistence) continue;
      this._persistence.offer(
        file,
        item.getAsFileSystemHandle().then((h) => (h?.kind === 'file' ? (h as FileSystemFileHandle) : null)),
      );
    }
  };
}
