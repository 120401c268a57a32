import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { Uploader } from '../engine/queue.js';
import type { DiagnoseOptions, DiagnosisReport } from '../engine/diagnose.js';
import type { UploadItem } from '../engine/upload.js';
import type { UploadEventName } from '../engine/events.js';
import { announcements, relayEvents } from './engine-events.js';
import { checkFiles } from './file-checks.js';
import { fileRow, type RowAction } from './file-row.js';
import { defaultI18n, type ResumableUploadI18n } from './i18n.js';
import { checkOptions, warnOnce } from './options.js';
import { ElementProperties } from './properties.js';
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
export type { FileRejectDetail, FileRejectReason } from './file-checks.js';

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
export class ResumableUpload extends ElementProperties {
  static override styles = styles;
  static override shadowRootOptions: ShadowRootInit = {
    ...LitElement.shadowRootOptions,
    delegatesFocus: true,
  };
  static formAssociated = true;

  readonly #uploader = new Uploader();
  /** Checked values of the numeric attributes; a bad one is replaced by its default. */
  #limits = { maxFileSize: Infinity, maxFiles: Infinity };
  readonly #warn = warnOnce(this);
  readonly #say = announcements();
  #slotted = false;
  #message = '';
  /** `persist`'s controller, loaded the first time the attribute is set: null while it loads. */
  private _persisted?: PersistController | null;
  // Controllers run in this order after each render: the throttle notes the time, the announcer starts
  // its next batch, the form syncs, the countdown schedules its next tick.
  readonly #progress = new ProgressThrottleController(this);
  readonly #announcer = new AnnouncerController(this);
  readonly #form = new FormValueController(this, () => this.#t());
  readonly #lang = new LangController(this);
  readonly #drop = new DropPasteController(
    this,
    () => this.#isDisabled,
    (files) => this.addFiles(files),
  );

  constructor() {
    super();
    // Kept by no field: it only renders the host when a countdown's seconds change.
    new RetryCountdownController(this, () => this.items.map((i) => i.retryAt));
    new DetachPauseController(
      this,
      () => this.items,
      (item) => this.pause(item),
      (item) => this.resume(item),
    );
    relayEvents(this.#uploader, this, this.#onEngineEvent);
  }

  /** The state of each upload, in the order added. */
  get items(): readonly UploadItem[] {
    return this.#uploader.items;
  }

  /** The form the element belongs to, if any. */
  get form(): HTMLFormElement | null {
    return this.#form.internals.form;
  }
  /** Form validity: valueMissing when `required` and nothing is done; customError while uploads are unfinished. */
  get validity(): ValidityState {
    return this.#form.internals.validity;
  }
  /** Why the element is invalid, or ''. */
  get validationMessage(): string {
    return this.#form.internals.validationMessage;
  }
  /** Like a form control's: false (and an `invalid` event) while the element is invalid. */
  checkValidity(): boolean {
    return this.#form.internals.checkValidity();
  }
  /** Like checkValidity(), and shows the browser's message. */
  reportValidity(): boolean {
    return this.#form.internals.reportValidity();
  }

  /** Adds files as if picked, after `accept`, `max-file-size`, `max-files` and `multiple`; returns those taken. */
  addFiles(files: Iterable<File> | ArrayLike<File>): UploadItem[] {
    this.#sync();
    const given = Array.from(files);
    const { taken, rejected } = checkFiles(
      this._persisted?.match(given) ?? given,
      this,
      this.#limits,
      this.#t(),
    );
    for (const detail of rejected) {
      this.#announcer.announce(detail.message);
      this.dispatchEvent(new CustomEvent('file-reject', { detail, bubbles: true, composed: true }));
    }
    this.#message = rejected.map((d) => d.message).join(' ');
    this.requestUpdate();
    return taken.length ? this.#uploader.add(taken) : [];
  }

  /** Starts the files held back by `manual`. */
  start(): void {
    this.#sync();
    this.#uploader.start();
  }

  /** Pauses one file, or all. */
  pause(item?: UploadItem): void {
    this.#uploader.pause(item);
  }

  /** Resumes one paused file, or all. */
  resume(item?: UploadItem): void {
    this.#sync();
    if (item?.needs && this._persisted?.obtain(item)) return;
    this.#uploader.resume(item);
  }

  /** Cancels one file, or all, and takes it off the list; a completed file is just removed. */
  cancel(item?: UploadItem): void {
    this.#uploader.cancel(item);
    this.#refresh();
  }

  /** Starts one failed file, or all, again from what the server holds. */
  retry(item?: UploadItem): void {
    this.#sync();
    this.#uploader.retry(item);
  }

  /** Probes the endpoint with tiny, harmless requests and reports what to fix (README: "When uploads fail"). */
  diagnose(options?: DiagnoseOptions): Promise<DiagnosisReport> {
    this.#sync();
    return this.#uploader.diagnose(options);
  }

  /** Cancels what is unfinished and empties the list. */
  clear(): void {
    this.#uploader.clear();
    this.#message = '';
    this.#refresh();
  }

  formResetCallback(): void {
    this.clear();
  }

  formDisabledCallback(): void {
    this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Any changed property may be an option: all are handed over again (cheap). Renders for progress change none.
    if (changed.size) this.#sync();
  }

  protected override render() {
    const t = this.#t();
    const disabled = this.#isDisabled;
    const items = this.items;
    return html`
      <button
        part="drop-zone${this.#drop.dragging ? ' dragover' : ''}"
        type="button"
        ?disabled=${disabled}
        @click=${() => this._persisted?.pick() || this.#input?.click()}
      >
        <slot @slotchange=${this.#onSlotChange}></slot>
        <span ?hidden=${this.#slotted}><slot name="drop-label">${t.drop}</slot></span>
      </button>
      <input
        type="file"
        hidden
        tabindex="-1"
        aria-hidden="true"
        accept=${this.accept}
        ?multiple=${this.multiple}
        ?disabled=${disabled}
        @change=${this.#onChange}
      />
      ${this.#message ? html`<p part="message">${this.#message}</p>` : nothing}
      <ul part="file-list" ?hidden=${!items.length}>
        ${items.map((item) => fileRow(item, t, disabled, this.#act))}
      </ul>
      <div class="visually-hidden" aria-live="polite">${this.#announcer.text}</div>
    `;
  }

  #act = (action: RowAction, item: UploadItem): void => {
    this[action](item);
    // The row goes away with its focused button: keep keyboard focus in the element. (host.focus()
    // would do nothing, as focus is still inside the shadow root.)
    if (action === 'cancel') this.renderRoot.querySelector<HTMLElement>('[part~=drop-zone]')?.focus();
  };

  #t(): ResumableUploadI18n {
    return { ...defaultI18n, ...this.#lang.locale, ...this.i18n };
  }

  /** Our own `disabled`, or a disabled fieldset's. Not kept from formDisabledCallback: Lit drops the
   * update it asks for when our own reflection of `disabled` is what calls it. */
  get #isDisabled(): boolean {
    return this.disabled || (!this.hasAttribute('disabled') && this.matches(':disabled'));
  }

  get #input(): HTMLInputElement | null | undefined {
    return this.shadowRoot?.querySelector('input');
  }

  /** Hands the attributes to the engine, each checked; a bad value warns once and falls back to its default. */
  #sync(): void {
    const { options, maxFileSize, maxFiles } = checkOptions(this, this.#warn);
    this.#limits = { maxFileSize, maxFiles };
    this.#uploader.setOptions(options);
    if (options.persist && this._persisted === undefined) {
      this._persisted = null;
      void import('./controllers/persist.js').then(
        (m) => (this._persisted = new m.PersistController(this, this.#uploader, () => this.#input)),
      );
    }
  }

  #onEngineEvent = (type: UploadEventName, item: UploadItem | undefined): void => {
    const message = this.#say(type, item, this.#t());
    if (message) this.#announcer.announce(message);
    // Progress never settles an upload, so the form's value and validity stay as they are; a milestone
    // (said) is drawn at once, the bytes between at the throttle's pace.
    if (type === 'upload-progress' && item?.bytesTotal) this.#progress.request(!!message);
    else this.#refresh();
  };

  #refresh(): void {
    this.#form.sync();
    this.requestUpdate();
  }

  #onChange = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    // Cleared so picking the same file again still fires change.
    input.value = '';
    this.addFiles(files);
  };

  #onSlotChange = (e: Event): void => {
    const nodes = (e.target as HTMLSlotElement).assignedNodes();
    // Whitespace between tags is assigned to the default slot too; it doesn't replace the label.
    this.#slotted = nodes.some((n) => n.nodeType === Node.ELEMENT_NODE || n.textContent?.trim());
    this.requestUpdate();
  };
}
