// The UploadStore contract, whole-file section: through the upload service, a store checks the whole stored
// file against the client's Repr-Digest before onComplete runs (reading its bytes back before or after it
// completes them), reports the SHA-256 both sides agreed on, and keeps nothing of a file that disagrees.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { CompletedUpload } from '../../src/server/index.js';
import { MemoryLocker } from '../../src/server/locks/memory.js';
import { UploadService } from '../../src/server/service.js';
import type { AppendRequest } from '../../src/server/service.js';
import type { ExpectedDigest, UploadStore } from '../../src/server/stores/types.js';
import { randomData } from '../server/helpers.js';
import { EMPTY, bodyOf, digestOf, newKey, stateOf } from './store-support.js';
import type { Setup } from './store-support.js';

/** A service over `store` that records what onComplete heard. */
export async function serviceOver(store: UploadStore) {
  const completed: CompletedUpload[] = [];
  const config = {
    maxSize: 1 << 30,
    expireAfter: Infinity,
    sweepInterval: 0,
    idleTimeout: 10_000,
    lockWait: 0,
    takeoverAfter: Infinity,
    syncInterval: 0,
    onComplete: (info: CompletedUpload) => void completed.push(info),
  };
  const service = new UploadService(config, store, new MemoryLocker());
  await service.ready;
  return { service, completed };
}

/** The article protocol's way: the first body creates the upload, the last one carries Repr-Digest. */
export function appendOf(
  start: number,
  data: Buffer,
  size: number,
  reprDigest?: ExpectedDigest,
): AppendRequest {
  return {
    start,
    body: bodyOf(data),
    bodyLength: data.length,
    size,
    create: { owner: 'alice', id: 'whole.bin' },
    sizeName: 'X-File-Size',
    ...(reprDigest && { reprDigest }),
  };
}

export function digestContract(setup: Setup): void {
  describe('whole file against Repr-Digest (through the service)', () => {
    const data = randomData(300_000);
    const [a, b] = [data.subarray(0, 100_000), data.subarray(100_000)];
    const wrong = digestOf(Buffer.concat([data, Buffer.from([0])]));

    test('a matching Repr-Digest completes: the SHA-256 is answered and handed to onComplete', async (t) => {
      const { store, read } = await setup(t);
      const { service, completed } = await serviceOver(store);
      t.after(() => service.close());
      const key = newKey();
      assert.equal((await service.append(key, appendOf(0, a, data.length))).offset, a.length);
      const done = await service.append(key, appendOf(a.length, b, data.length, digestOf(data)));
      const hex = createHash('sha256').update(data).digest('hex');
      assert.deepEqual(done, {
        offset: data.length,
        size: data.length,
        complete: true,
        answered: true,
        sha256: hex,
      });
      assert.equal(completed.length, 1);
      assert.equal(completed[0]!.sha256, hex);
      assert.ok((await read(key)).equals(data));
      assert.deepEqual(stateOf(await store.inspect(key)), {
        record: null,
        offset: 0,
        complete: { size: data.length, notified: true },
      });
    });

    test('SHA-512: a matching Repr-Digest completes with no SHA-256 claimed, a wrong one is refused', async (t) => {
      const { store, read } = await setup(t);
      const { service, completed } = await serviceOver(store);
      t.after(() => service.close());
      const sha512 = (bytes: Buffer) => ({
        algorithm: 'sha512',
        value: createHash('sha512').update(bytes).digest(),
      });
      const key = newKey();
      const done = await service.append(key, appendOf(0, data, data.length, sha512(data)));
      assert.equal(done.complete, true);
      assert.equal(done.sha256, undefined);
      assert.equal(completed.length, 1);
      assert.equal(completed[0]!.sha256, undefined);
      assert.ok((await read(key)).equals(data));
      const other = newKey();
      await assert.rejects(service.append(other, appendOf(0, data, data.length, sha512(b))), {
        code: 'repr-mismatch',
      });
      assert.equal(completed.length, 1);
      assert.deepEqual(stateOf(await store.inspect(other)), EMPTY);
    });

    test('a wrong Repr-Digest is refused as repr-mismatch and nothing of the upload remains', async (t) => {
      const { store, read } = await setup(t);
      const { service, completed } = await serviceOver(store);
      t.after(() => service.close());
      const key = newKey();
      await service.append(key, appendOf(0, a, data.length));
      await assert.rejects(service.append(key, appendOf(a.length, b, data.length, wrong)), {
        code: 'repr-mismatch',
        message: /^Repr-Digest does not match the stored file: the upload was removed, send it again$/,
      });
      assert.equal(completed.length, 0, 'onComplete ran for a file that disagreed');
      await assert.rejects(read(key), 'bytes remain at the final location');
      assert.deepEqual(stateOf(await store.inspect(key)), EMPTY);
      assert.equal(await store.offset(key), 0);
      assert.deepEqual(await store.list(), []);
      // The client's re-send starts clean and completes.
      await service.append(key, appendOf(0, a, data.length));
      const again = await service.append(key, appendOf(a.length, b, data.length, digestOf(data)));
      assert.equal(again.complete, true);
      assert.equal(completed.length, 1);
      assert.ok((await read(key)).equals(data));
    });
  });
}
