/** @jsxRuntime automatic */
// A React page rendered on the server (renderToString) and hydrated in the browser: the module imports
// the package at the top, as a Next.js or Remix page does, so the server evaluates it too. No `on*`
// listener props: React 19 does not attach a custom element's listeners while hydrating (react#35446);
// the resumable-upload/react wrapper attaches them in an effect.
import 'resumable-upload';
import type {} from 'resumable-upload/react';
import { CHUNK_SIZE } from './log.js';

export function App() {
  return <resumable-upload upload-url="/upload" status-url="/status" chunk-size={String(CHUNK_SIZE)} />;
}
