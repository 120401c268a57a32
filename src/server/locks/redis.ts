// Locks shared by many server instances, on Redis. ioredis is an optional peer dependency: it is loaded by
// createRedisLocker only, so a server without --redis never needs it.
import { randomBytes } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { connectRedis, runScript, watchOutages } from './redis-connection.js';
import { RedisLease } from './redis-lease.js';
import type { LeaseHost } from './redis-lease.js';
import { ACQUIRE, STATE } from './redis-scripts.js';
import type { Script } from './redis-scripts.js';
import type { Lease, Locker } from './types.js';
import { LockUnavailableError } from './types.js';

export interface RedisLockerOptions {
  /**
   * Where Redis is: a `redis://HOST:PORT` URL, or ioredis options.
   * @default 'redis://127.0.0.1:6379'
   */
  redis?: string | RedisOptions;
  /**
   * Prefix of every key and of the notification channel, so deployments can share one Redis.
   * @default 'resumable-upload:'
   */
  prefix?: string;
  /**
   * Milliseconds a lease lives unless renewed; holders renew every third of it. An instance that died
   * holding a lock frees it after this long.
   * @default 10000
   */
  leaseTime?: number;
  /**
   * Milliseconds any Redis command may take; a slower answer counts as Redis being down.
   * @default 2000
   */
  commandTimeout?: number;
  /**
   * Milliseconds between checks of a busy lock, besides the notifications Redis publishes (which an
   * outage may lose).
   * @default 250
   */
  pollInterval?: number;
  /**
   * Longest time `offset` waits for a writer to report its durable offset before it gives up with 503.
   * @default 30000
   */
  offsetWait?: number;
}

/** A takeover request is sent again this often while a waiter waits, in case a notification got lost. */
const ASK_AGAIN = 1000;

/**
 * Connects to Redis and resolves with a locker on it; rejects when Redis cannot be reached. Close it with
 * `close()` after the server that uses it.
 */
export async function createRedisLocker(options: string | RedisLockerOptions = {}): Promise<RedisLocker> {
  const config = typeof options === 'string' ? { redis: options } : options;
  const { client, subscriber } = await connectRedis(
    config.redis ?? 'redis://127.0.0.1:6379',
    config.commandTimeout ?? 2000,
  );
  const locker = new RedisLocker(client, subscriber, config);
  await locker.ready;
  return locker;
}

/**
 * Per-upload mutual exclusion across server instances, on Redis; see createRedisLocker.
 * Data: `<prefix>{<key>}:lease` (hash: token, committed, settling; expires after leaseTime unless renewed),
 * `:seq` (acquisition counter), `:queue` (waiters in arrival order) and `:deadlines`; channel `<prefix>events`.
 */
export class RedisLocker implements Locker {
  readonly ready: Promise<void>;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #leaseTime: number;
  readonly #pollInterval: number;
  readonly #offsetWait: number;
  /** Ends every token this process hands out: tells instances apart in Redis. */
  readonly #instance = randomBytes(8).toString('hex');
  readonly #leases = new Map<string, RedisLease>();
  readonly #listeners = new Map<string, Set<() => void>>();
  #held = 0;
  #idle: Array<() => void> = [];
  #closed = false;

