import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { Uploader } from '../engine/queue.js';
import type { HeadersOption } from '../engine/options.js';
import type { ProtocolName } from '../engine/protocols/index.js';
import type { DiagnoseOptions, DiagnosisReport } from '../engine/diagnose.js';
import type { UploadItem } from '../engine/upload.js';
import { UPLOAD_EVENT_NAMES, type UploadEventName } from '../engine/events.js';
import { fileRow, type RowAction } from './file-row.js';
import { defaultI18n, type ResumableUploadI18n } from './i18n.js';
import {
  OPTION_PROPS,
  accepts,
  checkOptions,
  delayList,
  elementDefaults,
  persistSize,
  wholeNumber,
  type ElementOptions,
} from './options.js';
import { styles } from './resumable-upload.styles.js';
import { AnnouncerController } from './controllers/announcer.js';
import { DropPasteController } from './controllers/drop-paste.js';
import { FormValueController } from './controllers/form-value.js';
import { LangController } from './controllers/lang.js';
import { ProgressThrottleController } from './controllers/progress-throttle.js';
import { RetryCountdownController } from './controllers/retry-countdown.js';
import { DetachPauseController } from './controllers/detach-pause.js';
import type { PersistController } from './controllers/persist.js';

export type { ResumableUploadI18n } from './i18n.js';

/** Why a file was turned away before the engine saw it. */
export type FileRejectReason = 'type' | 'size' | 'count';

/** The detail of `file-reject`. */
export interface FileRejectDetail {
  file: File;
  reason: FileRejectReason;
  /** The message the element shows and announces (from `i18n`). */
  message: string;
}

/**
 * A file upload that survives lost connections: drop, paste or pick files, watch each one's progress,
 * pause, resume, cancel and retry. A thin skin over the engine's `Uploader`: attributes map one to one onto
 * its options, its events are re-dispatched from the element. In a form, the value is the completed
 * uploads' ids under `name`. Uploads go on when the element leaves the page; `clear()` stops them.
 *
 * @summary Resumable file uploads in one tag.
 *
 * @slot - Replaces the drop zone's whole content.
 * @slot drop-label - Replaces only the drop zone's text. Button labels come from `i18n`, as slots can't repeat per row.
 *
 * @csspart drop-zone - The button that opens the file picker and takes dropped files.
 * @csspart dragover - Added to the drop zone while files are dragged over the element.
 * @csspart message - Why the last files were rejected.
 * @csspart file-list - The list of files.
 * @csspart file - One file's row.
 * @csspart file-name - The file's name.
 * @csspart file-size - The file's size.
 * @csspart progress - The progress bar's track (role=progressbar).
 * @csspart progress-bar - The progress bar's filled part.
 * @csspart status - The file's state: progress and time left, Paused, Retrying in 3 s, Done, or the server's reason.
 * @csspart button - Every row button.
 * @csspart pause-button - Pauses the file.
 * @csspart resume-button - Resumes the paused file.
 * @csspart retry-button - Retries the failed file.
 * @csspart cancel-button - Cancels the file; once it is done, removes it from the list.
 *
 * @cssproperty [--resumable-upload-accent=#1d4ed8] - Progress bar, focus ring and drag-over border (#93c5fd in dark schemes).
 * @cssproperty [--resumable-upload-error=#b91c1c] - Error text (#fca5a5 in dark schemes).
 * @cssproperty [--resumable-upload-muted=#4b5563] - Size and status text (#b6bcc6 in dark schemes).
 * @cssproperty [--resumable-upload-border=1px solid #6b7280] - Border of the drop zone and buttons.
 * @cssproperty [--resumable-upload-radius=0.5rem] - Corner radius of the drop zone and buttons.
 * @cssproperty [--resumable-upload-gap=0.5rem] - Space between rows and their pieces.
 * @cssproperty [--resumable-upload-padding=1.5rem] - Padding of the drop zone.
 * @cssproperty [--resumable-upload-font=inherit] - Font of the whole element.
 * @cssproperty [--resumable-upload-progress-height=0.375rem] - Height of the progress bar.
 * @cssproperty [--resumable-upload-track=#e5e7eb] - The progress bar's empty part (#374151 in dark schemes).
 * @cssproperty [--resumable-upload-dragover-background=#dbeafe] - Drop zone background while dragging over (#1e3a8a in dark schemes).
 * @cssproperty [--resumable-upload-transition=150ms ease-out] - Timing of hover transitions; off under prefers-reduced-motion. The progress bar does not animate: it is drawn at most 4 times a second.
 *
 * @event {CustomEvent<UploadAddDetail>} upload-add - A file joined the list.
 * @event {CustomEvent<UploadStartDetail>} upload-start - A file started (or restarted) sending.
 * @event {CustomEvent<UploadProgressDetail>} upload-progress - Bytes moved; carries speed and eta.
 * @event {CustomEvent<UploadPauseDetail>} upload-pause - A file was paused.
 * @event {CustomEvent<UploadResumeDetail>} upload-resume - A paused file was resumed.
 * @event {CustomEvent<UploadRetryDetail>} upload-retry - A request failed; the next attempt waits `delay` ms.
 * @event {CustomEvent<UploadCompleteDetail>} upload-complete - The server holds the whole file.
 * @event {CustomEvent<UploadErrorDetail>} upload-error - A file failed for good; `retry()` starts it again.
 * @event {CustomEvent<UploadCancelDetail>} upload-cancel - A file was canceled and left the list.
 * @event {CustomEvent<QueueCompleteDetail>} queue-complete - Nothing is left to upload.
 * @event {CustomEvent<FileRejectDetail>} file-reject - A file broke `accept`, `max-file-size`, `max-files` or `multiple`, and was not added.
 */
