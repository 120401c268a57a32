// The React 18 way: the @lit/react wrapper from `resumable-upload/react`, with onUploadProgress-style props.
import { createRoot } from 'react-dom/client';
import { ResumableUpload } from 'resumable-upload/react';
import { CHUNK_SIZE, hear } from './log.js';

createRoot(document.getElementById('root')!).render(
  <ResumableUpload
    statusUrl="/status"
    uploadUrl="/upload"
    chunkSize={CHUNK_SIZE}
    headers={{ 'X-Owner': 'react-wrapper' }}
    onUploadProgress={hear}
    onUploadComplete={hear}
  />,
);
