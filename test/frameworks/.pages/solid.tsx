/** @jsxImportSource solid-js */
// Solid, compiled by babel-preset-solid: `prop:` sets a property (a bare camelCase prop would be
// lower-cased), `on:upload-progress` listens.
import { createSignal, Show } from 'solid-js';
import { render } from 'solid-js/web';
import 'resumable-upload';
import type {} from 'resumable-upload/solid';
import { CHUNK_SIZE, hear, objects, onShow } from './log.js';

const { headers, i18n } = objects('solid');

function App() {
  const [shown, setShown] = createSignal(true);
  onShow(setShown);
  return (
    <Show when={shown()}>
      <resumable-upload
        status-url="/status"
        upload-url="/upload"
        prop:chunkSize={CHUNK_SIZE}
        prop:headers={headers}
        prop:i18n={i18n}
        on:upload-progress={(e) => hear(e)}
        on:upload-complete={hear}
      />
    </Show>
  );
}

render(() => <App />, document.getElementById('root')!);
