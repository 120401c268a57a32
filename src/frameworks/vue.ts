// `resumable-upload/vue`, types only: <resumable-upload> in Vue templates, checked by vue-tsc and Volar.
// Opt in once with `import type {} from 'resumable-upload/vue'`; the runtime needs `isCustomElement`.
import type { DefineComponent } from 'vue';
import type { ResumableUploadCamelEventProps, ResumableUploadProperties } from './types.js';

/** Vue reads `:chunk-size="1024"` and `@upload-progress="fn"` as props `chunkSize` and `onUploadProgress`. */
export type ResumableUploadVueProps = ResumableUploadProperties & ResumableUploadCamelEventProps;

declare module 'vue' {
  interface GlobalComponents {
    'resumable-upload': DefineComponent<ResumableUploadVueProps>;
  }
}
