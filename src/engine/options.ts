import { statusUpload } from './protocols/index.js';
import type { Protocol } from './protocols/types.js';
import type { Transport } from './transport.js';

/** Extra request headers: an object, or a function called before every request (e.g. a fresh token). */
export type HeadersOption =
  Record<string, string> | ((file: File) => Record<string, string> | Promise<Record<string, string>>);

/** Everything the engine can be told. The element's attributes map onto it one to one. */
export interface UploaderOptions {
  /**
   * The wire protocol: `statusUpload` (the article's), `tus()` or `ietf()` from `protocols`; the last
   * two load their code on first use.
   * @default statusUpload
   */
  protocol: Protocol;
  /**
   * The creation URL of tus and IETF uploads: files are `POST`ed here and get an upload URL of their own.
   * @default '/files/'
   */
  endpoint: string;
  /**
   * Sent when an upload is created, with `filename` and `filetype` (tus `Upload-Metadata`).
   * @default {}
   */
  metadata: Record<string, string>;
  /**
   * status-upload: URL asked `GET` with `X-File-Id`; answers the byte count the server holds.
   * @default 'status'
   */
  statusUrl: string;
  /**
   * status-upload: URL the bytes are `POST`ed to with `X-File-Id`, `X-Start-Byte` and `X-File-Size`.
   * @default 'upload'
   */
  uploadUrl: string;
  /**
   * Bytes per request. 0 sends the rest of the file in one request, as in the original article: measured
   * (`npm run bench`), only a whole-file request matches a raw POST, because Chromium sends a File
   * twice as fast as any slice of it. The server checkpoints long bodies every second, so a cut still
   * resumes close to where it happened. A 413 halves it (never below `minChunkSize`) for the rest of the file.
   * @default 0
   */
  chunkSize: number;
  /**
   * The floor the chunk size shrinks to after a 413 or a body-limit network error.
   * @default 262144 (256 KiB)
   */
  minChunkSize: number;
  /**
   * How many files upload at once.
   * @default 2
   */
  concurrency: number;
  /**
   * Milliseconds to wait before each retry; its length is the number of retries. Jitter is added.
   * A `Retry-After` header wins over it.
   * @default [0, 1000, 3000, 5000, 10000]
   */
  retryDelays: number[];
  /**
   * Milliseconds without upload progress (or without a response) before a request is aborted and retried.
   * @default 30000
   */
  stallTimeout: number;
  /**
   * Extra headers for every request, or a function returning them.
   * @default {}
   */
  headers: HeadersOption;
  /**
   * Send cookies and HTTP auth with cross-origin requests.
   * @default false
   */
  withCredentials: boolean;
  /**
   * Names a file for the server. The result is percent-encoded where it is not plain ASCII.
   * @default (file) => `${file.name}-${file.size}-${file.lastModified}`
   */
  fileId: (file: File) => string;
  /**
   * Start uploading as soon as files are added. When false, call start().
   * @default true
   */
  autoStart: boolean;
  /**
   * Prove the stored file is the picked one: every request carries its body's SHA-256 (RFC 9530
   * `Content-Digest`, tus `Upload-Checksum`) and the last one the file's (`Repr-Digest`), where the server
   * asks for them (`Want-Content-Digest`, `Want-Repr-Digest`, tus `Tus-Checksum-Algorithm`). A body the
   * server finds damaged is sent again, alone. Digests are computed in a Worker, one request ahead; the
   * file goes in requests of at most `INTEGRITY_CHUNK_SIZE` when `chunkSize` is 0.
   * @default false
   */
  integrity: boolean;
  /**
   * Keep unfinished uploads across a reload and a browser restart: the page lists them again and goes on.
   * `true`, or the most bytes of file copies to keep in the Origin Private File System where no file
   * handle can be kept, as a number or a size such as `'2GB'` or `'500MiB'` (`true`: 2 GiB). A bad size
   * warns and means `true`. Its code loads on first use.
   * @default false
   */
  persist: boolean | number | string;
  /**
   * The HTTP sender. Tests script it; the default uses XMLHttpRequest for upload progress.
   * @default new XhrTransport()
   */
  transport?: Transport;
}

export const DEFAULT_CHUNK_SIZE = 0;
export const MIN_CHUNK_SIZE = 256 * 1024;
/** With `integrity`, the largest request when `chunkSize` is 0: a damaged body costs at most this again. */
export const INTEGRITY_CHUNK_SIZE = 16 * 1024 * 1024;

/** The article's id: name, size and modification time. */
export const defaultFileId = (file: File): string => `${file.name}-${file.size}-${file.lastModified}`;

export const defaultOptions = (): UploaderOptions => ({
  protocol: statusUpload,
  endpoint: '/files/',
  metadata: {},
  statusUrl: 'status',
  uploadUrl: 'upload',
  chunkSize: DEFAULT_CHUNK_SIZE,
  minChunkSize: MIN_CHUNK_SIZE,
  concurrency: 2,
  retryDelays: [0, 1000, 3000, 5000, 10000],
  stallTimeout: 30000,
  headers: {},
  withCredentials: false,
  fileId: defaultFileId,
  autoStart: true,
  integrity: false,
  persist: false,
});
