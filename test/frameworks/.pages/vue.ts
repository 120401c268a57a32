// Vue 3 with an in-page template: `isCustomElement` leaves the tag to the browser, `@upload-*` listens.
import { createApp } from 'vue';
import 'resumable-upload';
import { CHUNK_SIZE, hear } from './log.js';

const app = createApp({
  template: `<resumable-upload
    status-url="/status"
    upload-url="/upload"
    :chunk-size="chunkSize"
    :headers="headers"
    @upload-progress="hear"
    @upload-complete="hear"
  />`,
  setup: () => ({ chunkSize: CHUNK_SIZE, headers: { 'X-Owner': 'vue' }, hear }),
});
app.config.compilerOptions.isCustomElement = (tag) => tag === 'resumable-upload';
app.mount('#root');
