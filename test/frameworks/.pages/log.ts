// What each page heard through its framework's own event binding, for the test to read, and the one
// switch the test flips to have the framework remove and re-add the element.
export interface Heard {
  type: string;
  fileId: string;
  bytesUploaded?: number;
}

declare global {
  interface Window {
    heard: Heard[];
    /** Set by the page: has its framework render the element (true) or remove it (false). */
    show: (visible: boolean) => void;
  }
}

// Nothing touches `window` until called: the server-rendered page imports this module in Node.
export function hear(event: CustomEvent<{ fileId: string; bytesUploaded?: number }>): void {
  const { fileId, bytesUploaded } = event.detail;
  (window.heard ??= []).push({ type: event.type, fileId, bytesUploaded });
}

/** Every page sets the same properties, so the test can tell they arrived as properties. */
export const CHUNK_SIZE = 256 * 1024;

/** The object-valued properties a page sets: the server refuses uploads without the X-Owner header. */
export const objects = (page: string) => ({
  headers: { 'X-Owner': page },
  i18n: { drop: `Drop files for ${page}` },
});

export function onShow(set: (visible: boolean) => void): void {
  window.show = set;
}
