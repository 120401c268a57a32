// Svelte: the SvelteHTMLElements entry that svelte-check reads for `<resumable-upload ...>`.
import type { SvelteHTMLElements } from 'svelte/elements';
import type {} from 'resumable-upload/svelte';

type Attributes = SvelteHTMLElements['resumable-upload'];

export const svelte5: Attributes = {
  class: 'uploader',
  uploadUrl: '/upload',
  chunkSize: 1024 * 1024,
  'onupload-progress': (e) => e.detail.bytesUploaded.toFixed(),
};
export const svelte4: Attributes = { 'on:upload-complete': (e) => e.detail.response.trim() };

// @ts-expect-error upload-progress has no `nope` in its detail
export const badDetail: Attributes = { 'onupload-progress': (e) => e.detail.nope };
// @ts-expect-error chunkSize is a number
export const badProperty: Attributes = { chunkSize: 'big' };
