// Test files with random content, whose bytes the tests can compare request bodies against.

const sources = new WeakMap<Blob, Uint8Array<ArrayBuffer>>();

/** Random bytes: no period, so a body cut at the wrong offset never matches by accident. */
export function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  return bytes;
}

export const LAST_MODIFIED = 1767225600000;

export function makeFile(size: number, name = 'photo.bin', lastModified = LAST_MODIFIED): File {
  const bytes = randomBytes(size);
  const file = new File([bytes], name, { lastModified });
  sources.set(file, bytes);
  return file;
}

/** The bytes a file made by makeFile() holds. */
export function sourceBytes(file: Blob): Uint8Array<ArrayBuffer> {
  const bytes = sources.get(file);
  if (!bytes) throw new Error('Not a file from makeFile()');
  return bytes;
}

export async function sha256Hex(data: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The article's id for a file made by makeFile(). */
export const articleId = (file: File): string => `${file.name}-${file.size}-${file.lastModified}`;
