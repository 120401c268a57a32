// Expiry: an incomplete upload nothing was added to for `expireAfter` is removed, by a sweep that also
// delivers completed uploads whose onComplete never ran (a crash) and removes the leftovers of crashes.
import type { Completion } from './completion.js';
import type { Locker } from './locks/types.js';
import { UploadProblem } from './service-types.js';
import type { UploadStore } from './stores/types.js';

/** Temp files older than this are leftovers of a crash mid-write. */
const TEMP_MAX_AGE = 60 * 60 * 1000;

export class Expiry {
  readonly #store: UploadStore;
  readonly #locker: Locker;
  readonly #expireAfter: number;
  readonly #completion: Completion;

  constructor(store: UploadStore, locker: Locker, expireAfter: number, completion: Completion) {
    this.#store = store;
    this.#locker = locker;
    this.#expireAfter = expireAfter;
    this.#completion = completion;
  }

  /** When an incomplete upload expires if nothing more arrives (ms since the epoch). */
  async expiresAt(key: string): Promise<number | undefined> {
    if (!Number.isFinite(this.#expireAfter)) return undefined;
    const modified = await this.#store.lastModified(key);
    return modified === undefined ? undefined : modified + this.#expireAfter;
  }

  async expired(key: string): Promise<boolean> {
    const expires = await this.expiresAt(key);
    return expires !== undefined && Date.now() >= expires;
  }

  async removeIfIdle(key: string): Promise<boolean> {
    const lease = await this.#locker.acquire(key, 0);
    if (!lease) return false; // being written: active by definition
    try {
      return !(await this.#store.inspect(key)).complete && (await this.removeIfExpired(key));
    } finally {
      lease.release();
    }
  }

  /** Under the caller's lock: removes an incomplete upload that expired; true when it did. */
  async removeIfExpired(key: string): Promise<boolean> {
    if (!(await this.expired(key))) return false;
    await this.#completion.remove(key);
    return true;
  }

  /** One sweep over the store; resolves with how many expired uploads it removed. */
  async sweep(): Promise<number> {
    const store = this.#store;
    await store.cleanup(TEMP_MAX_AGE);
    let removed = 0;
    for (const key of await store.list()) {
      try {
        const state = await store.inspect(key);
        if (state.complete) {
          const lease = await this.#locker.acquire(key, 0);
          if (!lease) continue;
          try {
            // A record left in place by a crash inside finalize is moved on again.
            if (state.complete.notified && state.record) await store.finalize(key, state.record);
            else if (state.record) {
              await this.#completion.deliver(key, state.record, state.complete.size, store.location(key));
            }
          } finally {
            lease.release();
          }
        } else if (await this.removeIfIdle(key)) removed++;
      } catch (err) {
        if (!(err instanceof UploadProblem))
          console.error('resumable-upload server: sweep failed for one upload:', err);
      }
    }
    return removed;
  }
}
