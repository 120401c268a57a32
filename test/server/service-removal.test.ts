// UploadService: how uploads go away, terminated by their client or expired by the sweep.
import assert from 'node:assert/strict';
import { stat, utimes } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import type { FileStore } from '../../src/server/stores/file/store.js';
import { randomData, waitFor } from './helpers.js';
import { completion, created, refused, request, rig } from './support-service.js';

const HOUR = 60 * 60 * 1000;

/** Makes an upload look untouched for `ms`, rather than wait for it (a slow fsync would make waits flaky). */
async function age(store: FileStore, key: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  for (const path of [store.partialPath(key), `${store.partialPath(key)}.json`, store.completePath(key)]) {
    await utimes(path, then, then).catch(() => undefined);
  }
}

describe('UploadService', () => {
  describe('terminate', () => {
    test('an incomplete upload is deleted: find is not-found, offset 0', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 't', 100);
      await service.append(key, request(0, randomData(30)));
      await service.terminate(key);
      await refused(service.find(key), 'not-found');
      assert.equal(await service.offset(key), 0);
      assert.deepEqual(await service.store.list(), []);
    });

    test('a complete upload is deleted too', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 'tc', 30);
      await service.append(key, request(0, randomData(30)));
      await service.terminate(key);
      await refused(service.find(key), 'not-found');
      assert.equal(await service.offset(key), 0);
    });

    test('an unknown upload is not-found', async (t) => {
      const { service } = await rig(t);
      await refused(service.terminate(service.key('a', 'never')), 'not-found');
    });
  });

  describe('expiry', () => {
    test('an upload idle past expireAfter is gone, then not found', async (t) => {
      const { service, store } = await rig(t, { expireAfter: HOUR });
      const key = await created(service, 'old', 100);
      await service.append(key, request(0, randomData(10)));
      assert.ok(await service.find(key));
      const expires = await service.expiresAt(key);
      assert.ok(expires !== undefined && expires > Date.now() && expires <= Date.now() + HOUR);
      await age(store, key, HOUR + 1000);
      await refused(service.find(key), 'gone');
      await refused(service.find(key), 'not-found');
      assert.equal(await service.offset(key), 0);
    });

    test('the sweep removes expired uploads, not fresh ones, not one being written, not complete ones', async (t) => {
      const { service, store } = await rig(t, { expireAfter: HOUR });
      const old = await created(service, 'old', 100);
      const fresh = await created(service, 'fresh', 100);
      const done = await created(service, 'done', 10);
      await service.append(done, request(0, randomData(10)));
      const writing = await created(service, 'writing', 100);
      const body = new PassThrough();
      const appending = service.append(writing, { start: 0, body, sizeName: 'Upload-Length' });
      // The writer holds the lock by the time its (still empty) data file exists.
      const partial = store.partialPath(writing);
      await waitFor('the writer', async () => (await stat(partial).catch(() => undefined)) && true);
      for (const key of [old, done, writing]) await age(store, key, HOUR + 1000);
      assert.equal(await service.sweep(), 1);
      await refused(service.find(old), 'not-found');
      assert.ok(await service.find(fresh));
      assert.deepEqual(completion(await service.find(done)), { size: 10, notified: true });
      body.end(randomData(100));
      assert.equal((await appending).complete, true);
    });

    test('with expireAfter Infinity nothing expires', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 'forever', 100);
      assert.equal(await service.expiresAt(key), undefined);
      assert.equal(await service.sweep(), 0);
      assert.ok(await service.find(key));
    });
  });
});
