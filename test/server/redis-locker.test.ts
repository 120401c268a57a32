// The Redis locker against the locker contract, and what only a lock shared by many instances must promise:
// two RedisLocker instances on one real redis-server, as two server processes would use it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisLocker } from '../../src/server/locks/redis.js';
import type { RedisLocker, RedisLockerOptions } from '../../src/server/locks/redis.js';
import type { Lease } from '../../src/server/locks/types.js';
import { LockUnavailableError } from '../../src/server/locks/types.js';
import { UploadService } from '../../src/server/service.js';
import { FileStore } from '../../src/server/stores/file/store.js';
import { lockerContract } from '../contracts/locker.js';
import { describeWithRedis } from '../support/redis.js';
import type { RunningRedis } from '../support/redis.js';
import { QUIET_SERVICE } from './support-service.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const newKey = (): string => randomBytes(32).toString('hex');

describeWithRedis('RedisLocker', (redis) => {
  lockerContract('RedisLocker', async () => {
    const locker = await createRedisLocker(redis().url);
    return { locker, cleanup: () => locker.close() };
  });

  /** Two instances on one Redis, closed after the test. */
  async function instances(
    t: TestContext,
    options: RedisLockerOptions = {},
  ): Promise<[RedisLocker, RedisLocker]> {
    const a = await createRedisLocker({ redis: redis().url, ...options });
    const b = await createRedisLocker({ redis: redis().url, ...options });
    t.after(() => Promise.all([a.close(), b.close()]));
    return [a, b];
  }

  async function held(locker: RedisLocker, key: string): Promise<Lease> {
    const lease = await locker.acquire(key, 0);
    assert.ok(lease, 'a free key could not be acquired');
    return lease;
  }

  /** A plain client, to look at and tamper with what the lockers keep in Redis. */
  function raw(t: TestContext): Redis {
    const client = new Redis(redis().url);
    t.after(() => client.disconnect());
    return client;
  }

  /** Waits until `n` connections listen on the lockers' channel (a subscriber resubscribes after a reconnect). */
  async function subscribers(t: TestContext, n: number): Promise<void> {
    const client = raw(t);
    for (let i = 0; ; i++) {
      const [, count] = (await client.pubsub('NUMSUB', 'resumable-upload:events')) as [string, number];
      if (Number(count) >= n) return;
      assert.ok(i < 500, `${count} of ${n} subscribers after 5 s`);
      await sleep(10);
    }
  }

  test('two instances never hold one upload at once, and every waiter on either gets its turn', async (t) => {
    const [a, b] = await instances(t);
    const key = newKey();
    let inside = 0;
    let most = 0;
    const turns = await Promise.all(
      Array.from({ length: 16 }, async (_, n) => {
        const lease = await (n % 2 ? b : a).acquire(key, 10_000);
        assert.ok(lease, `waiter ${n} was refused`);
        most = Math.max(most, ++inside);
        await sleep(3);
        inside--;
        lease.release();
        return n;
      }),
    );
    assert.equal(turns.length, 16);
    assert.equal(most, 1, 'two holders at once');
  });

  test('a lock held on one instance is refused on the other, and passes to it when released', async (t) => {
    const [a, b] = await instances(t);
    const key = newKey();
    const lease = await held(a, key);
    assert.equal(await b.acquire(key, 0), null);
    const started = performance.now();
    const waiting = b.acquire(key, 5000);
    setTimeout(() => lease.release(), 50);
    const next = await waiting;
    assert.ok(next);
    const waited = performance.now() - started;
    assert.ok(waited < 50 + 100, `the release reached the other instance after ${waited} ms`);
    assert.equal(await a.acquire(key, 0), null);
    next.release();
  });

  test("a waiter on one instance takes over from the other's quiet holder", async (t) => {
    const [a, b] = await instances(t);
    const key = newKey();
    const lease = await held(a, key);
    let interrupted = 0;
    lease.onTakeover(() => {
      interrupted++;
      setTimeout(() => lease.release(), 5);
    });
    const started = performance.now();
    const next = await b.acquire(key, 5000, 80);
    const waited = performance.now() - started;
    assert.ok(next, 'the waiter did not get the lock');
    assert.equal(interrupted, 1);
    assert.ok(waited >= 75 && waited < 80 + 150, `took over after ${waited} ms`);
    next.release();
  });

  test('a holder that keeps receiving is not taken over from the other instance', async (t) => {
    const [a, b] = await instances(t);
    const key = newKey();
    const lease = await held(a, key);
    let interrupted = 0;
    lease.onTakeover(() => interrupted++);
    const ticker = setInterval(() => lease.touch(), 10);
    try {
      assert.equal(await b.acquire(key, 300, 60), null);
      assert.equal(interrupted, 0);
    } finally {
      clearInterval(ticker);
      lease.release();
    }
  });

  test("status on one instance answers the other's committed offset, and waits while it settles", async (t) => {
    const [a, b] = await instances(t);
    const key = newKey();
    const read = async (): Promise<number> => 7;
    const lease = await held(a, key);
    lease.commit(100);
    assert.equal(await b.offset(key, read), 100);
    lease.commit(250);
    assert.equal(await b.offset(key, read), 250);
    lease.settle();
    const asked = b.offset(key, read);
    const early = await Promise.race([asked, sleep(60).then(() => 'waiting')]);
    assert.equal(early, 'waiting', 'answered the checkpoint before the closing write');
    const started = performance.now();
    lease.commit(900);
    assert.equal(await asked, 900);
    assert.ok(performance.now() - started < 100, 'the commit did not wake the other instance');
    lease.release();
    assert.equal(await b.offset(key, read), 7);
  });

  test('a holder whose lease expired cannot move the offset, and knows it lost the lock', async (t) => {
    const [a, b] = await instances(t);
    const client = raw(t);
    const key = newKey();
    const stale = await held(a, key);
    let interrupted = 0;
    stale.onTakeover(() => interrupted++);
    // As if its instance had been frozen (GC, swapped out) past the lease: Redis expired it.
    await client.pexpire(`resumable-upload:{${key}}:lease`, 1);
    await sleep(5);
    const next = await held(b, key);
    next.commit(500);
    stale.commit(10);
    stale.settle();
    assert.equal(await stale.valid(), false);
    assert.equal(interrupted, 1, 'the stale writer was not stopped');
    assert.equal(await b.offset(key, async () => -1), 500, 'a stale commit moved the offset');
    assert.equal(await next.valid(), true);
    next.release();
  });

  test('a fenced writer acknowledges nothing and never completes the upload', async (t) => {
    const [a, b] = await instances(t);
    const client = raw(t);
    const dir = await mkdtemp(join(tmpdir(), 'ru-redis-fence-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = { maxSize: Infinity, ...QUIET_SERVICE };
    const completed: string[] = [];
    const service = new UploadService(
      { ...config, onComplete: (info) => void completed.push(info.fileId) },
      new FileStore(dir),
      a,
    );
    t.after(() => service.close());
    await service.ready;
    const key = service.key('alice', 'fenced');
    const data = randomBytes(64 * 1024);
    const body = new PassThrough();
    const appending = service.append(key, {
      start: 0,
      body,
      size: data.length,
      create: { owner: 'alice', id: 'fenced' },
      sizeName: 'size',
    });
    body.write(data.subarray(0, 1000));
    const partial = join(dir, 'partial', key);
    for (let n = 0; ((await stat(partial).catch(() => undefined))?.size ?? 0) < 1000; n++) {
      assert.ok(n < 400, 'the first bytes never reached the store');
      await sleep(5);
    }
    // The lease expires while the body still arrives, and another instance takes the upload.
    await client.pexpire(`resumable-upload:{${key}}:lease`, 1);
    await sleep(5);
    const other = await held(b, key);
    body.end(data.subarray(1000));
    // Refused at the fence, or stopped as soon as the writer heard of the loss: either way, no answer.
    const outcome = await appending.catch((err: Error) => err);
    if (outcome instanceof Error) assert.ok(outcome instanceof LockUnavailableError, String(outcome));
    else assert.equal(outcome.answered, false, `acknowledged ${outcome.offset}`);
    const state = await service.store.inspect(key);
    assert.equal(state.complete, null, 'the fenced writer completed the upload');
    assert.deepEqual(completed, []);
    other.release();
  });

  test('a lock whose instance vanished without releasing is free once its lease expires', async (t) => {
    const [, b] = await instances(t);
    const gone = await createRedisLocker({ redis: redis().url, leaseTime: 300 });
    const key = newKey();
    await held(gone, key);
    await gone.close(); // its connection closes; nothing is released
    assert.equal(await b.acquire(key, 0), null, 'the lock was freed before its lease ran out');
    const started = performance.now();
    const next = await b.acquire(key, 5000);
    const waited = performance.now() - started;
    assert.ok(next, 'the lock was never freed');
    assert.ok(waited < 300 + 300, `freed after ${waited} ms`);
    next.release();
  });

  test('Redis down: calls fail at once with LockUnavailableError, holders are stopped, and all works again when it is back', async (t) => {
    const [a, b] = await instances(t, { pollInterval: 5000 });
    const key = newKey();
    const lease = await held(a, key);
    let interrupted = 0;
    lease.onTakeover(() => interrupted++);
    const server: RunningRedis = redis();
    await server.stop();
    for (let n = 0; interrupted === 0; n++) {
      assert.ok(n < 200, 'a holder kept writing after Redis went away');
      await sleep(5);
    }
    for (const call of [() => b.acquire(key, 2000), () => b.offset(key, async () => 0)]) {
      const started = performance.now();
      await assert.rejects(call(), (err) => err instanceof LockUnavailableError && !/\n/.test(err.message));
      assert.ok(performance.now() - started < 100, 'a call waited for Redis');
    }
    assert.equal(await lease.valid(), false, 'a lease outlived the Redis that held it');
    lease.release();
    await server.restart();
    const next = await retry(() => a.acquire(key, 0));
    assert.ok(next, 'the lock stayed taken after Redis came back empty');
    // Each instance reconnects on its own: wait until b's commands pass and both subscribers listen again.
    await retry(async () => (await b.acquire(newKey(), 0))?.release());
    await subscribers(t, 2);
    // The subscriber connection is back too: a release wakes the other instance without polling.
    const waiting = b.acquire(key, 3000);
    await sleep(20);
    const started = performance.now();
    next.release();
    const woken = await waiting;
    assert.ok(woken);
    assert.ok(performance.now() - started < 200, 'the release notification was lost after the restart');
    woken.release();
  });

  test('a release published while the subscriber reconnects still wakes the waiter once it listens again', async (t) => {
    const [a, b] = await instances(t, { pollInterval: 10_000 });
    const key = newKey();
    const lease = await held(a, key);
    const waiting = b.acquire(key, 8000);
    await sleep(20);
    // Only the subscriber connections drop (a Redis failover or a proxy's idle cut does this); commands go on.
    await raw(t).call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    const started = performance.now();
    lease.release(); // published while no one listens: the message is lost
    const woken = await waiting;
    const waited = performance.now() - started;
    assert.ok(woken, 'the waiter never got the lock');
    assert.ok(
      waited < 2000,
      `the waiter heard of the release only after ${Math.round(waited)} ms (its poll is 10 s)`,
    );
    woken.release();
    await subscribers(t, 2);
  });
});

/** Repeats `call` while it fails with LockUnavailableError (Redis reconnecting), for up to 5 s. */
async function retry<T>(call: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + 5000;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof LockUnavailableError) || performance.now() > deadline) throw err;
      await sleep(20);
    }
  }
}
