// What a run measures: the plan, the variants, and the context every section gets.
import { defaultOptions } from '../../src/engine/options.js';
import type { Harness, Sample, ServerName, Variant } from './harness.js';
import { MiB } from './report.js';
import type { SummaryRow } from './rounds.js';

export const SECTIONS = [
  'rounds',
  'trace',
  'heap',
  'rss',
  'concurrency',
  'retry',
  's3',
  'tus',
  'integrity',
  'engines',
  'proxy',
] as const;

export interface Plan {
  rounds: number;
  sizeMiB: number;
  chunksMiB: number[];
  bigMiB: number;
  sections: string[];
  /** Rounds only: variant ids to run; empty for all. */
  variants: string[];
  concurrentFiles: number;
  concurrentMiB: number;
  heapMiB: number[];
  retryCuts: number;
}

export interface Results {
  meta: Record<string, unknown> & { loadAfter: number[]; seconds: number };
  summary?: SummaryRow[];
  recommendation?: string;
  samples?: Sample[];
  chart?: string;
  trace?: unknown[];
  heap?: unknown[];
  rss?: unknown[];
  concurrency?: unknown;
  retry?: unknown;
  s3?: unknown;
  tus?: unknown;
  integrity?: unknown;
  engines?: unknown;
  proxy?: unknown;
  serverHeap?: Array<{ after: string; uploads: number; MB: number }>;
}

export interface Ctx {
  harness: Harness;
  plan: Plan;
  files: { main: string; heap: string[]; big: string; many: string[] };
  index: { main: number; heap: number[]; big: number; many: number[] };
  results: Results;
}

export const chunkLabel = (c: number | null) => (c === null ? 'default' : c === 0 ? 'whole' : `${c}MiB`);
export const ours = (c: number, server: Exclude<ServerName, 'raw' | 'tus'> = 'ours'): Variant => ({
  id: `${server}@${chunkLabel(c)}`,
  kind: 'ours',
  server,
  chunkMiB: c,
});
export const RAW: Variant = { id: 'raw', kind: 'raw', server: 'raw', chunkMiB: null, fsync: false };
export const RAW_FSYNC: Variant = {
  id: 'raw+fsync',
  kind: 'raw',
  server: 'raw',
  chunkMiB: null,
  fsync: true,
};
export const TUS: Variant = { id: 'tus', kind: 'tus', server: 'tus', chunkMiB: null };
/** The raw POST of a Blob from file.slice(0, size): what any chunked uploader sends in Chromium. */
export const RAW_SLICE: Variant = {
  id: 'raw+fsync/slice',
  kind: 'raw',
  server: 'raw',
  chunkMiB: null,
  fsync: true,
  slice: true,
};
/** The engine's current default (MiB), used where one chunk size stands for all. */
export const DEFAULT_CHUNK = defaultOptions().chunkSize / MiB;
/** A chunked upload where one stands for all (heap, RSS, the what-if servers, tus with chunks). */
export const CHUNKED = 16;
/** Drops repeats (e.g. when the default chunk size is also one of --chunks) and absent servers. */
export const usable = (harness: Harness, vs: Variant[]) =>
  vs.filter((v, i) => harness.has(v.server) && vs.findIndex((w) => w.id === v.id) === i);
