import type { UploadError } from './errors.js';
import type { UploadItem } from './state.js';

/** Carried by every per-file event. */
export interface UploadEventDetail {
  /** The live upload: status, bytes, speed, error. */
  item: UploadItem;
  file: File;
  /** The id as the application sees it (before header encoding). */
  fileId: string;
  /** Bytes the server confirmed plus bytes of the request in flight; never above what the server has after a failure. */
  bytesUploaded: number;
  bytesTotal: number;
}

export type UploadAddDetail = UploadEventDetail;
export type UploadStartDetail = UploadEventDetail;
export interface UploadProgressDetail extends UploadEventDetail {
  /** Smoothed bytes per second, 0 until measured. */
  speed: number;
  /** Seconds left at the current speed; Infinity until measured. */
  eta: number;
}
export type UploadPauseDetail = UploadEventDetail;
export type UploadResumeDetail = UploadEventDetail;
export interface UploadRetryDetail extends UploadEventDetail {
  /** 1 for the first retry. */
  attempt: number;
  /** Milliseconds until the next attempt (after jitter, or from Retry-After). */
  delay: number;
  /** What went wrong. */
  error: UploadError;
}
export interface UploadCompleteDetail extends UploadEventDetail {
  /** The body of the server's last response. */
  response: string;
  /** With `integrity` on: the file's SHA-256 (hex) as the client computed it; null when off. */
  sha256: string | null;
  /** The server checked the stored file against `sha256` and answered the same digest (`Repr-Digest`). */
  verified: boolean;
}
export interface UploadErrorDetail extends UploadEventDetail {
  error: UploadError;
}
export type UploadCancelDetail = UploadEventDetail;
export interface QueueCompleteDetail {
  items: readonly UploadItem[];
}

/** Event name -> detail type, for the engine and the element alike. */
export interface UploadEventDetailMap {
  'upload-add': UploadAddDetail;
  'upload-start': UploadStartDetail;
  'upload-progress': UploadProgressDetail;
  'upload-pause': UploadPauseDetail;
  'upload-resume': UploadResumeDetail;
  'upload-retry': UploadRetryDetail;
  'upload-complete': UploadCompleteDetail;
  'upload-error': UploadErrorDetail;
  'upload-cancel': UploadCancelDetail;
  'queue-complete': QueueCompleteDetail;
}

export type UploadEventMap = { [K in keyof UploadEventDetailMap]: CustomEvent<UploadEventDetailMap[K]> };
export type UploadEventName = keyof UploadEventDetailMap;

/** Every event the engine dispatches, in the order of an upload's life. */
export const UPLOAD_EVENT_NAMES: readonly UploadEventName[] = [
  'upload-add',
  'upload-start',
  'upload-progress',
  'upload-pause',
  'upload-resume',
  'upload-retry',
  'upload-complete',
  'upload-error',
  'upload-cancel',
  'queue-complete',
];
