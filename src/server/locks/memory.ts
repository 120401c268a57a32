import type { Lease, Locker } from './types.js';

interface Slot {
  held: boolean;
  waiters: Array<() => void>;
  readers: number;
  /** The fsynced offset while held; undefined until the holder has read it from disk. */
  committed: number | undefined;
  /** The holder's body is over and its final offset is being made durable. */
  settling: boolean;
  /** Bumped on every acquisition, so a reader can tell that its disk read may have raced a writer. */
  epoch: number;
  /** Readers waiting for `committed` to become known or the slot to be released. */
  watchers: Array<() => void>;
  /** When the holder last received bytes (ms, performance clock). */
  activeAt: number;
  /** Stops the holder; set by the holder. */
  interrupt: (() => void) | undefined;
}

/** In-process, per-upload mutual exclusion, plus the offset status may report while a write is running. */
export class MemoryLocker implements Locker {
  readonly #slots = new Map<string, Slot>();
  #held = 0;
  #idle: Array<() => void> = [];

  /**
   * Takes the lock, waiting up to `waitMs` for the holder; null when it stayed busy. A holder that has
   * received nothing for `takeoverAfter` ms (a dead connection the OS has not noticed) is interrupted,
   * so its bytes are kept and the lock passes to the newcomer.
   */
  acquire(key: string, waitMs: number, takeoverAfter = Infinity): Promise<Lease | null> {
    const slot = this.#slot(key);
    if (!slot.held) return Promise.resolve(this.#take(key, slot));
    if (waitMs <= 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const deadline = performance.now() + waitMs;
      let timer: ReturnType<typeof setTimeout>;
      const grant = (): void => {
        clearTimeout(timer);
        resolve(this.#lease(key, slot));
      };
      const check = (): void => {
        const now = performance.now();
        if (now - slot.activeAt >= takeoverAfter) {
          const interrupt = slot.interrupt;
          slot.interrupt = undefined;
          interrupt?.();
        }
        if (now >= deadline) {
          const index = slot.waiters.indexOf(grant);
          if (index !== -1) slot.waiters.splice(index, 1);
          return resolve(null);
        }
        const idleAt = slot.activeAt + takeoverAfter;
        timer = setTimeout(check, Math.max(1, Math.min(deadline, idleAt > now ? idleAt : deadline) - now));
      };
      slot.waiters.push(grant);
      check();
    });
  }

  /**
   * The offset status may answer: the holder's fsynced offset while a write runs (never the growing
   * file), else what `read` finds on disk, read again if a writer ran meanwhile. While a holder whose
   * body is over makes its last bytes durable, it waits for that: a client asking right after a cut
   * hears where the upload really is, not an older checkpoint it would have to resend from.
   */
  async offset(key: string, read: () => Promise<number>): Promise<number> {
    const slot = this.#slot(key);
    slot.readers++;
    try {
      for (;;) {
        if (slot.held) {
          if (slot.committed !== undefined && !slot.settling) return slot.committed;
          await new Promise<void>((resolve) => slot.watchers.push(resolve));
          continue;
        }
        const epoch = slot.epoch;
        const value = await read();
        if (!slot.held && slot.epoch === epoch) return value;
      }
    } finally {
      slot.readers--;
      this.#forget(key, slot);
    }
  }

  /** Resolves when no lock is held (used on shutdown, after connections are closed). */
  idle(): Promise<void> {
    if (this.#held === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #slot(key: string): Slot {
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = {
        held: false,
        waiters: [],
        readers: 0,
        committed: undefined,
        settling: false,
        epoch: 0,
        watchers: [],
        activeAt: 0,
        interrupt: undefined,
      };
      this.#slots.set(key, slot);
    }
    return slot;
  }

  #take(key: string, slot: Slot): Lease {
    slot.held = true;
    this.#held++;
    return this.#lease(key, slot);
  }

  #lease(key: string, slot: Slot): Lease {
    slot.epoch++;
    slot.activeAt = performance.now();
    slot.interrupt = undefined;
    let released = false;
    return {
      commit: (offset) => {
        // A released lease may belong to a holder that was taken over: it must not move the next one's offset.
        if (released) return;
        slot.committed = offset;
        slot.settling = false;
        this.#notify(slot);
      },
      settle: () => {
        if (!released) slot.settling = true;
      },
      touch: () => {
        if (!released) slot.activeAt = performance.now();
      },
      onTakeover: (interrupt) => {
        if (!released) slot.interrupt = interrupt;
      },
      // In one process a lock is only ever passed on by release, so a lease is valid until then.
      valid: () => Promise.resolve(!released),
      release: () => {
        if (released) return;
        released = true;
        slot.interrupt = undefined;
        slot.settling = false;
        const next = slot.waiters.shift();
        // Hand over directly, so no newcomer slips in between; `committed` stays true for the next holder.
        if (next) return next();
        slot.held = false;
        slot.committed = undefined;
        this.#held--;
        this.#notify(slot);
        this.#forget(key, slot);
        if (this.#held === 0) for (const resolve of this.#idle.splice(0)) resolve();
      },
    };
  }

  #notify(slot: Slot): void {
    for (const resolve of slot.watchers.splice(0)) resolve();
  }

  #forget(key: string, slot: Slot): void {
    if (!slot.held && slot.readers === 0 && slot.waiters.length === 0 && this.#slots.get(key) === slot) {
      this.#slots.delete(key);
    }
  }
}
