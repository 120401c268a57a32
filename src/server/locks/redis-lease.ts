// The Redis locker's leases: the locker (redis.ts) hands them out; they reach Redis through its LeaseHost.
import { RELEASE, SYNC } from './redis-scripts.js';
import type { Script } from './redis-scripts.js';
import type { Lease } from './types.js';

/** What a lease needs of its locker. */
export interface LeaseHost {
  leaseTime(): number;
  channel(): string;
  run(script: Script, keys: string[], args: Array<string | number>): Promise<unknown>;
  keys(key: string, ...names: string[]): string[];
  /** A lease forgets itself; its release runs in Redis, and idle waits for that. */
  released(lease: RedisLease, release: Promise<unknown>): void;
}

/** One acquisition: renewed in Redis while held; lost (and its writer interrupted) when it cannot be. */
export class RedisLease implements Lease {
  readonly #locker: LeaseHost;
  readonly key: string;
  readonly token: string;
  readonly #renew: ReturnType<typeof setInterval>;
  #committed: number | undefined;
  #settling = false;
  #activeAt = performance.now();
  #interrupt: (() => void) | undefined;
  #released = false;
  #lost = false;
  /** The shortest quiet time a waiter asked for, and until when some waiter waits. */
  #quietFor = Infinity;
  #watchUntil = 0;
  #watch: ReturnType<typeof setTimeout> | undefined;

  constructor(locker: LeaseHost, key: string, token: string) {
    this.#locker = locker;
    this.key = key;
    this.token = token;
    this.#renew = setInterval(() => void this.#sync(false), Math.max(10, locker.leaseTime() / 3));
    this.#renew.unref();
  }

  commit(offset: number): void {
    if (this.#released) return;
    this.#committed = offset;
    this.#settling = false;
    void this.#sync(true);
  }

  settle(): void {
    if (this.#released) return;
    this.#settling = true;
    void this.#sync(false);
  }

  touch(): void {
    if (!this.#released) this.#activeAt = performance.now();
  }

  onTakeover(interrupt: () => void): void {
    if (this.#released) return;
    this.#interrupt = interrupt;
    if (this.#lost) this.#fire();
    else this.#check();
  }

  /** Renews the lease in Redis and says whether it is still this one: the fence before an acknowledgement. */
  valid(): Promise<boolean> {
    return this.#sync(false);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#stop();
    this.#interrupt = undefined;
    const [lease, queue, deadlines] = this.#locker.keys(this.key, 'lease', 'queue', 'deadlines');
    const args = [this.token, this.#locker.leaseTime(), this.#locker.channel(), this.key];
    // A lost lease may still be this one in Redis (it was lost to an error, not to another holder).
    const done = this.#locker.run(RELEASE, [lease!, queue!, deadlines!], args).catch(() => undefined);
    this.#locker.released(this, done);
  }

  /** The lease can no longer be proven this one: its writer is stopped, and it acknowledges nothing. */
  lose(): void {
    if (this.#lost || this.#released) return;
    this.#lost = true;
    this.#stop();
    this.#fire();
  }

  /** A waiter on some instance asks: stop if quiet for `quietFor` ms, while it waits `left` ms more. */
  takeoverRequested(quietFor: number, left: number): void {
    if (this.#released || this.#lost || !(quietFor >= 0)) return;
    this.#quietFor = Math.min(this.#quietFor, quietFor);
    this.#watchUntil = Math.max(this.#watchUntil, performance.now() + (left || 0));
    this.#check();
  }

  #check(): void {
    clearTimeout(this.#watch);
    if (!this.#interrupt || this.#released || this.#lost || !Number.isFinite(this.#quietFor)) return;
    const now = performance.now();
    if (now - this.#activeAt >= this.#quietFor) {
      this.#quietFor = Infinity;
      return this.#fire();
    }
    const at = this.#activeAt + this.#quietFor;
    if (at <= this.#watchUntil) this.#watch = setTimeout(() => this.#check(), Math.max(1, at - now));
  }

  #fire(): void {
    const interrupt = this.#interrupt;
    this.#interrupt = undefined;
    interrupt?.();
  }

  #stop(): void {
    clearInterval(this.#renew);
    clearTimeout(this.#watch);
  }

  async #sync(publish: boolean): Promise<boolean> {
    if (this.#released || this.#lost) return false;
    const [lease] = this.#locker.keys(this.key, 'lease');
    const committed = this.#committed === undefined ? '' : String(this.#committed);
    const args = [this.token, this.#locker.leaseTime(), committed, this.#settling ? 1 : 0];
    try {
      const ok = await this.#locker.run(
        SYNC,
        [lease!],
        [...args, this.#locker.channel(), this.key, publish ? 1 : 0],
      );
      if (ok === 1) return !this.#lost && !this.#released;
    } catch {
      // Unconfirmed is lost: the lease may expire unseen before Redis answers again.
    }
    this.lose();
    return false;
  }
}
