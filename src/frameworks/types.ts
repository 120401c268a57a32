// What templates can pass to <resumable-upload> and hear from it, written once; each framework's typings
// (react, vue, preact, solid, svelte) only spell these names the way that framework binds them.
import type { ResumableUpload } from '../element/resumable-upload.js';
import type { ResumableUploadEventMap, ResumableUploadEventName } from '../element/events.js';
import type { ElementProperty } from '../element/options.js';

export type { ResumableUploadEventMap, ResumableUploadEventName } from '../element/events.js';

/**
 * The properties a template may set: every property of the element's table (src/element/options.ts), the
 * attributes' and `headers`, `fileId`, `metadata` and `i18n`.
 */
export type ResumableUploadProperties = Partial<Pick<ResumableUpload, ElementProperty>>;

/** A listener for one of the element's events. */
export type ResumableUploadListener<K extends ResumableUploadEventName> = (
  event: ResumableUploadEventMap[K],
) => void;

/**
 * One optional listener prop per event, named `${Prefix}${event name}`: `onupload-progress` for React 19,
 * Preact and Svelte 5, `on:upload-progress` for Solid and Svelte 4.
 */
export type ResumableUploadEventProps<Prefix extends string> = {
  [K in ResumableUploadEventName as `${Prefix}${K}`]?: ResumableUploadListener<K>;
};

/** `upload-progress` -> `UploadProgress`. */
export type Pascal<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${Pascal<Tail>}`
  : Capitalize<S>;

/** One optional listener prop per event, as Vue and @lit/react name them: `onUploadProgress`. */
export type ResumableUploadCamelEventProps = {
  [K in ResumableUploadEventName as `on${Pascal<K>}`]?: ResumableUploadListener<K>;
};
