// A running SHA-256 of each upload that will be checked against Repr-Digest, fed with the bytes the store
// keeps as they arrive, so completing it needs no read-back of the stored file. Process memory only: after
// a restart, or where another instance stored some of the bytes, the state is missing or behind and
// completion reads the file back as before. It never answers for bytes it did not see.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';

/** Uploads whose running digest is kept at most; the least recently fed is dropped first. */
export const RUNNING_DIGESTS_MAX = 10_000;

interface RunningState {
  /** The upload's generation (its record's createdAt): a removed and re-created upload reuses its key. */
  generation: string;
  /** Bytes hashed: the state covers the upload's bytes [0, offset). */
  offset: number;
  hash: Hash;
  /** An append is feeding a copy of it. */
  pending: boolean;
}

/** One append's view of the running digest. */
export interface RunningTap {
  /** Hashes one chunk the store takes, in order. */
  readonly feed: (chunk: Buffer) => void;
  /** The append is over: `kept` bytes of it are stored (undefined when that is unknown: it failed). */
  settle(kept: number | undefined): void;
}

export class RunningDigests {
  readonly #states = new Map<string, RunningState>();
  readonly #max: number;

  constructor(max = RUNNING_DIGESTS_MAX) {
    this.#max = max;
  }

  /** How many uploads have a running digest. */
  get size(): number {
    return this.#states.size;
  }

  /**
   * A tap for an append at `start` (the stored offset), or undefined when this upload has no usable state:
   * one begins only at 0, and only when `wanted` (the upload will be checked). A state that is behind,
   * of another generation, or fed by another append at the same time is dropped: it can never be trusted.
   */
  open(key: string, generation: string, start: number, wanted: boolean): RunningTap | undefined {
    let state = this.#states.get(key);
    if (state && (state.pending || state.generation !== generation || state.offset !== start)) {
      this.#states.delete(key);
      if (state.pending) return undefined;
      state = undefined;
    }
    if (!state) {
      if (start !== 0 || !wanted) return undefined;
      state = { generation, offset: 0, hash: createHash('sha256'), pending: false };
      this.#remember(key, state);
    }
    return this.#tap(key, state);
  }

  /**
   * The SHA-256 of the upload's bytes when the state covers exactly `size` of them; the state is dropped
   * either way (the upload completes, or falls back to reading its bytes).
   */
  take(key: string, generation: string, size: number): Buffer | undefined {
    const state = this.#states.get(key);
    this.#states.delete(key);
    if (!state || state.pending || state.generation !== generation || state.offset !== size) return undefined;
    return state.hash.digest();
  }

  /** The upload was removed (or expired). */
  forget(key: string): void {
    this.#states.delete(key);
  }

  /**
   * Feeds a copy, so a failed append never touches the kept state: all of the body kept advances it,
   * none of it leaves it as it was, anything else drops it.
   */
  #tap(key: string, state: RunningState): RunningTap {
    const hash = state.hash.copy();
    let fed = 0;
    state.pending = true;
    return {
      feed: (chunk) => {
        fed += chunk.length;
        hash.update(chunk);
      },
      settle: (kept) => {
        state.pending = false;
        if (this.#states.get(key) !== state || kept === 0) return;
        if (kept !== fed) return void this.#states.delete(key);
        state.hash = hash;
        state.offset += fed;
        this.#remember(key, state);
      },
    };
  }

  /** Most recently fed last; past the bound, the least recently fed goes. */
  #remember(key: string, state: RunningState): void {
    this.#states.delete(key);
    this.#states.set(key, state);
    if (this.#states.size > this.#max) this.#states.delete(this.#states.keys().next().value!);
  }
}
