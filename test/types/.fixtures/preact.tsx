/** @jsxImportSource preact */
// Preact JSX.
import type {} from 'resumable-upload/preact';

export const ok = (
  <resumable-upload
    class="uploader"
    uploadUrl="/upload"
    chunkSize={1024 * 1024}
    status-url="/status"
    onupload-progress={(e) => e.detail.bytesUploaded.toFixed()}
    onfile-reject={(e) => e.detail.reason}
  >
    <span slot="drop-label">Drop files</span>
  </resumable-upload>
);

// @ts-expect-error upload-progress has no `nope` in its detail
export const badDetail = <resumable-upload onupload-progress={(e) => e.detail.nope} />;
// @ts-expect-error chunkSize is a number
export const badProperty = <resumable-upload chunkSize="big" />;
// @ts-expect-error a misspelt property
export const misspelt = <resumable-upload chunkSise={1} />;