export class ResumableUpload extends LitElement implements ElementOptions {
  static override styles = styles;
  static override shadowRootOptions: ShadowRootInit = {
    ...LitElement.shadowRootOptions,
    delegatesFocus: true,
  };
  static formAssociated = true;

  static override properties: PropertyDeclarations = {
    protocol: { reflect: true, useDefault: true },
    endpoint: { reflect: true, useDefault: true },
    metadata: { attribute: false },
    statusUrl: { attribute: 'status-url', reflect: true, useDefault: true },
    uploadUrl: { attribute: 'upload-url', reflect: true, useDefault: true },
    chunkSize: { attribute: 'chunk-size', reflect: true, useDefault: true, converter: wholeNumber },
    concurrency: { reflect: true, useDefault: true, converter: wholeNumber },
    retryDelays: { attribute: 'retry-delays', reflect: true, useDefault: true, converter: delayList },
    stallTimeout: { attribute: 'stall-timeout', reflect: true, useDefault: true, converter: wholeNumber },
    accept: { reflect: true, useDefault: true },
    multiple: { type: Boolean, reflect: true },
    maxFileSize: { attribute: 'max-file-size', reflect: true, useDefault: true, converter: wholeNumber },
    maxFiles: { attribute: 'max-files', reflect: true, useDefault: true, converter: wholeNumber },
    manual: { type: Boolean, reflect: true },
    persist: { reflect: true, useDefault: true, converter: persistSize },
    disabled: { type: Boolean, reflect: true },
    withCredentials: { attribute: 'with-credentials', type: Boolean, reflect: true },
    integrity: { type: Boolean, reflect: true },
    name: { reflect: true, useDefault: true },
    required: { type: Boolean, reflect: true },
    headers: { attribute: false },
    fileId: { attribute: false },
    i18n: { attribute: false },
  };

