import type { ResumableUploadEventMap } from './events.js';
import { ResumableUpload } from './resumable-upload.js';

// Guarded, so a second copy of the bundle on the page doesn't throw.
if (!customElements.get('resumable-upload')) customElements.define('resumable-upload', ResumableUpload);

declare global {
  interface HTMLElementTagNameMap {
    'resumable-upload': ResumableUpload;
  }
  // The element's map, so a new event is typed on addEventListener without a second list here.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends ResumableUploadEventMap {}
}