  constructor(client: Redis, subscriber: Redis, options: RedisLockerOptions = {}) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#prefix = options.prefix ?? 'resumable-upload:';
    this.#channel = `${this.#prefix}events`;
    this.#leaseTime = options.leaseTime ?? 10_000;
    this.#pollInterval = options.pollInterval ?? 250;
    this.#offsetWait = options.offsetWait ?? 30_000;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#event(message);
    });
    this.ready = subscriber.subscribe(this.#channel).then(() => undefined);
    // What was published while the subscriber was reconnecting is lost: once it listens again, every waiter asks.
    subscriber.on('ready', () => this.#wakeAll());
    watchOutages(client, {
      closing: () => this.#closed,
      // A lease no one can renew may expire unseen, and a restarted Redis has forgotten it: its writer stops.
      lost: () => {
        for (const lease of [...this.#leases.values()]) lease.lose();
      },
      back: () => this.#wakeAll(),
    });
  }

  /** Every waiter on this instance asks again (after an outage, when events may have been missed). */
  #wakeAll(): void {
    for (const set of this.#listeners.values()) for (const wake of [...set]) wake();
  }

  /**
   * Takes the lock, waiting up to `waitMs` in arrival order with waiters on every instance. A holder (on
   * any instance) that has received nothing for `takeoverAfter` ms is asked to stop; the lock passes when
   * it releases, or when its lease expires if its instance is gone.
   */
  async acquire(key: string, waitMs: number, takeoverAfter = Infinity): Promise<Lease | null> {
    const waiter = randomBytes(12).toString('hex');
    const deadline = performance.now() + waitMs;
    let asked = '';
    let askedAt = 0;
    for (;;) {
      const left = deadline - performance.now();
      const mode = waitMs <= 0 ? 'try' : left <= 0 ? 'final' : 'wait';
      // Listen before asking, so a release published while the answer travels is not missed.
      const events = mode === 'wait' ? this.#listen(key) : undefined;
      try {
        const [granted, token] = (await this.#run(
          ACQUIRE,
          this.#keys(key, 'lease', 'seq', 'queue', 'deadlines'),
          [waiter, this.#instance, this.#leaseTime, Math.ceil(Math.max(0, left)), mode, this.#channel, key],
        )) as [number, string];
        if (granted === 1) return this.#grant(key, token);
        if (!events) return null;
        const now = performance.now();
        if (
          Number.isFinite(takeoverAfter) &&
          token !== '' &&
          (token !== asked || now - askedAt >= ASK_AGAIN)
        ) {
          asked = token;
          askedAt = now;
          const request = `takeover ${key} ${token} ${takeoverAfter} ${Math.ceil(deadline - now)}`;
          this.#client.publish(this.#channel, request).catch(() => undefined);
        }
        await events.wait(Math.min(this.#pollInterval, deadline - now));
      } finally {
        events?.dispose();
      }
    }
  }

  /**
   * The holder's committed offset while a lock is held on any instance (waiting while it settles or has
   * not committed yet), else what `read` finds, read again if a writer ran meanwhile.
   */
  async offset(key: string, read: () => Promise<number>): Promise<number> {
    const keys = this.#keys(key, 'lease', 'seq');
    const deadline = performance.now() + this.#offsetWait;
    for (;;) {
      const events = this.#listen(key);
      try {
        const [held, committed, settling, seq] = (await this.#run(STATE, keys, [])) as [
          number,
          string,
          string,
          string,
        ];
        if (held === 1) {
          if (committed !== '' && settling !== '1') return Number(committed);
          const left = deadline - performance.now();
          if (left <= 0)
            throw new LockUnavailableError('The upload is being written; its offset is not known yet');
          await events.wait(Math.min(this.#pollInterval, left));
          continue;
        }
        const value = await read();
        const [heldAfter, , , seqAfter] = (await this.#run(STATE, keys, [])) as [
          number,
          string,
          string,
          string,
        ];
        if (heldAfter === 0 && seqAfter === seq) return value;
      } finally {
        events.dispose();
      }
    }
  }

  /** Resolves when no lock is held by this process and its releases have reached Redis (or failed). */
  idle(): Promise<void> {
    if (this.#held === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Disconnects from Redis. Locks still held expire after leaseTime. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const lease of [...this.#leases.values()]) lease.lose();
    this.#client.disconnect();
    this.#subscriber.disconnect();
  }

  /** Runs a script; any failure is a LockUnavailableError. */
  #run(script: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    return runScript(this.#client, script, keys, args);
  }

  /** Keys of one upload; the hash tag keeps them in one Redis Cluster slot. */
  #keys(key: string, ...names: string[]): string[] {
    return names.map((name) => `${this.#prefix}{${key}}:${name}`);
  }

  /** What a lease needs of its locker. */
  readonly #host: LeaseHost = {
    leaseTime: () => this.#leaseTime,
    channel: () => this.#channel,
    run: (script, keys, args) => this.#run(script, keys, args),
    keys: (key, ...names) => this.#keys(key, ...names),
    released: (lease, release) => {
      this.#leases.delete(lease.token);
      const done = (): void => {
        this.#held--;
        if (this.#held === 0) for (const resolve of this.#idle.splice(0)) resolve();
      };
      void release.then(done, done);
    },
  };

  #grant(key: string, token: string): Lease {
    const lease = new RedisLease(this.#host, key, token);
    this.#leases.set(token, lease);
    this.#held++;
    return lease;
  }

  #event(message: string): void {
    const [type, key, token, quiet, left] = message.split(' ');
    if (!key) return;
    if (type === 'takeover') {
      this.#leases.get(token ?? '')?.takeoverRequested(Number(quiet), Number(left));
      return;
    }
    for (const wake of [...(this.#listeners.get(key) ?? [])]) wake();
  }

  /** Notices news about `key` (released, committed, Redis back) from now on. */
  #listen(key: string): { wait(ms: number): Promise<void>; dispose(): void } {
    let fired = false;
    let wake: (() => void) | undefined;
    const listener = (): void => {
      fired = true;
      wake?.();
    };
    let set = this.#listeners.get(key);
    if (!set) this.#listeners.set(key, (set = new Set()));
    set.add(listener);
    return {
      wait: (ms) =>
        fired
          ? Promise.resolve()
          : new Promise((resolve) => {
              const timer = setTimeout(resolve, Math.max(1, ms));
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            }),
      dispose: () => {
        set.delete(listener);
        if (set.size === 0 && this.#listeners.get(key) === set) this.#listeners.delete(key);
      },
    };
  }
}