  /**
   * The wire protocol: `status-upload` (the article's two URLs), `tus` (tus 1.0) or `ietf` (IETF Resumable
   * Uploads for HTTP). tus and IETF load their code beside the bundle on first use.
   * @default 'status-upload'
   */
  declare protocol: ProtocolName;
  /**
   * tus and IETF: the creation URL files are `POST`ed to; each gets an upload URL of its own.
   * @default '/files/'
   */
  declare endpoint: string;
  /**
   * tus: sent as `Upload-Metadata` on creation, after `filename` and `filetype`.
   * @default {}
   */
  declare metadata: Record<string, string>;
  /**
   * status-upload: URL asked `GET` with `X-File-Id` for the byte count the server holds.
   * @default 'status'
   */
  declare statusUrl: string;
  /**
   * status-upload: URL the bytes are `POST`ed to.
   * @default 'upload'
   */
  declare uploadUrl: string;
  /**
   * Bytes per request; 0 sends the rest of each file in one request (the fastest; proxies' 413s shrink it).
   * @default 0
   */
  declare chunkSize: number;
  /**
   * How many files upload at once.
   * @default 2
   */
  declare concurrency: number;
  /**
   * Milliseconds before each retry, comma-separated in the attribute; its length is the number of retries.
   * @default [0, 1000, 3000, 5000, 10000]
   */
  declare retryDelays: number[];
  /**
   * Milliseconds without progress before a request is abandoned and retried; 0 never gives up.
   * @default 30000
   */
  declare stallTimeout: number;
  /**
   * File types taken, as the file input's `accept`: `.pdf,image/*`.
   * @default ''
   */
  declare accept: string;
  /**
   * Take several files per pick, drop or paste.
   * @default false
   */
  declare multiple: boolean;
  /**
   * Largest file size in bytes; bigger files are rejected with `file-reject`.
   * @default Infinity
   */
  declare maxFileSize: number;
  /**
   * Most files in the list; more are rejected with `file-reject`.
   * @default Infinity
   */
  declare maxFiles: number;
  /**
   * Don't start on selection: call `start()`.
   * @default false
   */
  declare manual: boolean;
  /**
   * Keep unfinished uploads across a reload and a browser restart: the element lists them again and goes
   * on, or asks for one click where the browser wants a gesture. A size (`persist="2GB"`) caps the copies
   * kept where the browser gives no file handle (README: "Surviving a reload").
   * @default false
   */
  declare persist: boolean | number | string;
  /**
   * No picking, dropping or pasting; row buttons are disabled too. Uploads already running go on.
   * @default false
   */
  declare disabled: boolean;
  /**
   * Send cookies and HTTP auth with cross-origin requests.
   * @default false
   */
  declare withCredentials: boolean;
  /**
   * SHA-256 of each request's body and of the file, in a Worker, checked by servers that ask for them; a
   * damaged body is sent again. `upload-complete` carries `sha256` and `verified`.
   * @default false
   */
  declare integrity: boolean;
  /**
   * The form field name the completed uploads' ids are submitted under.
   * @default ''
   */
  declare name: string;
  /**
   * The form can't be submitted until a file is uploaded.
   * @default false
   */
  declare required: boolean;
  /**
   * Extra request headers, or a function returning them (called before every request).
   * @default {}
   */
  declare headers: HeadersOption;
  /**
   * Names a file for the server.
   * @default defaultFileId
   */
  declare fileId: (file: File) => string;
  /**
   * Strings and formatters, merged over the locale loaded for the element's `lang` (README: "Languages"), or English.
   * @default {}
   */
  declare i18n: Partial<ResumableUploadI18n>;

  private readonly _uploader = new Uploader();
  /** Checked values of the numeric attributes; a bad one is replaced by its default. */
  private _limits = { maxFileSize: Infinity, maxFiles: Infinity };
  /** The bad value each attribute was last warned about. */
  private readonly _warned = new Map<string, string>();
  private _slotted = false;
  private _message = '';
  private readonly _milestones = new WeakMap<UploadItem, number>();
  /** `persist`'s controller, loaded the first time the attribute is set. */
  private _persist: Promise<PersistController> | null = null;
  private _persisted: PersistController | null = null;
  // Controllers run in this order after each render: the throttle notes the time, the announcer starts
  // its next batch, the form syncs, the countdown schedules its next tick.
  private readonly _progress = new ProgressThrottleController(this);
  private readonly _announcer = new AnnouncerController(this);
  private readonly _form = new FormValueController(this, () => this._t());
  private readonly _lang = new LangController(this);
  private readonly _drop = new DropPasteController(
    this,
    () => this._isDisabled,
    (files) => this.addFiles(files),
  );

