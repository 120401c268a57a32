// The @lit/react wrapper from `resumable-upload/react`, with onUploadProgress-style props. The same file
// is bundled twice: with React 19, and with React 18 (react18/react-dom18 aliased in) as `react18`.
import { useState, version } from 'react';
import { createRoot } from 'react-dom/client';
import { ResumableUpload } from 'resumable-upload/react';
import { CHUNK_SIZE, hear, objects, onShow } from './log.js';

const page = document.title;
// The test checks which React the bundle holds.
(window as unknown as { reactVersion: string }).reactVersion = version;
const { headers, i18n } = objects(page);

function App() {
  const [shown, setShown] = useState(true);
  onShow(setShown);
  return shown ? (
    <ResumableUpload
      statusUrl="/status"
      uploadUrl="/upload"
      chunkSize={CHUNK_SIZE}
      headers={headers}
      i18n={i18n}
      onUploadProgress={(e) => hear(e)}
      onUploadComplete={hear}
    />
  ) : null;
}

createRoot(document.getElementById('root')!).render(<App />);
