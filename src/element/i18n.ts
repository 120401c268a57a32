import type { UploadItem } from '../engine/upload.js';

/**
 * Every string the element shows or announces, and its formatters. Set `el.i18n` to a partial
 * object: it is merged over the locale loaded for the element's `lang`, and over these English defaults.
 */
export interface ResumableUploadI18n {
  /** The drop zone's text (the `drop-label` slot's fallback). */
  drop: string;
  pause: string;
  resume: string;
  retry: string;
  cancel: string;
  /** The cancel button's label once a file is done: it removes the file from the list (and the form value). */
  remove: string;
  /** A row button's accessible name, e.g. "Pause report.pdf". */
  fileAction: (action: string, fileName: string) => string;
  queued: string;
  /** Asking the server how much it holds, before sending. */
  checking: string;
  paused: string;
  done: string;
  waitingForNetwork: string;
  /** Another tab of this site uploads the same file; the progress shown is that tab's. */
  uploadingElsewhere: string;
  /** A `persist` upload after a reload, waiting for a click on Resume (a permission prompt follows). */
  needsPermission: string;
  /** A `persist` upload after a reload whose file the browser cannot read again: pick or drop it. */
  needsFile: string;
  retryingIn: (seconds: number) => string;
  /** Visible while uploading and read as the progress bar's value, e.g. "3.2 MB of 10 MB, about 1 minute left". */
  progress: (uploaded: string, total: string, timeLeft: string) => string;
  formatSize: (bytes: number) => string;
  /** "about 1 minute left"; empty when the time is unknown. */
  formatTimeLeft: (seconds: number) => string;
  /** Announced to screen readers. */
  started: (fileName: string) => string;
  milestone: (fileName: string, percent: number) => string;
  completed: (fileName: string) => string;
  failed: (fileName: string, reason: string) => string;
  /** `file-reject` messages, shown and announced. */
  rejectType: (fileName: string) => string;
  rejectSize: (fileName: string, maxSize: string) => string;
  rejectCount: (fileName: string) => string;
  /** Form validation messages. */
  stillUploading: string;
  uploadFailed: string;
  required: string;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal units, one decimal below 10: "512 B", "3.2 MB", "10 MB". */
export function formatSize(bytes: number): string {
  let n = bytes;
  let unit = 0;
  while (n >= 999.5 && unit < UNITS.length - 1) {
    n /= 1000;
    unit++;
  }
  return `${unit && n < 9.95 ? Math.round(n * 10) / 10 : Math.round(n)} ${UNITS[unit]}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatTimeLeft(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 5) return 'a few seconds left';
  if (seconds < 60) return `about ${plural(Math.round(seconds), 'second')} left`;
  if (seconds < 3600) return `about ${plural(Math.round(seconds / 60), 'minute')} left`;
  return `about ${plural(Math.round(seconds / 3600), 'hour')} left`;
}

export const defaultI18n: ResumableUploadI18n = {
  drop: 'Drop files here or click to choose',
  pause: 'Pause',
  resume: 'Resume',
  retry: 'Retry',
  cancel: 'Cancel',
  remove: 'Remove',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'Queued',
  checking: 'Connecting',
  paused: 'Paused',
  done: 'Done',
  waitingForNetwork: 'Waiting for network',
  uploadingElsewhere: 'Uploading in another tab',
  needsPermission: 'Interrupted: resume to go on',
  needsFile: 'Interrupted: choose the file again to go on',
  retryingIn: (seconds) => `Retrying in ${seconds} s`,
  progress: (uploaded, total, timeLeft) => `${uploaded} of ${total}${timeLeft ? `, ${timeLeft}` : ''}`,
  formatSize,
  formatTimeLeft,
  started: (fileName) => `Uploading ${fileName}`,
  milestone: (fileName, percent) => `${fileName}: ${percent}%`,
  completed: (fileName) => `${fileName} uploaded`,
  failed: (fileName, reason) => `${fileName} failed: ${reason}`,
  rejectType: (fileName) => `${fileName} is not an accepted file type`,
  rejectSize: (fileName, maxSize) => `${fileName} is larger than ${maxSize}`,
  rejectCount: (fileName) => `${fileName} was not added: too many files`,
  stillUploading: 'Uploads are still in progress',
  uploadFailed: 'An upload failed: retry or remove it',
  required: 'Please add a file',
};

/** The locales loaded so far, by lower-case tag; global so a locale file and the bundle share it. */
interface LocaleRegistry {
  locales: Map<string, ResumableUploadI18n>;
  /** Elements to re-render when a locale arrives. */
  hosts: Set<{ requestUpdate(): void }>;
  /** Set by `resumable-upload/locales`: loads the locale a `lang` needs, on first use. */
  load?: (lang: string) => unknown;
}

export const registry: LocaleRegistry = ((globalThis as Record<symbol, LocaleRegistry>)[
  Symbol.for('resumable-upload.locales')
] ??= { locales: new Map(), hosts: new Set() });

/** Makes a locale available to every element whose `lang` asks for it; a bad language tag warns. */
export function registerLocale(lang: string, strings: ResumableUploadI18n): void {
  try {
    registry.locales.set(Intl.getCanonicalLocales(lang)[0].toLowerCase(), strings);
  } catch {
    console.warn(
      `resumable-upload: "${lang}" is not a language tag; use a BCP 47 tag such as "de" or "pt-BR".`,
    );
    return;
  }
  for (const host of registry.hosts) host.requestUpdate();
}

/** The loaded locale for a `lang`: the exact tag, else its base language (pt-BR -> pt), else none. */
export function localeFor(lang: string): ResumableUploadI18n | undefined {
  const tag = lang.toLowerCase();
  return registry.locales.get(tag) ?? registry.locales.get(tag.split('-')[0]);
}

/** A row's state line: progress while uploading, else what the upload waits for, or the server's reason. */
export function statusText(item: UploadItem, t: ResumableUploadI18n, progress: string): string {
  if (item.elsewhere) return t.uploadingElsewhere;
  if (item.needs) return item.needs === 'file' ? t.needsFile : t.needsPermission;
  switch (item.status) {
    case 'queued':
      return t.queued;
    case 'uploading':
      return progress;
    case 'paused':
      return t.paused;
    case 'retrying':
      if (item.waitingForNetwork) return t.waitingForNetwork;
      if (item.retryAt !== null)
        return t.retryingIn(Math.max(1, Math.ceil((item.retryAt - Date.now()) / 1000)));
      return t.checking;
    case 'complete':
      return t.done;
    case 'error':
      return item.error ? item.error.responseText || item.error.message : '';
    default:
      return t.checking;
  }
}
