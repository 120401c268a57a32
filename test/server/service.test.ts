// UploadService over the file store and the in-process locker, without HTTP: what every protocol relies on.
// Creating, appending and completing; onComplete exactly once; keys. Problems and removal: service-*.test.ts.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { randomData, waitFor } from './helpers.js';
import { completion, created, refused, request, rig } from './support-service.js';

describe('UploadService', () => {
  describe('create, append, complete', () => {
    test('appends up to the size complete the upload and call onComplete once, with where the bytes are', async (t) => {
      const { service, completed } = await rig(t);
      const key = service.key('alice', 'photo');
      await service.create(key, {
        owner: 'alice',
        id: 'photo',
        size: 3000,
        metadata: 'filename cGhvdG8uanBn',
      });
      const data = randomData(3000);
      assert.deepEqual(await service.append(key, request(0, data.subarray(0, 1000))), {
        offset: 1000,
        size: 3000,
        complete: false,
        answered: true,
      });
      assert.equal(completed.length, 0);
      assert.equal(await service.offset(key), 1000);
      assert.deepEqual(await service.append(key, request(1000, data.subarray(1000))), {
        offset: 3000,
        size: 3000,
        complete: true,
        answered: true,
      });
      assert.equal(completed.length, 1);
      const [info] = completed;
      assert.deepEqual(
        { owner: info!.owner, fileId: info!.fileId, size: info!.size, metadata: info!.metadata },
        { owner: 'alice', fileId: 'photo', size: 3000, metadata: { filename: 'photo.jpg' } },
      );
      assert.equal(info!.location.store, 'file');
      assert.equal(info!.path, info!.location.path);
      assert.deepEqual(completion(await service.find(key)), { size: 3000, notified: true });
      assert.equal(await service.offset(key), 3000);

      // The client lost the last answer and asks again with an empty body: complete, no second call.
      assert.deepEqual(await service.append(key, request(3000, Buffer.alloc(0))), {
        offset: 3000,
        size: 3000,
        complete: true,
        answered: true,
      });
      await service.sweep();
      assert.equal(completed.length, 1);
    });

    test('the first append creates the upload (the article protocol), with the size it states', async (t) => {
      const { service, completed } = await rig(t);
      const key = service.key('bob', 'f');
      await refused(service.find(key), 'not-found');
      const outcome = await service.append(
        key,
        request(0, randomData(10), { size: 20, create: { owner: 'bob', id: 'f' } }),
      );
      assert.deepEqual(outcome, { offset: 10, size: 20, complete: false, answered: true });
      assert.deepEqual((await service.find(key)).record?.size, 20);
      await service.append(key, request(10, randomData(10), { create: { owner: 'bob', id: 'f' } }));
      assert.equal(completed.length, 1);
    });

    test('an append to an upload nobody created is not-found', async (t) => {
      const { service } = await rig(t);
      await refused(service.append(service.key('a', 'nope'), request(0, randomData(1))), 'not-found');
    });

    test('a deferred size is set by the final body (IETF Upload-Complete)', async (t) => {
      const { service, completed } = await rig(t);
      const key = await created(service, 'deferred', null);
      assert.equal((await service.append(key, request(0, randomData(500)))).size, null);
      const outcome = await service.append(key, request(500, randomData(300), { final: true }));
      assert.deepEqual(outcome, { offset: 800, size: 800, complete: true, answered: true });
      assert.equal(completed.length, 1);
      assert.equal(completed[0]!.size, 800);
    });

    test('a zero-byte upload completes on its empty final body', async (t) => {
      const { service, completed } = await rig(t);
      const key = await created(service, 'empty', 0);
      const outcome = await service.append(key, request(0, Buffer.alloc(0)));
      assert.deepEqual(outcome, { offset: 0, size: 0, complete: true, answered: true });
      assert.equal(completed.length, 1);
    });

    test('a cut body keeps its bytes and is not answered', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 'cut', 10_000);
      const body = new PassThrough();
      const outcome = service.append(key, { start: 0, body, sizeName: 'Upload-Length' });
      body.write(randomData(4000));
      await waitFor('the bytes on disk', async () => (await service.store.offset(key)) === 4000 || undefined);
      body.destroy();
      assert.deepEqual(await outcome, { offset: 4000, size: 10_000, complete: false, answered: false });
      assert.equal(await service.offset(key), 4000);
    });
  });

  describe('onComplete exactly once', () => {
    test('after onComplete threw, the same empty last request delivers it once', async (t) => {
      let fail = true;
      const { service, completed } = await rig(t, {
        onComplete: () => {
          if (fail) throw new Error('database down');
        },
      });
      const key = await created(service, 'retry', 100);
      t.mock.method(console, 'error', () => undefined);
      await refused(service.append(key, request(0, randomData(100))), 'hook-failed', 100);
      assert.equal(completed.length, 1);
      assert.deepEqual(completion(await service.find(key)), { size: 100, notified: false });
      fail = false;
      assert.deepEqual(await service.append(key, request(100, Buffer.alloc(0))), {
        offset: 100,
        size: 100,
        complete: true,
        answered: true,
      });
      assert.equal(completed.length, 2);
      assert.equal(completed[1]!.fileId, 'retry');
      await service.append(key, request(100, Buffer.alloc(0)));
      await service.sweep();
      assert.equal(completed.length, 2, 'onComplete ran again after it succeeded');
    });

    test('after onComplete threw, a sweep delivers it once', async (t) => {
      let fail = true;
      const { service, completed } = await rig(t, {
        onComplete: () => {
          if (fail) throw new Error('database down');
        },
      });
      const key = await created(service, 'swept', 100);
      t.mock.method(console, 'error', () => undefined);
      await refused(service.append(key, request(0, randomData(100))), 'hook-failed', 100);
      fail = false;
      assert.equal(await service.sweep(), 0);
      assert.equal(completed.length, 2);
      assert.deepEqual(completion(await service.find(key)), { size: 100, notified: true });
      await service.sweep();
      await service.append(key, request(100, Buffer.alloc(0)));
      assert.equal(completed.length, 2, 'onComplete ran again after it succeeded');
    });
  });

  describe('keys', () => {
    test('key() is 64 hex, stable, and differs by owner, id and namespace', async (t) => {
      const { service } = await rig(t);
      const key = service.key('alice', 'f');
      assert.match(key, /^[0-9a-f]{64}$/);
      assert.equal(service.key('alice', 'f'), key);
      const others = [
        service.key('bob', 'f'),
        service.key('alice', 'g'),
        service.key('alice', 'f', 'tus'),
        service.key('alice', 'f', 'ietf'),
        // The separator keeps `owner + id` splits apart.
        service.key('alic', 'ef'),
        service.key('alice\0f', ''),
      ];
      assert.equal(new Set([key, ...others]).size, others.length + 1);
    });

    test("one owner's upload is not found under another owner or namespace", async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 'mine', 100, 'alice');
      await service.append(key, request(0, randomData(10)));
      await refused(service.find(service.key('bob', 'mine')), 'not-found');
      await refused(service.find(service.key('alice', 'mine', 'tus')), 'not-found');
      await refused(service.append(service.key('bob', 'mine'), request(10, randomData(10))), 'not-found');
      assert.equal(await service.offset(service.key('bob', 'mine')), 0);
      assert.equal(await service.offset(key), 10);
    });
  });
});
