/** @jsxImportSource solid-js */
// Solid JSX: properties are `prop:` + the name (Solid lower-cases a bare one), listeners `on:` + the event.
import type {} from 'resumable-upload/solid';

export const ok = (
  <resumable-upload
    class="uploader"
    prop:uploadUrl="/upload"
    prop:chunkSize={1024 * 1024}
    on:upload-progress={(e) => e.detail.bytesUploaded.toFixed()}
    on:upload-complete={(e) => e.detail.response.trim()}
  >
    <span slot="drop-label">Drop files</span>
  </resumable-upload>
);

// @ts-expect-error upload-progress has no `nope` in its detail
export const badDetail = <resumable-upload on:upload-progress={(e) => e.detail.nope} />;
// @ts-expect-error chunkSize is a number
export const badProperty = <resumable-upload prop:chunkSize="big" />;
// @ts-expect-error a misspelt property
export const misspelt = <resumable-upload prop:chunkSise={1} />;
// @ts-expect-error a bare camelCase prop would set `chunksize`, which the element ignores
export const lowerCased = <resumable-upload chunkSize={1} />;
