// What diagnose() reports, and the small helpers its probes share.

/** What each finding is about. */
export type DiagnosisId = 'reachable' | 'cors' | 'protocol' | 'body-limit' | 'streaming' | 'round-trip';

/** One thing diagnose() checked. */
export interface DiagnosisFinding {
  id: DiagnosisId;
  /** Nothing wrong was seen (also true when the check could not run: see `skipped`). */
  ok: boolean;
  /** What was seen, in one or two sentences. */
  detail: string;
  /** What to change, when something is wrong. */
  fix?: string;
  /** The check could not run here (`detail` says why); it says nothing either way. */
  skipped?: boolean;
}

/** What diagnose() found. */
export interface DiagnosisReport {
  /** Every finding is ok. */
  ok: boolean;
  /** The protocol probed (the uploader's). */
  protocol: string;
  /** The URL the tiny requests went to: status-upload's status URL, or the tus/IETF endpoint. */
  url: string;
  /** The URL is on another origin than the page, so CORS applies. */
  crossOrigin: boolean;
  findings: DiagnosisFinding[];
  /** Median time of a tiny request, in milliseconds; null when the server did not answer. */
  roundTripMs: number | null;
  /** The largest body that passed, in bytes; null when not measured. */
  largestBody: number | null;
  /** The chunk size to use: 0 (the whole file) when bodies up to `maxBody` passed; null when not measured. */
  chunkSize: number | null;
  /** The server sees a body only once it is whole (a buffering proxy); null when this could not be told. */
  buffered: boolean | null;
}

/** How hard diagnose() probes. */
export interface DiagnoseOptions {
  /**
   * The largest body tried, in bytes; the search for the largest that passes stops there.
   * @default 67108864 (64 MiB)
   */
  maxBody?: number;
  /**
   * The smallest body tried, in bytes.
   * @default 65536 (64 KiB)
   */
  minBody?: number;
  /**
   * Tiny requests timed for the round trip.
   * @default 5
   */
  samples?: number;
  /**
   * Milliseconds the streaming probe sends in pieces before it decides the server saw nothing.
   * @default 3000
   */
  streamWait?: number;
  /** Aborts every probe; diagnose() then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

export const size = (n: number): string =>
  n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : n >= KiB && n % KiB === 0 ? `${n / KiB} KiB` : `${n} B`;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
