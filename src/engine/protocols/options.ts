/** Where tus and IETF remember upload URLs so a reload resumes; null keeps no memory. */
export interface UrlStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface Remembering {
  /**
   * Remembers each file's upload URL (by endpoint and file id) so a reload and a pick of the same file
   * resumes. Failures (private mode, quota) mean no memory, silently.
   * @default localStorage
   */
  storage?: UrlStorage | null;
  /**
   * How long a remembered URL is trusted when the server names no expiry, in milliseconds.
   * @default 86400000 (a day)
   */
  maxAge?: number;
}

export interface TusOptions extends Remembering {
  /**
   * Send the first bytes with the creation `POST` (creation-with-upload). Also turned on when the
   * server announces `creation-with-upload` in a `Tus-Extension` header.
   * @default false
   */
  creationWithUpload?: boolean;
  /**
   * Ask `OPTIONS` once per endpoint and page for `Tus-Extension`, `Tus-Max-Size` and
   * `Tus-Checksum-Algorithm` before the first creation. Off by default, as in tus-js-client: it costs a
   * round trip (two cross-origin); announcements in any other answer are read anyway.
   * @default false
   */
  discover?: boolean;
}

export interface IetfOptions extends Remembering {
  /**
   * `Upload-Draft-Interop-Version` sent with every request: 8 (draft-09 to -11) or 6 (draft-04, -05).
   * @default 8
   */
  interopVersion?: 6 | 8;
}
