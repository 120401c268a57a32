import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isSettled, UploadStatus } from '../../engine/state.js';
import type { UploadItem } from '../../engine/upload.js';

/**
 * An element taken out of the document pauses its unfinished uploads, so a framework that unmounts it
 * leaves nothing uploading unseen; put back, it resumes those it paused. A move (out and back in before
 * the next microtask, as `insertBefore` does) pauses nothing.
 */
export class DetachPauseController implements ReactiveController {
  private _paused: UploadItem[] = [];

  constructor(
    private readonly _host: ReactiveControllerHost & Element,
    private readonly _items: () => readonly UploadItem[],
    private readonly _pause: (item: UploadItem) => void,
    private readonly _resume: (item: UploadItem) => void,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    const paused = this._paused;
    this._paused = [];
    for (const item of paused) if (item.status === UploadStatus.paused) this._resume(item);
  }

  hostDisconnected(): void {
    queueMicrotask(() => {
      if (this._host.isConnected) return;
      for (const item of this._items()) {
        if (isSettled(item.status) || item.status === UploadStatus.paused) continue;
        this._paused.push(item);
        this._pause(item);
      }
    });
  }
}
