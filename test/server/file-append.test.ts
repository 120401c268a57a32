// The file store's body writer: how many writes a body that trickles in small reads costs, and that every
// byte still lands in order (behind a proxy a body arrives in 16-64 KiB reads, each one costing a writev).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { appendFile } from '../../src/server/stores/file/append.js';

let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), 'ru-append-'))));
after(() => rm(dir, { recursive: true, force: true }));

/** Counts FileHandle.writev calls while `fn` runs. */
async function countingWrites<T>(fn: () => Promise<T>): Promise<{ result: T; writes: number[] }> {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { writev: (b: Buffer[], p?: number) => Promise<unknown> };
  await probe.close();
  const writev = proto.writev;
  const writes: number[] = [];
  proto.writev = function (this: unknown, buffers: Buffer[], position?: number) {
    writes.push(buffers.reduce((n, b) => n + b.length, 0));
    return writev.call(this, buffers, position);
  };
  try {
    return { result: await fn(), writes };
  } finally {
    proto.writev = writev;
  }
}

test('a body that arrives in 16 KiB reads, one per turn of the event loop, is written in 256 KiB batches', async () => {
  const data = randomBytes(64 * 16 * 1024);
  const body = new PassThrough();
  const path = join(dir, 'trickle');
  const { result, writes } = await countingWrites(async () => {
    const done = appendFile(body, path, { start: 0, limit: data.length, idleTimeout: 0, syncInterval: 0 });
    for (let at = 0; at < data.length; at += 16 * 1024) {
      body.write(data.subarray(at, at + 16 * 1024));
      // The disk is faster than the network: each read finds the writer idle.
      await new Promise((r) => setImmediate(r));
    }
    body.end();
    return done;
  });
  assert.deepEqual(result, { end: 'end', written: data.length });
  assert.ok(writes.length <= 5, `${writes.length} writes for 64 reads: ${writes.join(', ')}`);
  assert.ok((await readFile(path)).equals(data), 'the stored bytes are the body');
});

test('a cut body keeps what arrived, even what still waited for its batch', async () => {
  const data = randomBytes(40 * 1024);
  const body = new PassThrough();
  const path = join(dir, 'cut');
  const done = appendFile(body, path, { start: 0, limit: 1 << 20, idleTimeout: 0, syncInterval: 0 });
  body.write(data);
  // Read by the writer, not yet written: it waits for more.
  while (body.readableLength > 0 || !body.listenerCount('data')) await new Promise((r) => setImmediate(r));
  body.destroy();
  assert.deepEqual(await done, { end: 'aborted', written: data.length });
  assert.ok((await readFile(path)).equals(data));
});
