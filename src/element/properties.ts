// The element's public properties in one place: each one's attribute, converter, default and docs.
import { LitElement, type PropertyDeclarations } from 'lit';
import type { HeadersOption } from '../engine/options.js';
import type { ProtocolName } from '../engine/protocols/index.js';
import type { ResumableUploadI18n } from './i18n.js';
import { delayList, elementDefaults, persistSize, wholeNumber, type ElementOptions } from './options.js';

/**
 * The properties of `<resumable-upload>`, which adds the behaviour: attributes in kebab-case, each
 * property's default from `elementDefaults()` (the table test/element/options-table.test.ts checks).
 */
export class ElementProperties extends LitElement implements ElementOptions {
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
   * kept where the browser gives no file handle (README: "Surviving a reload"); `persist="false"`, `"off"`
   * or `"0"` is off, as no attribute is.
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

  constructor() {
    super();
    Object.assign(this, elementDefaults());
  }
}
