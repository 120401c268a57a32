// UploadService over the file store and the in-process locker, without HTTP: what every protocol relies on.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { CompletedUpload } from '../../src/server/options.js';
import { MemoryLocker } from '../../src/server/locks/memory.js';
import { UploadProblem, UploadService } from '../../src/server/service.js';
import type { AppendRequest, ProblemCode, ServiceConfig } from '../../src/server/service.js';
import { FileStore } from '../../src/server/stores/file/store.js';
import type { UploadState } from '../../src/server/stores/types.js';
import { randomData, waitFor } from './helpers.js';

const MAX = 1024 * 1024;
const HOUR = 60 * 60 * 1000;

/** Makes an upload look untouched for `ms`, rather than wait for it (a slow fsync would make waits flaky). */
async function age(store: FileStore, key: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  for (const path of [store.partialPath(key), `${store.partialPath(key)}.json`, store.completePath(key)]) {
    await utimes(path, then, then).catch(() => undefined);
  }
}

interface Rig {
  service: UploadService;
  store: FileStore;
  /** Every onComplete call, in order (also the ones that threw). */
  completed: CompletedUpload[];
}

async function rig(t: TestContext, config: Partial<ServiceConfig> = {}): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'ru-service-'));
  const completed: CompletedUpload[] = [];
  const store = new FileStore(dir);
  const onComplete = config.onComplete;
  const service = new UploadService(
    {
      maxSize: MAX,
      expireAfter: Infinity,
      sweepInterval: 0,
      idleTimeout: 5000,
      lockWait: 0,
      takeoverAfter: Infinity,
      syncInterval: 0,
      ...config,
      onComplete: async (info) => {
        completed.push(info);
        await onComplete?.(info);
      },
    },
    store,
    new MemoryLocker(),
  );
  t.after(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });
  await service.ready;
  return { service, store, completed };
}

/** Where completion stands: size and whether onComplete succeeded. */
const completion = ({ complete }: UploadState) =>
  complete && { size: complete.size, notified: complete.notified };

const bodyOf = (data: Buffer): PassThrough => new PassThrough().end(data);

/** An append as a protocol would make it: the body's length known, the size stated. */
function request(start: number, data: Buffer, more: Partial<AppendRequest> = {}): AppendRequest {
  return { start, body: bodyOf(data), bodyLength: data.length, sizeName: 'Upload-Length', ...more };
}

