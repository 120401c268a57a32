// React 19 with no wrapper: properties by name, listeners as `on` + the event name as written.
import { createRoot } from 'react-dom/client';
import 'resumable-upload';
import type {} from 'resumable-upload/react';
import { CHUNK_SIZE, hear } from './log.js';

createRoot(document.getElementById('root')!).render(
  <resumable-upload
    statusUrl="/status"
    uploadUrl="/upload"
    chunkSize={CHUNK_SIZE}
    headers={{ 'X-Owner': 'react19' }}
    onupload-progress={hear}
    onupload-complete={hear}
  />,
);
