import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { UploadStatus, isSettled } from '../../engine/state.js';
import type { UploadItem } from '../../engine/upload.js';

/** The form control the controller serves: its field name, `required`, and the uploads. */
export interface FormValueHost extends ReactiveControllerHost, HTMLElement {
  name: string;
  required: boolean;
  readonly items: readonly UploadItem[];
}

/** The validation messages, in the page's language. */
export interface FormValueMessages {
  uploadFailed: string;
  stillUploading: string;
  required: string;
}

/**
 * The host as a form control: its value is the completed uploads' ids under `name`; failed or unfinished
 * uploads keep the form from submitting, and `required` asks for one done upload. Synced after each render.
 */
export class FormValueController implements ReactiveController {
  readonly internals: ElementInternals;

  constructor(
    private readonly _host: FormValueHost,
    private readonly _messages: () => FormValueMessages,
  ) {
    this.internals = _host.attachInternals();
    _host.addController(this);
  }

  sync(): void {
    const { name, required, items } = this._host;
    const internals = this.internals;
    const done = items.filter((i) => i.status === UploadStatus.complete);
    let value: FormData | null = null;
    if (name && done.length) {
      value = new FormData();
      for (const item of done) value.append(name, item.fileId);
    }
    internals.setFormValue(value);
    const t = this._messages();
    // The browser points its message at the first button: the drop zone.
    const anchor = this._host.shadowRoot?.querySelector('button') ?? undefined;
    if (items.some((i) => i.status === UploadStatus.error))
      internals.setValidity({ customError: true }, t.uploadFailed, anchor);
    else if (items.some((i) => !isSettled(i.status)))
      internals.setValidity({ customError: true }, t.stillUploading, anchor);
    else if (required && !done.length) internals.setValidity({ valueMissing: true }, t.required, anchor);
    else internals.setValidity({});
  }

  hostUpdated(): void {
    this.sync();
  }
}
