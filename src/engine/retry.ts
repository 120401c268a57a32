import type { UploadError } from './errors.js';

/** Adds ±20% jitter so many clients cut at once do not come back in lockstep. */
export function withJitter(ms: number, random: () => number = Math.random): number {
  return ms <= 0 ? 0 : Math.round(ms * (0.8 + 0.4 * random()));
}

/** Milliseconds asked by a Retry-After header (seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** True when the browser says it has no network; elsewhere false. */
export const isOffline = (): boolean => typeof navigator !== 'undefined' && navigator.onLine === false;

/** Resolves on the window's `online` event, or rejects when aborted. */
export function waitForOnline(signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    if (!isOffline()) return resolve();
    const done = () => {
      globalThis.removeEventListener('online', onOnline);
      signal.removeEventListener('abort', onAbort);
    };
    const onOnline = () => {
      done();
      resolve();
    };
    const onAbort = () => {
      done();
      reject(signal.reason);
    };
    globalThis.addEventListener('online', onOnline);
    signal.addEventListener('abort', onAbort);
  });
}

/** The delay before retry number `attempt` (1-based), or null when the retries are spent. */
export function retryDelay(
  attempt: number,
  delays: readonly number[],
  error: UploadError,
  retryAfter: string | null,
): number | null {
  if (attempt > delays.length) return null;
  const asked = error.kind === 'http' ? parseRetryAfter(retryAfter) : null;
  return asked ?? withJitter(delays[attempt - 1]);
}
