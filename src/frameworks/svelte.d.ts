// `resumable-upload/svelte`, types only: <resumable-upload> in Svelte templates (svelte-check, the editor).
// Opt in once with `import type {} from 'resumable-upload/svelte'`.
import type { HTMLAttributes } from 'svelte/elements';
import type { ResumableUpload } from '../element/resumable-upload.js';
import type { ResumableUploadEventProps, ResumableUploadProperties } from './types.js';

/**
 * Svelte sets a prop the element has as a property. Listeners: `onupload-progress` (Svelte 5) or
 * `on:upload-progress` (Svelte 4).
 */
export type ResumableUploadSvelteProps = HTMLAttributes<ResumableUpload> &
  ResumableUploadProperties &
  ResumableUploadEventProps<'on'> &
  ResumableUploadEventProps<'on:'>;

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
    'resumable-upload': ResumableUploadSvelteProps;
  }
}
