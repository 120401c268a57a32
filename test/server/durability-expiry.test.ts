// The expiry sweep: stale incomplete uploads and crash leftovers go; fresh, active and complete ones stay.
import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getStatus, keyOf, send, start, startHandler, waitFor } from './helpers.js';
import { openUpload, sizeOnDisk, untilOnDisk } from './support-durability.js';

describe('expiry', () => {
  const past = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);

  test('the sweep removes stale incomplete uploads and leaves fresh, active and completed ones', async () => {
    const server = await startHandler({ sweepInterval: 0 });
    const path = (folder: string, id: string, ext = '') => join(server.dir, folder, keyOf(id) + ext);
    await send(server.url, 'stale', 0, 'abc', 10);
    await send(server.url, 'fresh', 0, 'abc', 10);
    await send(server.url, 'done', 0, 'abc', 3);
    await utimes(path('partial', 'stale'), past, past);
    await utimes(path('partial', 'stale', '.json'), past, past);
    await utimes(path('complete', 'done'), past, past);
    await utimes(path('complete', 'done', '.json'), past, past);

    const active = openUpload(server.url, 'active', 0, 10, 10);
    active.req.write('12345');
    await untilOnDisk(path('partial', 'active'), 5);
    await utimes(path('partial', 'active'), past, past);
    await utimes(path('partial', 'active', '.json'), past, past);

    assert.equal(await server.handler.sweep(), 1);
    assert.equal(await sizeOnDisk(path('partial', 'stale')), undefined);
    assert.equal(await sizeOnDisk(path('partial', 'stale', '.json')), undefined);
    assert.equal(await getStatus(server.url, 'stale'), 0);
    assert.equal(await getStatus(server.url, 'fresh'), 3);
    assert.equal(await getStatus(server.url, 'done'), 3);
    assert.equal(await readFile(path('complete', 'done'), 'utf8'), 'abc');

    active.req.end('67890');
    assert.equal((await active.response).text, '10');
  });

  test('the sweep runs on its own every sweepInterval', async () => {
    const server = await start({ sweepInterval: 20, expireAfter: 60_000 });
    await send(server.url, 'old', 0, 'abc', 10);
    const data = join(server.dir, 'partial', keyOf('old'));
    await utimes(data, past, past);
    await waitFor('the sweep to remove the stale upload', async () =>
      (await sizeOnDisk(data)) === undefined ? true : undefined,
    );
    assert.equal(await getStatus(server.url, 'old'), 0);
  });

  test('leftover temp files from a crash are removed', async () => {
    const server = await startHandler({ sweepInterval: 0 });
    const temp = join(server.dir, 'partial', `${keyOf('x')}.json.abc123.tmp`);
    await writeFile(temp, '{');
    await utimes(temp, past, past);
    assert.equal(await server.handler.sweep(), 0);
    assert.equal(await sizeOnDisk(temp), undefined);
  });
});
