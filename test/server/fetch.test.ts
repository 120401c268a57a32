import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CompletedUpload } from '../../src/server/index.js';
import { getStatus, keyOf, listFiles, randomData, request, send, sha256, uploadAll } from './helpers.js';
import { assertClientError, startWith } from './protocol-servers.js';

describe('the status/upload protocol through the Fetch handler', () => {
  test('a file sent in several chunks is stored byte for byte, and its status is its size', async () => {
    const completed: CompletedUpload[] = [];
    const s = await startWith('fetch', { onComplete: (info) => void completed.push(info) });
    const data = randomData(1024 * 1024 + 123);
    await uploadAll(s.url, 'movie.mp4-1048699-1700000000000', data, 300 * 1024);
    assert.equal(completed.length, 1);
    const [info] = completed;
    assert.deepEqual(
      [info.fileId, info.owner, info.size],
      ['movie.mp4-1048699-1700000000000', 'anonymous', data.length],
    );
    assert.equal(info.path, join(s.dir, 'complete', keyOf(info.fileId)));
    assert.equal(sha256(await readFile(info.path)), sha256(data));
    assert.equal(await getStatus(s.url, info.fileId), data.length);
  });

  test('status answers 0 for an unknown id, then the stored count, and the upload resumes from there', async () => {
    const s = await startWith('fetch');
    assert.equal(await getStatus(s.url, 'f'), 0);
    const data = randomData(5000);
    assert.equal((await send(s.url, 'f', 0, data.subarray(0, 2000), 5000)).text, '2000');
    assert.equal(await getStatus(s.url, 'f'), 2000);
    const resumed = await send(s.url, 'f', 2000, data.subarray(2000), 5000);
    assert.deepEqual([resumed.status, resumed.text], [200, '5000']);
    assert.ok((await readFile(join(s.dir, 'complete', keyOf('f')))).equals(data));
  });

  test('uploads of different owners never meet; no owner is 401', async () => {
    const s = await startWith('fetch', { owner: (header) => header('x-user') ?? null });
    assert.equal((await send(s.url, 'same', 0, 'abc', 6, { 'X-User': 'alice' })).text, '3');
    assert.equal(await getStatus(s.url, 'same', { 'X-User': 'bob' }), 0);
    assert.equal(await getStatus(s.url, 'same', { 'X-User': 'alice' }), 3);
    assertClientError(await send(s.url, 'same', 3, 'def', 6), 401, 'no owner');
  });
});

describe('status/upload bad input through the Fetch handler: a 4xx with a reason, never a 5xx', () => {
  test('missing X-File-Id, and start or size headers that are not plain decimal, are 400', async () => {
    const s = await startWith('fetch');
    assertClientError(await request(`${s.url}/status`), 400, 'status without X-File-Id');
    const noId = await request(`${s.url}/upload`, {
      method: 'POST',
      headers: { 'X-Start-Byte': '0' },
      body: 'a',
    });
    assertClientError(noId, 400, 'upload without X-File-Id');
    const noStart = await request(`${s.url}/upload`, {
      method: 'POST',
      headers: { 'X-File-Id': 'a' },
      body: 'a',
    });
    assertClientError(noStart, 400, 'upload without X-Start-Byte');
    for (const n of ['-1', '1.5', '9007199254740993', '0x10', '1e3', 'ten']) {
      const start = await request(`${s.url}/upload`, {
        method: 'POST',
        headers: { 'X-File-Id': 'a', 'X-Start-Byte': n },
        body: 'abc',
      });
      assertClientError(start, 400, `X-Start-Byte ${n}`);
      assertClientError(await send(s.url, 'a', 0, 'abc', undefined, { 'X-File-Size': n }), 400, `size ${n}`);
    }
    assert.equal(await getStatus(s.url, 'a'), 0);
  });

  test('a start other than the stored count is 409 with that count; over maxSize is 413', async () => {
    const s = await startWith('fetch', { maxSize: 100 });
    await send(s.url, 'b', 0, 'abcd', 10);
    const conflict = await send(s.url, 'b', 2, 'cdef', 10);
    assert.deepEqual([conflict.status, conflict.text], [409, '4']);
    assertClientError(await send(s.url, 'big', 0, 'a', 101), 413, 'X-File-Size over maxSize');
    assertClientError(await send(s.url, 'b', 4, 'efghijklmnop', 10), 413, 'body past X-File-Size');
    assert.equal(await getStatus(s.url, 'b'), 4);
  });

  test('a wrong method is 405 with Allow, and an unknown path 404', async () => {
    const s = await startWith('fetch');
    const wrong = await request(`${s.url}/upload`);
    assertClientError(wrong, 405, 'GET /upload');
    assert.match(String(wrong.headers.allow), /POST/);
    assertClientError(await request(`${s.url}/elsewhere`), 404, 'unknown path');
  });
});

describe('the Fetch handler mounted at a basePath', () => {
  test('answers every protocol below /api/upload, with Locations that include it', async () => {
    const s = await startWith('fetch', { mount: '/api/upload' });
    assert.equal(s.url.endsWith('/api/upload'), true);
    assert.equal((await send(s.url, 'm', 0, 'abcd', 4)).text, '4');
    assert.equal(await getStatus(s.url, 'm'), 4);

    const tus = await request(s.files, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '3' },
    });
    assert.match(String(tus.headers.location), /^\/api\/upload\/files\/[A-Za-z0-9_-]+$/);
    const ietf = await request(s.files, {
      method: 'POST',
      headers: { 'Upload-Draft-Interop-Version': '8', 'Upload-Complete': '?1' },
      body: 'xyz',
    });
    assert.match(String(ietf.headers.location), /^\/api\/upload\/files\/[A-Za-z0-9_-]+$/);
    const status = await request(new URL(String(tus.headers.location), s.origin).href, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    assert.equal(status.headers['upload-length'], '3');
  });

  test('paths outside the basePath are not answered', async () => {
    const s = await startWith('fetch', { mount: '/api/upload' });
    for (const path of ['/status', '/api/uploadX/status', '/files/']) {
      const reply = await request(`${s.origin}${path}`, {
        headers: { 'X-File-Id': 'a', 'Tus-Resumable': '1.0.0' },
      });
      assertClientError(reply, 404, path);
    }
    assert.deepEqual(await listFiles(s.dir), []);
  });
});
