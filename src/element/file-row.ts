import { html, nothing } from 'lit';
import type { UploadItem } from '../engine/upload.js';
import { statusText, type ResumableUploadI18n } from './i18n.js';

/** What a row's buttons do. */
export type RowAction = 'pause' | 'resume' | 'retry' | 'cancel';

/**
 * One file's row: name, size, progress bar, state line, and its buttons. The first button pauses,
 * resumes or retries as the state asks: one element, so keyboard focus stays on it as it changes.
 */
export function fileRow(
  item: UploadItem,
  t: ResumableUploadI18n,
  disabled: boolean,
  act: (action: RowAction, item: UploadItem) => void,
) {
  const { file, status, bytesUploaded, bytesTotal } = item;
  const percent = bytesTotal
    ? Math.floor((bytesUploaded * 100) / bytesTotal)
    : status === 'complete'
      ? 100
      : 0;
  const progress = t.progress(
    t.formatSize(bytesUploaded),
    t.formatSize(bytesTotal),
    status === 'uploading' ? t.formatTimeLeft(item.eta) : '',
  );
  const action =
    status === 'paused' ? 'resume' : status === 'error' ? 'retry' : status === 'complete' ? null : 'pause';
  const cancel = status === 'complete' ? t.remove : t.cancel;
  return html`<li part="file">
    <span part="file-name">${file.name}</span>
    <span part="file-size">${t.formatSize(bytesTotal)}</span>
    <div
      part="progress"
      role="progressbar"
      aria-label=${file.name}
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow=${percent}
      aria-valuetext=${progress}
    >
      <div part="progress-bar" .style=${`transform:scaleX(${percent / 100})`}></div>
    </div>
    <span part="status" ?data-error=${status === 'error'}>${statusText(item, t, progress)}</span>
    ${
      action
        ? html`<button
            part="button ${action}-button"
            type="button"
            aria-label=${t.fileAction(t[action], file.name)}
            ?disabled=${disabled}
            @click=${() => act(action, item)}
          >
            ${t[action]}
          </button>`
        : nothing
    }
    <button
      part="button cancel-button"
      type="button"
      aria-label=${t.fileAction(cancel, file.name)}
      ?disabled=${disabled}
      @click=${() => act('cancel', item)}
    >
      ${cancel}
    </button>
  </li>`;
}