  constructor() {
    super();
    Object.assign(this, elementDefaults());
    // Kept by no field: it only renders the host when a countdown's seconds change.
    new RetryCountdownController(this, () => this.items.map((i) => i.retryAt));
    new DetachPauseController(
      this,
      () => this.items,
      (item) => this.pause(item),
      (item) => this.resume(item),
    );
    for (const type of UPLOAD_EVENT_NAMES) {
      this._uploader.addEventListener(type, (e) => {
        this._onEngineEvent(type, 'item' in e.detail ? e.detail.item : undefined);
        this.dispatchEvent(new CustomEvent(type, { detail: e.detail, bubbles: true, composed: true }));
      });
    }
  }

  /** The state of each upload, in the order added. */
  get items(): readonly UploadItem[] {
    return this._uploader.items;
  }

  /** The form the element belongs to, if any. */
  get form(): HTMLFormElement | null {
    return this._form.internals.form;
  }
  /** Form validity: valueMissing when `required` and nothing is done; customError while uploads are unfinished. */
  get validity(): ValidityState {
    return this._form.internals.validity;
  }
  /** Why the element is invalid, or ''. */
  get validationMessage(): string {
    return this._form.internals.validationMessage;
  }
  /** Like a form control's: false (and an `invalid` event) while the element is invalid. */
  checkValidity(): boolean {
    return this._form.internals.checkValidity();
  }
  /** Like checkValidity(), and shows the browser's message. */
  reportValidity(): boolean {
    return this._form.internals.reportValidity();
  }

  /** Adds files as if picked, after `accept`, `max-file-size`, `max-files` and `multiple`; returns those taken. */
  addFiles(files: Iterable<File> | ArrayLike<File>): UploadItem[] {
    const t = this._t();
    const taken: File[] = [];
    const messages: string[] = [];
    this._sync();
    const given = Array.from(files);
    for (const file of this._persisted?.match(given) ?? given) {
      const { maxFileSize, maxFiles } = this._limits;
      const reason: FileRejectReason | null = !accepts(file, this.accept)
        ? 'type'
        : file.size > maxFileSize
          ? 'size'
          : (taken.length && !this.multiple) || this.items.length + taken.length >= maxFiles
            ? 'count'
            : null;
      if (!reason) {
        taken.push(file);
        continue;
      }
      const message =
        reason === 'type'
          ? t.rejectType(file.name)
          : reason === 'size'
            ? t.rejectSize(file.name, t.formatSize(maxFileSize))
            : t.rejectCount(file.name);
      messages.push(message);
      this._announcer.announce(message);
      this.dispatchEvent(
        new CustomEvent<FileRejectDetail>('file-reject', {
          detail: { file, reason, message },
          bubbles: true,
          composed: true,
        }),
      );
    }
    this._message = messages.join(' ');
    this.requestUpdate();
    return taken.length ? this._uploader.add(taken) : [];
  }

  /** Starts the files held back by `manual`. */
  start(): void {
    this._sync();
    this._uploader.start();
  }

  /** Pauses one file, or all. */
  pause(item?: UploadItem): void {
    this._uploader.pause(item);
  }

  /** Resumes one paused file, or all. */
  resume(item?: UploadItem): void {
    this._sync();
    if (item?.needs && this._persisted?.obtain(item)) return;
    this._uploader.resume(item);
  }

  /** Cancels one file, or all, and takes it off the list; a completed file is just removed. */
  cancel(item?: UploadItem): void {
    this._uploader.cancel(item);
    this._refresh();
  }

  /** Starts one failed file, or all, again from what the server holds. */
  retry(item?: UploadItem): void {
    this._sync();
    this._uploader.retry(item);
  }

  /** Probes the endpoint with tiny, harmless requests and reports what to fix (README: "When uploads fail"). */
  diagnose(options?: DiagnoseOptions): Promise<DiagnosisReport> {
    this._sync();
    return this._uploader.diagnose(options);
  }

  /** Cancels what is unfinished and empties the list. */
  clear(): void {
    this._uploader.clear();
    this._message = '';
    this._refresh();
  }

  formResetCallback(): void {
    this.clear();
  }

  formDisabledCallback(): void {
    this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ([...changed.keys()].some((k) => OPTION_PROPS.has(k))) this._sync();
  }

