// The engine's events as the element passes them on: dispatched again from the host, and put into words
// for the live region.
import { UPLOAD_EVENT_NAMES, type UploadEventName } from '../engine/events.js';
import type { Uploader } from '../engine/queue.js';
import type { UploadItem } from '../engine/upload.js';
import type { ResumableUploadI18n } from './i18n.js';

/**
 * Dispatches every event of `uploader` again from `host`, as a `CustomEvent` that bubbles and crosses shadow
 * roots, with the same detail, after `seen` has taken note of it.
 */
export function relayEvents(
  uploader: Uploader,
  host: EventTarget,
  seen: (type: UploadEventName, item: UploadItem | undefined) => void,
): void {
  for (const type of UPLOAD_EVENT_NAMES)
    uploader.addEventListener(type, (e) => {
      seen(type, 'item' in e.detail ? e.detail.item : undefined);
      host.dispatchEvent(new CustomEvent(type, { detail: e.detail, bubbles: true, composed: true }));
    });
}

/**
 * What the live region says for an engine event: a file started, reached 25, 50 or 75 %, completed, or
 * failed with the server's reason; '' for the rest. Each quarter is said once per upload.
 */
export function announcements(): (
  type: UploadEventName,
  item: UploadItem | undefined,
  t: ResumableUploadI18n,
) => string {
  const quarters = new WeakMap<UploadItem, number>();
  return (type, item, t) => {
    const name = item?.file.name ?? '';
    if (type === 'upload-start') return t.started(name);
    if (type === 'upload-complete') return t.completed(name);
    if (type === 'upload-error' && item?.error)
      return t.failed(name, item.error.responseText || item.error.message);
    if (type !== 'upload-progress' || !item?.bytesTotal) return '';
    const quarter = Math.floor((item.bytesUploaded * 4) / item.bytesTotal) * 25;
    if (quarter <= (quarters.get(item) ?? 0) || quarter >= 100) return '';
    quarters.set(item, quarter);
    return t.milestone(name, quarter);
  };
}
