import type { UploadError } from './errors.js';

/** Where one upload is in its life. A const object plus a union type of the same name. */
export const UploadStatus = {
  /** Waiting for a free slot in the queue (or for start() in manual mode). */
  queued: 'queued',
  /** Asking the server how many bytes it already holds. */
  checking: 'checking',
  /** Sending bytes. */
  uploading: 'uploading',
  /** Paused by the user; the server keeps what it has. */
  paused: 'paused',
  /** Waiting before the next attempt, or for the network to come back. */
  retrying: 'retrying',
  /** The server holds every byte. */
  complete: 'complete',
  /** Failed for good; retry() starts again from the server's offset. */
  error: 'error',
  /** Canceled by the user and forgotten. */
  canceled: 'canceled',
} as const;
export type UploadStatus = (typeof UploadStatus)[keyof typeof UploadStatus];

/** States from which an upload makes no further progress on its own. */
export const isSettled = (s: UploadStatus): boolean =>
  s === UploadStatus.complete || s === UploadStatus.error || s === UploadStatus.canceled;

/** The read-only view of one upload that events and the element expose. */
export interface UploadItem {
  readonly file: File;
  /** The id as the application sees it. */
  readonly fileId: string;
  readonly status: UploadStatus;
  /** Confirmed bytes plus bytes of the request in flight. */
  readonly bytesUploaded: number;
  readonly bytesTotal: number;
  /** Smoothed bytes per second; 0 until measured. */
  readonly speed: number;
  /** Seconds left at the current speed; Infinity until measured. */
  readonly eta: number;
  /** Retries spent since the last progress. */
  readonly attempt: number;
  /** While retrying: when the next attempt starts (epoch ms); null while waiting for the network. */
  readonly retryAt: number | null;
  /** While retrying: the browser is offline and the upload waits for it to come back. */
  readonly waitingForNetwork: boolean;
  /** The final error, when status is `error`. */
  readonly error: UploadError | null;
  /** The server's last response body, when status is `complete`. */
  readonly response: string | null;
  /** Another tab uploads the same file; progress is that tab's. */
  readonly elsewhere: boolean;
  /** Restored after a reload, waiting for the user: a permission prompt, or the file picked again. */
  readonly needs: 'permission' | 'file' | null;
}
