// The Locker contract: every locker (in-process, Redis, ...) runs this same suite.
// Real short timeouts (<= 200 ms): a locker may keep time on any clock, so fake timers would prove nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Lease, Locker } from '../../src/server/locks/types.js';

export interface LockerFixture {
  locker: Locker;
  cleanup(): Promise<void>;
}

/** Fresh keys per test, so lockers that share a backend (Redis) never see another test's locks. */
const newKey = (): string => randomBytes(32).toString('hex');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

/** Timer slack: a timeout may fire a little early on a coarse clock, and late on a busy machine. */
const EARLY = 5;
const LATE = 150;

export function lockerContract(name: string, make: () => Promise<LockerFixture>): void {
  describe(`Locker contract: ${name}`, () => {
    async function setup(t: TestContext): Promise<Locker> {
      const { locker, cleanup } = await make();
      t.after(cleanup);
      return locker;
    }

    async function held(locker: Locker, key: string): Promise<Lease> {
      const lease = await locker.acquire(key, 0);
      assert.ok(lease, 'a free key could not be acquired');
      return lease;
    }

    describe('acquire and release', () => {
      test('a free key is acquired at once, however long the caller would wait', async (t) => {
        const locker = await setup(t);
        const started = performance.now();
        const lease = await locker.acquire(newKey(), 10_000);
        assert.ok(lease);
        // Well under a poll interval (250 ms for Redis) and the 10 s it would wait: no waiting happened.
        assert.ok(performance.now() - started < 200, `took ${Math.round(performance.now() - started)} ms`);
        lease.release();
      });

      test('a held key is refused after waitMs', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        const started = performance.now();
        assert.equal(await locker.acquire(key, 100), null);
        const waited = performance.now() - started;
        assert.ok(waited >= 100 - EARLY && waited < 100 + LATE, `waited ${waited} ms`);
        lease.release();
      });

      test('waitMs 0 on a held key is refused at once', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        const started = performance.now();
        assert.equal(await locker.acquire(key, 0), null);
        assert.ok(performance.now() - started < 50);
        lease.release();
      });

      test('a waiter gets the lock when the holder releases, well before waitMs', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        const started = performance.now();
        const waiting = locker.acquire(key, 5000);
        setTimeout(() => lease.release(), 30);
        const next = await waiting;
        assert.ok(next);
        assert.ok(performance.now() - started < 30 + LATE);
        next.release();
      });

      test('releases hand over to waiters in arrival order, and no newcomer slips in between', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        let lease = await held(locker, key);
        const order: number[] = [];
        const waiters = [1, 2, 3].map((n) =>
          locker.acquire(key, 5000).then((next) => {
            order.push(n);
            return next;
          }),
        );
        await sleep(10);
        for (const waiting of waiters) {
          lease.release();
          // The lock is promised to the first waiter: a caller that arrives now is refused.
          assert.equal(await locker.acquire(key, 0), null, 'a newcomer took the lock from a waiter');
          const next = await waiting;
          assert.ok(next);
          lease = next;
        }
        assert.deepEqual(order, [1, 2, 3]);
        lease.release();
        const last = await locker.acquire(key, 0);
        assert.ok(last, 'the lock stayed taken after the last waiter released it');
        last.release();
      });

      test("a second release is harmless: it frees nobody else's lock", async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        const first = locker.acquire(key, 5000);
        const second = locker.acquire(key, 300);
        lease.release();
        const next = await first;
        assert.ok(next);
        lease.release();
        assert.equal(await second, null, 'a stale release let a second holder in');
        assert.equal(await locker.acquire(key, 0), null);
        next.release();
        const again = await locker.acquire(key, 0);
        assert.ok(again);
        again.release();
        again.release();
        const after = await locker.acquire(key, 0);
        assert.ok(after, 'a double release left the key locked');
        after.release();
      });

      test("a released lease's calls no longer count: they cannot move or shield the next holder", async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const stale = await held(locker, key);
        stale.commit(10);
        const waiting = locker.acquire(key, 5000);
        stale.release();
        const next = await waiting;
        assert.ok(next);
        next.commit(500);
        let interrupted = 0;
        next.onTakeover(() => interrupted++);
        // A holder that lost its lease (taken over, or expired in a shared locker) may still be finishing up.
        stale.commit(10);
        stale.settle();
        stale.onTakeover(() => assert.fail('the stale interrupt was called'));
        const ticker = setInterval(() => stale.touch(), 10);
        try {
          assert.equal(await locker.offset(key, async () => -1), 500, 'a stale commit moved the offset');
          assert.equal(await locker.acquire(key, 150, 50), null);
          assert.equal(interrupted, 1, "a stale touch kept the holder's waiter from taking over");
        } finally {
          clearInterval(ticker);
          next.release();
        }
      });

      test('keys are independent', async (t) => {
        const locker = await setup(t);
        const a = newKey();
        const b = newKey();
        const leaseA = await held(locker, a);
        leaseA.commit(5);
        const leaseB = await locker.acquire(b, 0);
        assert.ok(leaseB, 'holding one key blocked another');
        leaseB.release();
        assert.equal(await locker.offset(b, async () => 42), 42);
        leaseA.release();
      });
    });

    describe('takeover', () => {
      test('a holder quiet for takeoverAfter is interrupted and the waiter gets the lock', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        let interrupted = 0;
        // As the service does: interrupting destroys the body, the append ends, the lease is released.
        lease.onTakeover(() => {
          interrupted++;
          setTimeout(() => lease.release(), 5);
        });
        const started = performance.now();
        const next = await locker.acquire(key, 5000, 60);
        const waited = performance.now() - started;
        assert.ok(next, 'the waiter did not get the lock');
        assert.equal(interrupted, 1);
        assert.ok(waited >= 60 - EARLY && waited < 60 + LATE, `took over after ${waited} ms`);
        next.release();
      });

      test('a holder that keeps touching is not taken over', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        let interrupted = 0;
        lease.onTakeover(() => interrupted++);
        const ticker = setInterval(() => lease.touch(), 10);
        try {
          assert.equal(await locker.acquire(key, 200, 60), null);
          assert.equal(interrupted, 0);
        } finally {
          clearInterval(ticker);
          lease.release();
        }
      });

      test('without takeoverAfter a quiet holder is never interrupted', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        let interrupted = 0;
        lease.onTakeover(() => interrupted++);
        assert.equal(await locker.acquire(key, 100), null);
        assert.equal(interrupted, 0);
        lease.release();
      });

      test('an interrupt that does not release leaves the lock held: the waiter is refused at waitMs', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        let interrupted = 0;
        lease.onTakeover(() => interrupted++);
        assert.equal(await locker.acquire(key, 150, 30), null);
        assert.equal(interrupted, 1, 'the interrupt is called once');
        lease.release();
      });
    });

    describe('offset', () => {
      test('when the key is free, offset is what read finds', async (t) => {
        const locker = await setup(t);
        let reads = 0;
        assert.equal(
          await locker.offset(newKey(), async () => {
            reads++;
            return 1234;
          }),
          1234,
        );
        assert.equal(reads, 1);
      });

      test('while held, offset is the committed one, not what read finds', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        lease.commit(100);
        let reads = 0;
        const read = async (): Promise<number> => {
          reads++;
          return 999;
        };
        assert.equal(await locker.offset(key, read), 100);
        lease.commit(250);
        assert.equal(await locker.offset(key, read), 250);
        assert.equal(reads, 0);
        lease.release();
        assert.equal(await locker.offset(key, read), 999);
      });

      test('while held but nothing committed yet, offset waits for the first commit', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        const asked = locker.offset(key, async () => 999);
        assert.equal(await settlesWithin(asked, 30), false, 'answered before the holder knew its offset');
        lease.commit(70);
        assert.equal(await asked, 70);
        lease.release();
      });

      test('while the holder settles, offset waits for its next commit rather than answer the older one', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        lease.commit(10);
        lease.settle();
        const asked = locker.offset(key, async () => 999);
        assert.equal(
          await settlesWithin(asked, 30),
          false,
          'answered the checkpoint before the closing write',
        );
        lease.commit(500);
        assert.equal(await asked, 500);
        lease.release();
      });

      test('a holder that settles and releases without committing lets offset read', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        lease.commit(10);
        lease.settle();
        const asked = locker.offset(key, async () => 42);
        await sleep(10);
        lease.release();
        assert.equal(await asked, 42);
      });

      test('a read that raced a writer is read again', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const values = [5, 80];
        const answer = await locker.offset(key, async () => {
          const stale = values.shift()!;
          if (stale === 5) {
            // A writer runs from start to end while this read is on its way.
            const lease = await held(locker, key);
            lease.commit(80);
            lease.release();
          }
          return stale;
        });
        assert.equal(answer, 80);
        assert.deepEqual(values, [], 'read was not asked again');
      });

      test('the committed offset passes to the next holder', async (t) => {
        const locker = await setup(t);
        const key = newKey();
        const lease = await held(locker, key);
        lease.commit(300);
        const waiting = locker.acquire(key, 5000);
        lease.release();
        const next = await waiting;
        assert.ok(next);
        // Between handover and the new holder's own first commit, status must not answer a raw read.
        const asked = await Promise.race([
          locker.offset(key, async () => -1),
          sleep(30).then(() => 'waiting'),
        ]);
        assert.ok(asked === 300 || asked === 'waiting', `offset answered ${String(asked)}`);
        next.commit(300);
        assert.equal(await locker.offset(key, async () => -1), 300);
        next.release();
      });
    });

    describe('idle', () => {
      test('idle resolves at once when nothing is held, and after the last holder releases', async (t) => {
        const locker = await setup(t);
        assert.equal(await settlesWithin(locker.idle(), 5), true);
        const a = newKey();
        const lease = await held(locker, a);
        const other = await held(locker, newKey());
        const waiting = locker.acquire(a, 5000);
        const idle = locker.idle();
        lease.release();
        const next = await waiting;
        assert.ok(next);
        other.release();
        assert.equal(await settlesWithin(idle, 20), false, 'idle while a waiter holds the lock');
        next.release();
        assert.equal(await settlesWithin(idle, 20), true);
      });
    });
  });
}
