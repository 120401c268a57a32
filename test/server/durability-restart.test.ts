// Across a crash or a restart: kill -9, close(), and an onComplete that never ran.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CompletedUpload } from '../../src/server/index.js';
import { getStatus, keyOf, randomData, send, sha256, start, startCli, tempDir } from './helpers.js';
import { openUpload, sizeOnDisk, untilOnDisk } from './support-durability.js';

describe('durability', () => {
  test('after kill -9 mid-upload and a restart, status is exact and the upload resumes to an identical file', async () => {
    const dir = await tempDir();
    const data = randomData(3 * 1024 * 1024 + 7);
    const partial = join(dir, 'partial', keyOf('crash.bin'));

    const first = await startCli(['--port', '0', '--dir', dir]);
    const acked = await send(first.url, 'crash.bin', 0, data.subarray(0, 1024 * 1024), data.length);
    assert.equal(acked.text, String(1024 * 1024));

    const inFlight = openUpload(first.url, 'crash.bin', 1024 * 1024, 2 * 1024 * 1024, data.length);
    inFlight.response.catch(() => undefined);
    inFlight.req.on('error', () => undefined);
    inFlight.req.write(data.subarray(1024 * 1024, 1024 * 1024 + 600 * 1024));
    await untilOnDisk(partial, 1024 * 1024 + 1);
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    const second = await startCli(['--port', '0', '--dir', dir]);
    const offset = await getStatus(second.url, 'crash.bin');
    assert.ok(offset >= 1024 * 1024, `no acknowledged byte lost (status ${offset})`);
    assert.equal(offset, await sizeOnDisk(partial));
    assert.ok((await readFile(partial)).equals(data.subarray(0, offset)), 'what is kept is the right bytes');

    const rest = await send(second.url, 'crash.bin', offset, data.subarray(offset), data.length);
    assert.deepEqual([rest.status, rest.text], [200, String(data.length)]);
    assert.equal(sha256(await readFile(join(dir, 'complete', keyOf('crash.bin')))), sha256(data));
  });

  test('close() cuts open uploads but keeps, fsynced, what they sent; a new server resumes them', async () => {
    const dir = await tempDir();
    const server = await start({ dir });
    const partial = join(dir, 'partial', keyOf('shutdown'));
    const pending = openUpload(server.url, 'shutdown', 0, 100_000, 100_000);
    pending.response.catch(() => undefined);
    pending.req.on('error', () => undefined);
    pending.req.write(randomData(40_000));
    await untilOnDisk(partial, 40_000);
    await server.close();

    const again = await start({ dir });
    assert.equal(await getStatus(again.url, 'shutdown'), 40_000);
  });

  test('an upload completed on disk whose onComplete never ran (crash) is delivered at startup', async (t) => {
    const dir = await tempDir();
    const first = await start({ dir, onComplete: () => Promise.reject(new Error('crash stand-in')) });
    const logged = t.mock.method(console, 'error', () => undefined);
    assert.equal((await send(first.url, 'late-hook', 0, 'abc', 3)).status, 500);
    assert.equal(logged.mock.callCount(), 1);
    logged.mock.restore();
    await first.close();

    const completed: CompletedUpload[] = [];
    const second = await start({ dir, onComplete: (info) => void completed.push(info) });
    assert.deepEqual(
      completed.map((c) => [c.fileId, c.size]),
      [['late-hook', 3]],
    );
    assert.equal((await send(second.url, 'late-hook', 3, '', 3)).text, '3');
    assert.equal(completed.length, 1);
  });
});
