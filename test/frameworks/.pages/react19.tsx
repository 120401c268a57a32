// React 19 with no wrapper: properties by name, listeners as `on` + the event name as written.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'resumable-upload';
import type {} from 'resumable-upload/react';
import { CHUNK_SIZE, hear, objects, onShow } from './log.js';

const { headers, i18n } = objects('react19');

function App() {
  const [shown, setShown] = useState(true);
  onShow(setShown);
  return shown ? (
    <resumable-upload
      statusUrl="/status"
      uploadUrl="/upload"
      chunkSize={CHUNK_SIZE}
      headers={headers}
      i18n={i18n}
      onupload-progress={(e) => hear(e)}
      onupload-complete={hear}
    />
  ) : null;
}

createRoot(document.getElementById('root')!).render(<App />);
