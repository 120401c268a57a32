// `resumable-upload/solid`, types only: <resumable-upload> in Solid JSX.
// Opt in once with `import type {} from 'resumable-upload/solid'`.
import type { JSX } from 'solid-js';
import type { ResumableUpload } from '../element/resumable-upload.js';
import type { ResumableUploadEventProps, ResumableUploadProperties } from './types.js';

/**
 * Properties through `prop:` (`prop:chunkSize={n}`). Solid lower-cases a bare prop's name on a custom
 * element (`chunkSize={n}` would set `chunksize`), so only the `prop:` spelling is typed; a kebab-case
 * attribute (`chunk-size={n}`) is camel-cased back to the property. `on:upload-progress` listens.
 */
export type ResumableUploadSolidProps = JSX.HTMLAttributes<ResumableUpload> & {
  [K in keyof ResumableUploadProperties as `prop:${K}`]?: ResumableUploadProperties[K];
} & ResumableUploadEventProps<'on:'>;

declare module 'solid-js' {
  namespace JSX {
    interface IntrinsicElements {
      'resumable-upload': ResumableUploadSolidProps;
    }
  }
}
