/** @jsxImportSource preact */
// Preact: a prop the element has is set as a property; `onupload-progress` listens to `upload-progress`.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import 'resumable-upload';
import type {} from 'resumable-upload/preact';
import { CHUNK_SIZE, hear, objects, onShow } from './log.js';

const { headers, i18n } = objects('preact');

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

render(<App />, document.getElementById('root')!);
