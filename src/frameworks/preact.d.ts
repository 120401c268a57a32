// `resumable-upload/preact`, types only: <resumable-upload> in Preact JSX.
// Opt in once with `import type {} from 'resumable-upload/preact'`.
import type { HTMLAttributes } from 'preact';
import type { ResumableUpload } from '../element/resumable-upload.js';
import type { ResumableUploadEventProps, ResumableUploadProperties } from './types.js';

/** Preact sets a prop the element has as a property, and `onupload-progress` listens to `upload-progress`. */
export type ResumableUploadPreactProps = HTMLAttributes<ResumableUpload> &
  ResumableUploadProperties &
  ResumableUploadEventProps<'on'>;

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'resumable-upload': ResumableUploadPreactProps;
    }
  }
}
