// Locks shared by many server instances, on Redis. ioredis is an optional peer dependency: it is loaded by
// createRedisLocker only, so a server without --redis never needs it.
import { randomBytes } from 'node:crypto';
import type * as IoRedis from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';
import { ACQUIRE, RELEASE, STATE, SYNC } from './redis-scripts.js';
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

/** An optional peer dependency, loaded only where a Redis locker is created. */
const OPTIONAL_IOREDIS = 'ioredis';

/**
 * Connects to Redis and resolves with a locker on it; rejects when Redis cannot be reached. Close it with
 * `close()` after the server that uses it.
 */
export async function createRedisLocker(options: string | RedisLockerOptions = {}): Promise<RedisLocker> {
  const config = typeof options === 'string' ? { redis: options } : options;
  let Client: typeof Redis;
  try {
    // A name bundlers do not follow: an app that bundles the server without ioredis still builds.
    ({ Redis: Client } = (await import(OPTIONAL_IOREDIS)) as typeof IoRedis);
  } catch (err) {
    throw new Error(
      'resumable-upload server: a Redis locker needs the ioredis package (npm install ioredis)',
      {
        cause: err,
      },
    );
  }
  const base: RedisOptions = {
    commandTimeout: config.commandTimeout ?? 2000,
    connectTimeout: 5000,
    // Fail at once while disconnected (the request gets 503), never replay a lock command later.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: true,
  };
  const given = config.redis ?? 'redis://127.0.0.1:6379';
  const client = typeof given === 'string' ? new Client(given, base) : new Client({ ...given, ...base });
  // The subscriber queues its SUBSCRIBE until connected and subscribes again after every reconnect.
  const subscriber = client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  const swallow = (): void => undefined;
  client.on('error', swallow);
  subscriber.on('error', swallow);
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
  } catch (err) {
    client.disconnect();
    subscriber.disconnect();
    throw new LockUnavailableError(`Redis unavailable: ${(err as Error).message}`, { cause: err });
  }
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
  #down = false;
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
    // A lease no one can renew may expire unseen, and a restarted Redis has forgotten it: its writer stops.
    client.on('close', () => {
      if (!this.#down && !this.#closed)
        console.warn('resumable-upload server: Redis connection lost; uploads get 503 until it is back');
      this.#down = true;
      for (const lease of [...this.#leases.values()]) lease.lose();
    });
    client.on('ready', () => {
      if (this.#down) console.warn('resumable-upload server: Redis connection is back');
      this.#down = false;
      for (const set of this.#listeners.values()) for (const wake of [...set]) wake();
    });
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

  /** Runs a script: EVALSHA, EVAL when Redis does not know it; any failure is a LockUnavailableError. */
  async #run(script: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      try {
        return await this.#client.evalsha(script.sha, script.keys, ...keys, ...args);
      } catch (err) {
        if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
        return await this.#client.eval(script.lua, script.keys, ...keys, ...args);
      }
    } catch (err) {
      throw new LockUnavailableError(`Upload locks unavailable: ${describe(err)}`, { cause: err });
    }
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

interface LeaseHost {
  leaseTime(): number;
  channel(): string;
  run(script: Script, keys: string[], args: Array<string | number>): Promise<unknown>;
  keys(key: string, ...names: string[]): string[];
  /** A lease forgets itself; its release runs in Redis, and idle waits for that. */
  released(lease: RedisLease, release: Promise<unknown>): void;
}

/** One acquisition: renewed in Redis while held; lost (and its writer interrupted) when it cannot be. */
class RedisLease implements Lease {
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

/** One line for the 503's reason: what went wrong with Redis, without addresses. */
function describe(err: unknown): string {
  const message = String((err as Error | null)?.message ?? err);
  if (/timed out/i.test(message)) return 'Redis did not answer in time';
  if (/writeable|closed|ECONNREFUSED|ECONNRESET|EPIPE|MaxRetriesPerRequest/i.test(message)) {
    return 'Redis is not reachable';
  }
  return `Redis refused: ${message.split('\n')[0]}`;
}
