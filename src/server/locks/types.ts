/** A held right to change one upload. */
export interface Lease {
  /** Records the offset that is durable; status answers it while the lease is held. */
  commit(offset: number): void;
  /** The body is over and its closing write runs: status waits for the next commit instead of answering. */
  settle(): void;
  /** Marks the holder as still receiving, so nobody takes over. */
  touch(): void;
  /** What a newcomer calls to take over from a holder that went quiet (e.g. destroy its request). */
  onTakeover(interrupt: () => void): void;
  /**
   * Whether this lease still holds the lock (a shared lock may have expired or passed to another
   * instance). The service asks before it acknowledges an offset or completes the upload.
   */
  valid(): Promise<boolean>;
  release(): void;
}

/**
 * Per-upload mutual exclusion, plus the offset status may answer while a write runs.
 * Every implementation passes test/contracts/locker.ts.
 */
export interface Locker {
  /**
   * Takes the lock, waiting up to `waitMs` for the holder; null when it stayed busy. A holder that has
   * received nothing for `takeoverAfter` ms is interrupted, so the lock passes to the newcomer.
   */
  acquire(key: string, waitMs: number, takeoverAfter?: number): Promise<Lease | null>;
  /**
   * The offset status may answer: the holder's committed offset while a write runs, else what `read`
   * finds, read again if a writer ran meanwhile.
   */
  offset(key: string, read: () => Promise<number>): Promise<number>;
  /** Resolves when no lock is held by this process (used on shutdown). */
  idle(): Promise<void>;
}

/**
 * The lock service cannot be reached, or this request's lease was lost to it: nothing was acknowledged,
 * and the request may be sent again shortly. Answered as 503 with this one-line reason.
 */
export class LockUnavailableError extends Error {
  override name = 'LockUnavailableError';
}
