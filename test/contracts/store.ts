// The UploadStore contract: every store (file, S3, ...) runs this same suite; a new store is done when it passes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { randomData } from '../server/helpers.js';
import { appendContract } from './store-append.js';
import { digestContract } from './store-digest.js';
import { EMPTY, bodyOf, created, newKey, recordOf, setupWith, stateOf } from './store-support.js';
import type { StoreFixture } from './store-support.js';

export type { StoreFixture } from './store-support.js';

export function storeContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`UploadStore contract: ${name}`, () => {
    const setup = setupWith(make);

    describe('init and records', () => {
      test('init may run again on a ready store and keeps what is stored', async (t) => {
        const { store } = await setup(t);
        const data = randomData(1000);
        const key = await created(store, 2000, data);
        await store.init();
        assert.equal(await store.offset(key), 1000);
      });

      test('an unknown key has offset 0 and nothing to inspect', async (t) => {
        const { store } = await setup(t);
        const key = newKey();
        assert.equal(await store.offset(key), 0);
        assert.deepEqual(stateOf(await store.inspect(key)), EMPTY);
        assert.equal(await store.lastModified(key), undefined);
      });

      test('a record reads back as written: known size, deferred size, metadata', async (t) => {
        const { store } = await setup(t);
        for (const record of [
          recordOf(12345),
          recordOf(null),
          recordOf(7, { metadata: 'filename d29ybGQuanBn,is_confidential', id: 'ünïcode/../id ✓' }),
        ]) {
          const key = newKey();
          await store.writeRecord(key, record);
          assert.deepEqual(stateOf(await store.inspect(key)), { record, offset: 0, complete: null });
          assert.equal(await store.offset(key), 0);
        }
      });

      test('a rewritten record replaces the old one whole: readers see one or the other, never a mix', async (t) => {
        const { store } = await setup(t);
        const key = newKey();
        const small = recordOf(null, { id: 'a' });
        const large = recordOf(5000, { id: 'b'.repeat(4000), metadata: 'name '.repeat(2000) });
        await store.writeRecord(key, small);
        const writes = (async () => {
          for (let i = 0; i < 30; i++) await store.writeRecord(key, i % 2 ? small : large);
        })();
        let done = false;
        void writes.finally(() => (done = true));
        while (!done) {
          const { record } = await store.inspect(key);
          assert.ok(record, 'the record vanished while being replaced');
          assert.ok(record.id === 'a' || record.id === large.id, 'a record mixed from two writes');
          assert.deepEqual(record, record.id === 'a' ? small : large);
        }
        await writes;
        assert.deepEqual((await store.inspect(key)).record, small);
      });

      test('records and offsets survive a restart (another store over the same storage)', async (t) => {
        const fixture = await setup(t);
        const data = randomData(3000);
        const key = await created(fixture.store, 9000, data);
        const record = (await fixture.store.inspect(key)).record;
        const again = await fixture.reopen();
        await again.init();
        assert.deepEqual(stateOf(await again.inspect(key)), { record, offset: 3000, complete: null });
        assert.equal(await again.offset(key), 3000);
        assert.deepEqual(await again.list(), [key]);
      });
    });

    appendContract(setup);
    digestContract(setup);

    describe('completion', () => {
      test('complete: offset is the size, inspect says complete and not notified, the record stays for the hook', async (t) => {
        const { store, read } = await setup(t);
        const data = randomData(5000);
        const key = await created(store, 5000, data);
        const record = (await store.inspect(key)).record;
        const location = await store.complete(key);
        assert.equal(typeof location.store, 'string');
        assert.ok(location.store.length > 0);
        assert.ok(new URL(location.url), 'location.url is not a URL');
        assert.deepEqual(store.location(key), location);
        assert.equal(await store.offset(key), 5000);
        assert.deepEqual(stateOf(await store.inspect(key)), {
          record,
          offset: 0,
          complete: { size: 5000, notified: false },
        });
        assert.deepEqual(await store.list(), [key], 'an upload whose hook has not run must stay listed');
        assert.ok((await read(key)).equals(data));
      });

      test('finalize: notified, no longer listed, bytes and offset stay', async (t) => {
        const fixture = await setup(t);
        const { store, read } = fixture;
        const data = randomData(5000);
        const key = await created(store, 5000, data);
        const record = (await store.inspect(key)).record!;
        await store.complete(key);
        await store.finalize(key, record);
        assert.deepEqual(stateOf(await store.inspect(key)), {
          record: null,
          offset: 0,
          complete: { size: 5000, notified: true },
        });
        assert.equal(await store.offset(key), 5000);
        assert.deepEqual(await store.list(), []);
        assert.ok((await read(key)).equals(data));
        const again = await fixture.reopen();
        assert.deepEqual(stateOf(await again.inspect(key)).complete, { size: 5000, notified: true });
      });

      test('a zero-byte upload completes', async (t) => {
        const { store, read } = await setup(t);
        const key = await created(store, 0);
        await store.complete(key);
        assert.equal(await store.offset(key), 0);
        assert.deepEqual(stateOf(await store.inspect(key)).complete, { size: 0, notified: false });
        assert.equal((await read(key)).length, 0);
      });
    });

    describe('remove, list, expiry', () => {
      test('remove deletes an incomplete upload: bytes and record', async (t) => {
        const { store } = await setup(t);
        const key = await created(store, 5000, randomData(2000));
        const other = await created(store, 5000, randomData(10));
        await store.remove(key);
        assert.deepEqual(stateOf(await store.inspect(key)), EMPTY);
        assert.equal(await store.offset(key), 0);
        assert.equal(await store.lastModified(key), undefined);
        assert.deepEqual(await store.list(), [other]);
        assert.equal(await store.offset(other), 10, 'remove touched another upload');
      });

      test('remove deletes a complete upload, notified or not', async (t) => {
        const { store } = await setup(t);
        for (const notify of [false, true]) {
          const key = await created(store, 100, randomData(100));
          const record = (await store.inspect(key)).record!;
          await store.complete(key);
          if (notify) await store.finalize(key, record);
          await store.remove(key);
          assert.deepEqual(stateOf(await store.inspect(key)), EMPTY);
          assert.equal(await store.offset(key), 0);
          assert.deepEqual(await store.list(), []);
        }
      });

      test('remove of an unknown key resolves (a crash may have removed half)', async (t) => {
        const { store } = await setup(t);
        await store.remove(newKey());
      });

      test('list names incomplete uploads, with or without bytes, by the keys they were given', async (t) => {
        const { store } = await setup(t);
        assert.deepEqual(await store.list(), []);
        const keys = [await created(store, null), await created(store, 100, randomData(50))];
        const listed = await store.list();
        assert.deepEqual([...listed].sort(), [...keys].sort());
        for (const key of listed) assert.match(key, /^[0-9a-f]{64}$/);
      });

      test('lastModified is wall-clock ms and grows when bytes are appended', async (t) => {
        const { store, lastModifiedResolution = 20 } = await setup(t);
        const key = await created(store, 100);
        const first = await store.lastModified(key);
        assert.ok(first !== undefined);
        assert.ok(Math.abs(first - Date.now()) < 5000 + lastModifiedResolution, `lastModified ${first}`);
        await new Promise((resolve) => setTimeout(resolve, lastModifiedResolution + 5));
        await store.append(key, bodyOf(randomData(10)), { start: 0, limit: 100, idleTimeout: 5000 });
        const second = await store.lastModified(key);
        assert.ok(second !== undefined && second > first, `lastModified ${first} -> ${second}`);
      });

      test('cleanup, even with maxAge 0, leaves live uploads alone', async (t) => {
        const { store, read } = await setup(t);
        const data = randomData(300);
        const waiting = await created(store, 1000, data);
        const deferred = await created(store, null);
        const unnotified = await created(store, 300, data);
        await store.complete(unnotified);
        const done = await created(store, 300, data);
        const doneRecord = (await store.inspect(done)).record!;
        await store.complete(done);
        await store.finalize(done, doneRecord);
        const before = await Promise.all(
          [waiting, deferred, unnotified, done].map((k) => store.inspect(k).then(stateOf)),
        );
        await store.cleanup(0);
        const after = await Promise.all(
          [waiting, deferred, unnotified, done].map((k) => store.inspect(k).then(stateOf)),
        );
        assert.deepEqual(after, before);
        assert.deepEqual((await store.list()).sort(), [waiting, deferred, unnotified].sort());
        assert.ok((await read(done)).equals(data));
        assert.ok((await read(unnotified)).equals(data));
      });
    });
  });
}
