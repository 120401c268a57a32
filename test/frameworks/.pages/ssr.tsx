// The browser side of the server-rendered page: hydrates the markup the server sent.
import { hydrateRoot } from 'react-dom/client';
import { App } from './ssr-app.js';

window.recoverable = [];
hydrateRoot(document.getElementById('root')!, <App />, {
  onRecoverableError: (err) => window.recoverable.push(String(err)),
});

declare global {
  interface Window {
    recoverable: string[];
  }
}
