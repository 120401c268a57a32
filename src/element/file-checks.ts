// What a pick, drop or paste must pass before the engine sees a file: `accept`, `max-file-size`,
// `max-files` and `multiple`, each rejection with the message the element shows and announces.
import type { ResumableUploadI18n } from './i18n.js';

/** Why a file was turned away before the engine saw it. */
export type FileRejectReason = 'type' | 'size' | 'count';

/** The detail of `file-reject`. */
export interface FileRejectDetail {
  file: File;
  reason: FileRejectReason;
  /** The message the element shows and announces (from `i18n`). */
  message: string;
}

/** What files are checked against: the element's `accept` and `multiple`, and the files it already lists. */
export interface FileRules {
  accept: string;
  multiple: boolean;
  readonly items: readonly unknown[];
}

/** `max-file-size` and `max-files`, checked. */
export interface FileLimits {
  maxFileSize: number;
  maxFiles: number;
}

/** `accept` as the file input reads it: extensions, exact MIME types, `type/*`. */
export function accepts(file: File, accept: string): boolean {
  const rules = accept
    .toLowerCase()
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const name = file.name.toLowerCase();
  const type = file.type.toLowerCase();
  return (
    !rules.length ||
    rules.some((r) =>
      r[0] === '.' ? name.endsWith(r) : r.endsWith('/*') ? type.startsWith(r.slice(0, -1)) : type === r,
    )
  );
}

/** The files taken and the files turned away, each in the order given; a file taken counts against the next. */
export function checkFiles(
  files: readonly File[],
  { accept, multiple, items }: FileRules,
  { maxFileSize, maxFiles }: FileLimits,
  t: ResumableUploadI18n,
): { taken: File[]; rejected: FileRejectDetail[] } {
  const taken: File[] = [];
  const rejected: FileRejectDetail[] = [];
  for (const file of files) {
    const { name, size } = file;
    const reason: FileRejectReason | null = !accepts(file, accept)
      ? 'type'
      : size > maxFileSize
        ? 'size'
        : (taken.length && !multiple) || items.length + taken.length >= maxFiles
          ? 'count'
          : null;
    if (!reason) taken.push(file);
    else
      rejected.push({
        file,
        reason,
        message:
          reason === 'type'
            ? t.rejectType(name)
            : reason === 'size'
              ? t.rejectSize(name, t.formatSize(maxFileSize))
              : t.rejectCount(name),
      });
  }
  return { taken, rejected };
}
