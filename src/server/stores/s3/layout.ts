// What counts in S3 for an incomplete upload: the parts numbered 1..n without a gap (parts are sent several at
// once, so a later one can return before an earlier one fails), then the staged bytes if the staging object
// names exactly those n parts. Parts past a gap are strays of a failed body; once a later body fills the gap,
// the staging object lists them as stale until they are overwritten, so they never count.
import type { ObjectHead, StoredPart } from './client.js';

/** S3's smallest part (all but the last). */
export const MIN_PART = 5 * 1024 * 1024;

/** Where one upload lives in the bucket. */
export interface UploadObjects {
  /** The multipart upload's key, and the completed object's. */
  object: string;
  /** The staged bytes after the last part (fewer than MIN_PART), with `x-amz-meta-parts` = parts before them. */
  staging: string;
  /** Objects holding a body with a digest until it is verified: `<tempPrefix><random>-<n>`. */
  tempPrefix: string;
}

/** What S3 holds for an incomplete upload. */
export interface Progress {
  uploadId: string | undefined;
  /** The parts that count, numbered 1..n. */
  parts: StoredPart[];
  /** Parts S3 holds past the ones that count (after a gap, or listed as stale): never counted. */
  strays: StoredPart[];
  /** Bytes in the parts. */
  partsEnd: number;
  /** Staged bytes that count (the staging object names as many parts as there are), else 0. */
  staged: number;
  offset: number;
}

const mark = (part: StoredPart): string => `${part.number}:${part.etag.replace(/"/g, '')}`;

/**
 * The staging object's metadata: how many parts precede its bytes (with more parts than that, it is stale), and
 * the strays past them that must not count when a later part fills the gap before them.
 */
export function stagingMetadata(parts: number, strays: readonly StoredPart[] = []): Record<string, string> {
  const stale = strays.filter((part) => part.number > parts).map(mark);
  return stale.length ? { parts: String(parts), stale: stale.join(',') } : { parts: String(parts) };
}

/** Reads the layout above from ListParts (sorted by number) and the staging object's head. */
export function progressOf(
  uploadId: string | undefined,
  listed: readonly StoredPart[],
  staging: ObjectHead | undefined,
): Progress {
  const stale = new Set((staging?.metadata.stale ?? '').split(',').filter(Boolean));
  let n = 0;
  while (n < listed.length && listed[n]!.number === n + 1 && !stale.has(mark(listed[n]!))) n++;
  const parts = listed.slice(0, n);
  const partsEnd = parts.reduce((sum, part) => sum + part.size, 0);
  const counts = staging !== undefined && Number(staging.metadata.parts ?? '0') === n;
  const staged = counts ? staging.size : 0;
  return { uploadId, parts, strays: listed.slice(n), partsEnd, staged, offset: partsEnd + staged };
}