  protected override render() {
    const t = this._t();
    const disabled = this._isDisabled;
    const items = this.items;
    return html`
      <button
        part="drop-zone${this._drop.dragging ? ' dragover' : ''}"
        type="button"
        ?disabled=${disabled}
        @click=${() => this._persisted?.pick() || this._input?.click()}
      >
        <slot @slotchange=${this._onSlotChange}></slot>
        <span ?hidden=${this._slotted}><slot name="drop-label">${t.drop}</slot></span>
      </button>
      <input
        type="file"
        hidden
        tabindex="-1"
        aria-hidden="true"
        accept=${this.accept}
        ?multiple=${this.multiple}
        ?disabled=${disabled}
        @change=${this._onChange}
      />
      ${this._message ? html`<p part="message">${this._message}</p>` : nothing}
      <ul part="file-list" ?hidden=${!items.length}>
        ${items.map((item) => fileRow(item, t, disabled, this._act))}
      </ul>
      <div class="visually-hidden" aria-live="polite">${this._announcer.text}</div>
    `;
  }

  private _act = (action: RowAction, item: UploadItem): void => {
    this[action](item);
    // The row goes away with its focused button: keep keyboard focus in the element. (host.focus()
    // would do nothing, as focus is still inside the shadow root.)
    if (action === 'cancel') this.renderRoot.querySelector<HTMLElement>('[part~=drop-zone]')?.focus();
  };

  private _t(): ResumableUploadI18n {
    return { ...defaultI18n, ...this._lang.locale, ...this.i18n };
  }

  /** Our own `disabled`, or a disabled fieldset's. Not kept from formDisabledCallback: Lit drops the
   * update it asks for when our own reflection of `disabled` is what calls it. */
  private get _isDisabled(): boolean {
    return this.disabled || (!this.hasAttribute('disabled') && this.matches(':disabled'));
  }

  private get _input(): HTMLInputElement | null | undefined {
    return this.shadowRoot?.querySelector('input');
  }

  /** Hands the attributes to the engine, each checked; a bad value warns once and falls back to its default. */
  private _sync(): void {
    const { options, maxFileSize, maxFiles } = checkOptions(this, this._warn);
    this._limits = { maxFileSize, maxFiles };
    this._uploader.setOptions(options);
    if (options.persist)
      this._persist ??= import('./controllers/persist.js').then(
        (m) => (this._persisted = new m.PersistController(this, this._uploader, () => this._input)),
      );
  }

  private _warn = (attribute: string, form: string, value: string, fallback: string): void => {
    const shown = this.getAttribute(attribute) ?? value;
    if (this._warned.get(attribute) === shown) return;
    this._warned.set(attribute, shown);
    console.warn(
      `<${this.localName}>: ${attribute}="${shown}" is not valid; use ${form}. Using the default, ${fallback}.`,
    );
  };

  private _onEngineEvent(type: UploadEventName, item: UploadItem | undefined): void {
    const t = this._t();
    const name = item?.file.name ?? '';
    const announce = (message: string) => this._announcer.announce(message);
    if (type === 'upload-start') announce(t.started(name));
    else if (type === 'upload-complete') announce(t.completed(name));
    else if (type === 'upload-error' && item?.error)
      announce(t.failed(name, item.error.responseText || item.error.message));
    else if (type === 'upload-progress' && item && item.bytesTotal) {
      const quarter = Math.floor((item.bytesUploaded * 4) / item.bytesTotal) * 25;
      const milestone = quarter > (this._milestones.get(item) ?? 0) && quarter < 100;
      if (milestone) {
        this._milestones.set(item, quarter);
        announce(t.milestone(name, quarter));
      }
      // Progress never settles an upload, so the form's value and validity stay as they are; a milestone
      // is drawn at once, the bytes between at the throttle's pace.
      return this._progress.request(milestone);
    }
    this._refresh();
  }

  private _refresh(): void {
    this._form.sync();
    this.requestUpdate();
  }

  private _onChange = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    // Cleared so picking the same file again still fires change.
    input.value = '';
    this.addFiles(files);
  };

  private _onSlotChange = (e: Event): void => {
    const nodes = (e.target as HTMLSlotElement).assignedNodes();
    // Whitespace between tags is assigned to the default slot too; it doesn't replace the label.
    this._slotted = nodes.some((n) => n.nodeType === Node.ELEMENT_NODE || n.textContent?.trim());
    this.requestUpdate();
  };
}
