import type { ReactiveController, ReactiveControllerHost } from 'lit';

const TYPES = ['dragover', 'dragleave', 'drop', 'paste'] as const;

/**
 * Files dragged onto or pasted into the host: while files are over it, `dragging` is true and the host
 * has the `dragover` attribute; dropped or pasted files go to `add`, unless `disabled()` says no.
 */
export class DropPasteController implements ReactiveController {
  /** Files are being dragged over the host. */
  dragging = false;

  constructor(
    private readonly _host: ReactiveControllerHost & HTMLElement,
    private readonly _disabled: () => boolean,
    private readonly _add: (files: FileList) => void,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    for (const type of TYPES) this._host.addEventListener(type, this);
  }

  hostDisconnected(): void {
    for (const type of TYPES) this._host.removeEventListener(type, this);
  }

  /** One listener object for the four events (the EventListener interface). */
  handleEvent(e: DragEvent & ClipboardEvent): void {
    const type = e.type;
    const data = type === 'paste' ? e.clipboardData : e.dataTransfer;
    if (type === 'dragleave') {
      // Shadow nodes are retargeted to the host, so contains() also covers moves inside the shadow root.
      if (!this._host.contains(e.relatedTarget as Node | null)) this._set(false);
      return;
    }
    if (type === 'drop') this._set(false);
    if (this._disabled()) return;
    if (type === 'dragover') {
      if (!data?.types.includes('Files')) return;
      e.preventDefault();
      data.dropEffect = 'copy';
      if (!this.dragging) this._set(true);
    } else if (data?.files.length) {
      e.preventDefault();
      this._add(data.files);
    }
  }

  private _set(on: boolean): void {
    this.dragging = on;
    this._host.toggleAttribute('dragover', on);
    this._host.requestUpdate();
  }
}
