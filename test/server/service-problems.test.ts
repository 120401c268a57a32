// UploadService: every problem code a refused append or creation ends in, and the offset it names.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { randomData, waitFor } from './helpers.js';
import { created, refused, request, rig } from './support-service.js';

describe('UploadService', () => {
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
});