async function refused(
  promise: Promise<unknown>,
  code: ProblemCode,
  offset?: number,
): Promise<UploadProblem> {
  const err = await promise.then(
    () => assert.fail(`expected ${code}, but it succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UploadProblem, `not an UploadProblem: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.equal(err.offset, offset, `offset of ${code}`);
  return err;
}

/** A tus-style upload: created with a record, then appended to. */
async function created(service: UploadService, id: string, size: number | null, owner = 'alice') {
  const key = service.key(owner, id);
  await service.create(key, { owner, id, size });
  return key;
}

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

  describe('problems', () => {
    test('offset-mismatch names the stored offset', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 'o', 1000);
      await service.append(key, request(0, randomData(300)));
      await refused(service.append(key, request(200, randomData(10))), 'offset-mismatch', 300);
      await refused(service.append(key, request(301, randomData(10))), 'offset-mismatch', 300);
      assert.equal(await service.offset(key), 300);
    });

    test('size-mismatch when a request states another size than the recorded one', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 's', 1000);
      await refused(service.append(key, request(0, randomData(10), { size: 999 })), 'size-mismatch');
      // A final body that ends elsewhere than the size it states.
      const deferred = await created(service, 'd', null);
      await refused(
        service.append(deferred, request(0, randomData(10), { size: 20, final: true })),
        'size-mismatch',
      );
      assert.equal(await service.offset(key), 0);
    });

    test('too-large: a size over maxSize, at creation and at the first append', async (t) => {
      const { service } = await rig(t, { maxSize: 1000 });
      await refused(
        service.create(service.key('a', 'big'), { owner: 'a', id: 'big', size: 1001 }),
        'too-large',
      );
      await refused(service.find(service.key('a', 'big')), 'not-found');
      const key = service.key('a', 'big2');
      await refused(
        service.append(key, request(0, randomData(10), { size: 1001, create: { owner: 'a', id: 'big2' } })),
        'too-large',
      );
      await service.create(service.key('a', 'edge'), { owner: 'a', id: 'edge', size: 1000 });
    });

    test('past-size: a body that says it runs past the size is refused before it is read', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 'p', 100);
      await service.append(key, request(0, randomData(60)));
      await refused(service.append(key, request(60, randomData(41))), 'past-size');
      assert.equal(await service.offset(key), 60);
    });

    test('past-size: a body of unknown length that runs past the size keeps nothing of itself', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 'q', 100);
      await service.append(key, request(0, randomData(60)));
      await refused(
        service.append(key, request(60, randomData(41), { bodyLength: undefined })),
        'past-size',
        60,
      );
      assert.equal(await service.offset(key), 60);
    });

    test('past-size: a deferred-size body running past maxSize', async (t) => {
      const { service } = await rig(t, { maxSize: 100 });
      const key = await created(service, 'r', null);
      await refused(
        service.append(key, request(0, randomData(101), { bodyLength: undefined })),
        'past-size',
        0,
      );
    });

    test('completed: a body for a complete upload names its size', async (t) => {
      const { service, completed } = await rig(t);
      const key = await created(service, 'c', 50);
      await service.append(key, request(0, randomData(50)));
      await refused(service.append(key, request(50, randomData(1))), 'completed', 50);
      await refused(
        service.append(key, request(50, randomData(1), { bodyLength: undefined })),
        'completed',
        50,
      );
      // From elsewhere than the size it is an offset mismatch, as for an incomplete upload.
      await refused(service.append(key, request(0, randomData(50))), 'offset-mismatch', 50);
      assert.equal(completed.length, 1);
    });

    test('digest-mismatch keeps nothing of the body', async (t) => {
      const { service } = await rig(t);
      const key = await created(service, 'h', 100);
      await service.append(key, request(0, randomData(10)));
      const digest = { algorithm: 'sha256', value: Buffer.alloc(32) };
      await refused(service.append(key, request(10, randomData(20), { digest })), 'digest-mismatch', 10);
      assert.equal(await service.offset(key), 10);
    });

    for (const [title, start, code] of [
      [
        'a re-send from where a running writer started is refused at once (offset-mismatch)',
        10,
        'offset-mismatch',
      ],
      ['busy: a writer from further on is refused when the lock stays taken', 12, 'busy'],
    ] as const)
      test(`${title}, with the offset the running writer started from`, async (t) => {
        const { service } = await rig(t);
        const key = await created(service, 'b', 100);
        await service.append(key, request(0, randomData(10)));
        const body = new PassThrough();
        const first = service.append(key, { start: 10, body, sizeName: 'Upload-Length' });
        body.write(randomData(2));
        await waitFor('the first writer', async () => (await service.store.offset(key)) === 12 || undefined);
        // The bytes on disk are not yet durable: status answers where the writer started.
        await refused(service.append(key, request(start, randomData(5))), code, 10);
        body.end(randomData(3));
        assert.equal((await first).offset, 15);
      });
    test('requests take the lock in the order they came: a re-send right behind its original is refused', async (t) => {
      // Both arrive in one tick, the original's bytes still unread behind its lock (a browser's silent
      // re-send 3 ms after the cut): the original keeps every byte, the re-send stores nothing.
      const { service } = await rig(t);
      const key = await created(service, 'order', 100);
      const data = randomData(40);
      const body = new PassThrough();
      body.write(data.subarray(0, 25));
      const original = service.append(key, { start: 0, body, sizeName: 'Upload-Length' });
      const resend = service.append(key, request(0, data));
      await refused(resend, 'offset-mismatch', 0);
      body.destroy(); // the cut
      assert.equal((await original).offset, 25);
      assert.equal(await service.offset(key), 25);
    });
  });

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
