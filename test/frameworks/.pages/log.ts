// What each page heard through its framework's own event binding, for the test to read.
export interface Heard {
  type: string;
  fileId: string;
  bytesUploaded?: number;
}

declare global {
  interface Window {
    heard: Heard[];
  }
}

window.heard = [];

export function hear(event: CustomEvent<{ fileId: string; bytesUploaded?: number }>): void {
  const { fileId, bytesUploaded } = event.detail;
  window.heard.push({ type: event.type, fileId, bytesUploaded });
}

/** Every page sets the same properties, so the test can tell they arrived as properties. */
export const CHUNK_SIZE = 256 * 1024;
