// A disk that fills up mid-body: the answer is 507, and every byte written before the failure is kept.
import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getStatus, keyOf, randomData, send, sha256, startHandler } from './helpers.js';

describe('a full disk', () => {
  test('answers 507 and keeps every byte written before the failure, whole', async (t) => {
    const server = await startHandler();
    const probe = await open(import.meta.filename);
    const proto = Object.getPrototypeOf(probe) as { writev: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const writev = proto.writev;
    let budget = 300_000; // bytes the "disk" still takes
    t.mock.method(proto, 'writev', async function (this: unknown, buffers: Buffer[], position: number) {
      if (budget <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      const all = Buffer.concat(buffers);
      // The last write that fits goes through in part, as a real one does.
      const part = all.subarray(0, Math.min(all.length, budget));
      budget -= part.length;
      return writev.call(this, [part], position);
    });
    const data = randomData(2 * 1024 * 1024);
    const reply = await send(server.url, 'full', 0, data, data.length);
    assert.equal(reply.status, 507, reply.text);
    assert.equal(reply.text, 'Insufficient storage');
    t.mock.restoreAll();
    const kept = await getStatus(server.url, 'full');
    assert.equal(kept, 300_000, 'every byte the disk took is kept');
    const stored = await readFile(join(server.dir, 'partial', keyOf('full')));
    assert.equal(sha256(stored), sha256(data.subarray(0, kept)));
    // And the upload goes on from there once there is room again.
    const rest = await send(server.url, 'full', kept, data.subarray(kept), data.length);
    assert.deepEqual([rest.status, rest.text], [200, String(data.length)]);
  });
});
