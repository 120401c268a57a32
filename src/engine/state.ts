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
