import { css } from 'lit';

/**
 * The progress bar has no transition on purpose: an animated bar makes the page draw frames all through an
 * upload (measured by npm run bench: about 25 ms more browser CPU per 256 MiB, taken from the upload itself).
 *
 * Under `dir="rtl"` the grid mirrors by itself; the bar needs `:dir(rtl)`, as transform-origin has no logical
 * value. A file name takes its direction from its own letters (`plaintext`: a Latin name in an Arabic row
 * keeps its dot and brackets in place) yet lines up with the row's start (`plaintext` would align it by its letters).
 * No comments inside css``: they would ship in the bundle.
 */
export const styles = css`
  :host {
    --resumable-upload-accent: #1d4ed8;
    --resumable-upload-error: #b91c1c;
    --resumable-upload-muted: #4b5563;
    --resumable-upload-border: 1px solid #6b7280;
    --resumable-upload-radius: 0.5rem;
    --resumable-upload-gap: 0.5rem;
    --resumable-upload-padding: 1.5rem;
    --resumable-upload-font: inherit;
    --resumable-upload-progress-height: 0.375rem;
    --resumable-upload-track: #e5e7eb;
    --resumable-upload-dragover-background: #dbeafe;
    --resumable-upload-transition: 150ms ease-out;

    display: block;
    color-scheme: light dark;
    font: var(--resumable-upload-font);
  }

  @media (prefers-color-scheme: dark) {
    :host {
      --resumable-upload-accent: #93c5fd;
      --resumable-upload-error: #fca5a5;
      --resumable-upload-muted: #b6bcc6;
      --resumable-upload-border: 1px solid #9ca3af;
      --resumable-upload-track: #374151;
      --resumable-upload-dragover-background: #1e3a8a;
    }
  }

  :host([hidden]) {
    display: none;
  }

  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
    border: var(--resumable-upload-border);
    border-radius: var(--resumable-upload-radius);
    background: transparent;
    transition:
      background-color var(--resumable-upload-transition),
      border-color var(--resumable-upload-transition);
  }

  button:focus-visible {
    outline: 2px solid var(--resumable-upload-accent);
    outline-offset: 2px;
  }

  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }

  [part~='drop-zone'] {
    display: block;
    width: 100%;
    box-sizing: border-box;
    padding: var(--resumable-upload-padding);
    border-style: dashed;
    text-align: center;
  }

  [part~='drop-zone']:hover:not(:disabled),
  [part~='dragover'] {
    border-color: var(--resumable-upload-accent);
    background: var(--resumable-upload-dragover-background);
  }

  [part~='message'] {
    margin: var(--resumable-upload-gap) 0 0;
    color: var(--resumable-upload-error);
  }

  [part~='file-list'] {
    list-style: none;
    margin: 0;
    padding: 0;
  }

  [part~='file'] {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto auto;
    align-items: center;
    gap: calc(var(--resumable-upload-gap) / 2) var(--resumable-upload-gap);
    margin-top: var(--resumable-upload-gap);
  }

  [part~='file-name'] {
    unicode-bidi: plaintext;
    text-align: left;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part~='file-size'],
  [part~='status'] {
    color: var(--resumable-upload-muted);
  }

  [part~='file-size'] {
    grid-column: 2 / 4;
    justify-self: end;
  }

  [part~='progress'] {
    grid-column: 1 / -1;
    height: var(--resumable-upload-progress-height);
    border-radius: var(--resumable-upload-progress-height);
    background: var(--resumable-upload-track);
    overflow: hidden;
  }

  [part~='progress-bar'] {
    height: 100%;
    background: var(--resumable-upload-accent);
    transform-origin: left;
  }

  [part~='file-name']:dir(rtl) {
    text-align: right;
  }

  [part~='progress-bar']:dir(rtl) {
    transform-origin: right;
  }

  [part~='status'][data-error] {
    color: var(--resumable-upload-error);
  }

  [part~='button'] {
    padding: 0.25em 0.75em;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  @media (prefers-reduced-motion: reduce) {
    * {
      transition: none !important;
    }
  }
`;
