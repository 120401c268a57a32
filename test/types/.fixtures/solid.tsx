/** @jsxImportSource solid-js */
// Solid JSX: listeners are `on:` + the event name.
import type {} from 'resumable-upload/solid';

export const ok = (
  <resumable-upload
    class="uploader"
    uploadUrl="/upload"
    chunkSize={1024 * 1024}
    on:upload-progress={(e) => e.detail.bytesUploaded.toFixed()}
    on:upload-complete={(e) => e.detail.response.trim()}
  >
    <span slot="drop-label">Drop files</span>
  </resumable-upload>
);

// @ts-expect-error upload-progress has no `nope` in its detail
export const badDetail = <resumable-upload on:upload-progress={(e) => e.detail.nope} />;
// @ts-expect-error chunkSize is a number
export const badProperty = <resumable-upload chunkSize="big" />;
