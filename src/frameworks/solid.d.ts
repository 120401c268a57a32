// `resumable-upload/solid`, types only: <resumable-upload> in Solid JSX.
// Opt in once with `import type {} from 'resumable-upload/solid'`.
import type { JSX } from 'solid-js';
import type { ResumableUpload } from '../element/resumable-upload.js';
import type { ResumableUploadEventProps, ResumableUploadProperties } from './types.js';

/** Solid sets props of a custom element as properties; `on:upload-progress` listens to `upload-progress`. */
export type ResumableUploadSolidProps = JSX.HTMLAttributes<ResumableUpload> &
  ResumableUploadProperties &
  ResumableUploadEventProps<'on:'>;

declare module 'solid-js' {
  namespace JSX {
    interface IntrinsicElements {
      'resumable-upload': ResumableUploadSolidProps;
    }
  }
}
