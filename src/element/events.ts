// The element's events, named once: the typed map, and the list of names checked against it.
import type { UploadEventMap } from '../engine/events.js';
import type { FileRejectDetail } from './file-checks.js';

/** Every event the element dispatches, by name. */
export interface ResumableUploadEventMap extends UploadEventMap {
  'file-reject': CustomEvent<FileRejectDetail>;
}

export type ResumableUploadEventName = keyof ResumableUploadEventMap;

// A Record, so the compiler rejects a name missing from the map or one it doesn't know.
const NAMES: Record<ResumableUploadEventName, 0> = {
  'upload-add': 0,
  'upload-start': 0,
  'upload-progress': 0,
  'upload-pause': 0,
  'upload-resume': 0,
  'upload-retry': 0,
  'upload-complete': 0,
  'upload-error': 0,
  'upload-cancel': 0,
  'queue-complete': 0,
  'file-reject': 0,
};

/** Every event the element dispatches, in the order of an upload's life; `file-reject` last. */
export const RESUMABLE_UPLOAD_EVENT_NAMES = Object.keys(NAMES) as ResumableUploadEventName[];
