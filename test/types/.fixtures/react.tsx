// React 19 JSX (<resumable-upload> as an intrinsic element) and the React 18 wrapper, from one import.
import { useRef } from 'react';
import type { ResumableUpload as ResumableUploadElement } from 'resumable-upload';
import { ResumableUpload } from 'resumable-upload/react';

export function Intrinsic() {
  const ref = useRef<ResumableUploadElement>(null);
  return (
    <resumable-upload
      ref={ref}
      className="uploader"
      uploadUrl="/upload"
      chunkSize={1024 * 1024}
      headers={{ Authorization: 'Bearer x' }}
      multiple
      status-url="/status"
      onupload-progress={(e) => e.detail.bytesUploaded.toFixed()}
      onupload-complete={(e) => e.detail.response.trim()}
      onfile-reject={(e) => e.detail.reason}
    >
      <span slot="drop-label">Drop files</span>
    </resumable-upload>
  );
}

export function Wrapper() {
  const ref = useRef<ResumableUploadElement>(null);
  return (
    <ResumableUpload
      ref={ref}
      uploadUrl="/upload"
      chunkSize={1024 * 1024}
      onUploadProgress={(e) => e.detail.speed}
      onUploadComplete={(e) => e.detail.fileId}
      onFileReject={(e) => e.detail.message}
    />
  );
}

// @ts-expect-error upload-progress has no `nope` in its detail
export const badDetail = <resumable-upload onupload-progress={(e) => e.detail.nope} />;
// @ts-expect-error chunkSize is a number
export const badProperty = <resumable-upload chunkSize="big" />;
// @ts-expect-error the property is uploadUrl
export const badName = <resumable-upload uploadURL="/upload" />;
// @ts-expect-error upload-complete has no `nope` in its detail
export const badWrapperDetail = <ResumableUpload onUploadComplete={(e) => e.detail.nope} />;
// @ts-expect-error chunkSize is a number
export const badWrapperProperty = <ResumableUpload chunkSize="big" />;
