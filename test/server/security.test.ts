import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import type { CompletedUpload } from '../../src/server/index.js';
import { getStatus, keyOf, listFiles, request, send, start, tempDir } from './helpers.js';

describe('file ids are never paths', () => {
  const HOSTILE = [
    '../../escaped',
    '../escaped/../../x',
    '/etc/passwd',
    '/tmp/escaped',
    '..\\..\\escaped',
    'C:\\Windows\\escaped',
    '%2e%2e%2fescaped',
    '..%2F..%2Fescaped-encoded',
    '%2e%2e%5c%2e%2e%5cescaped-encoded',
    '%2fetc%2fshadow',
    '....//....//escaped',
    'partial/../complete/x',
    '.',
    '..',
  ];

  test('hostile ids of every shape are stored inside dir under hashed names', async () => {
    const outer = await tempDir();
    const dir = join(outer, 'a', 'b', 'uploads');
    await mkdir(dir, { recursive: true });
    const completed: CompletedUpload[] = [];
    const server = await start({ dir, onComplete: (info) => void completed.push(info) });
    assert.equal(new Set(HOSTILE.map(decodeOrRaw)).size, HOSTILE.length, 'each id names its own upload');

    for (const [i, id] of HOSTILE.entries()) {
      assert.equal((await send(server.url, id, 0, 'evil', 8)).status, 200, id);
      assert.equal(await getStatus(server.url, id), 4, id);
      if (i % 2 === 0) assert.equal((await send(server.url, id, 4, 'done', 8)).status, 200, id);
    }
    const files = await listFiles(outer);
    const expected = HOSTILE.flatMap((id, i) => {
      const key = keyOf(decodeOrRaw(id));
      const folder = i % 2 === 0 ? 'complete' : 'partial';
      return [join(dir, folder, key), join(dir, folder, `${key}.json`)];
    });
    assert.deepEqual(new Set(files), new Set(expected));
    for (const file of files) {
      assert.match(relative(dir, file), /^(partial|complete)\/[0-9a-f]{64}(\.json)?$/);
    }
    assert.equal(completed.length, Math.ceil(HOSTILE.length / 2));
    for (const info of completed) assert.ok(info.path!.startsWith(`${dir}/complete/`));
  });

  function decodeOrRaw(id: string): string {
    try {
      return decodeURIComponent(id);
    } catch {
      return id;
    }
  }
});

describe('owners are isolated', () => {
  const authorize = (req: { headers: Record<string, string | string[] | undefined> }) => {
    const match = /^Bearer (\w+)$/.exec(String(req.headers.authorization ?? ''));
    return match ? match[1] : null;
  };
  const as = (who: string) => ({ Authorization: `Bearer ${who}` });

  test('one owner can neither see nor append to another owner’s upload', async () => {
    const server = await start({ authorize });
    assert.equal((await send(server.url, 'report.pdf', 0, 'alice-', 12, as('alice'))).text, '6');

    assert.equal(await getStatus(server.url, 'report.pdf', as('bob')), 0);
    const intrude = await send(server.url, 'report.pdf', 6, 'bobbob', 12, as('bob'));
    assert.deepEqual([intrude.status, intrude.text], [409, '0']);
    assert.equal((await send(server.url, 'report.pdf', 0, 'bob', 3, as('bob'))).text, '3');

    assert.equal(await getStatus(server.url, 'report.pdf', as('alice')), 6);
    assert.equal((await send(server.url, 'report.pdf', 6, 'secret', 12, as('alice'))).text, '12');
    const alicePath = join(server.dir, 'complete', keyOf('report.pdf', 'alice'));
    const bobPath = join(server.dir, 'complete', keyOf('report.pdf', 'bob'));
    assert.equal(await readFile(alicePath, 'utf8'), 'alice-secret');
    assert.equal(await readFile(bobPath, 'utf8'), 'bob');
  });

  test('a request authorize refuses gets 401 with a reason and writes nothing', async () => {
    const server = await start({ authorize });
    const status = await request(`${server.url}/status`, { headers: { 'X-File-Id': 'x' } });
    assert.equal(status.status, 401);
    assert.ok(status.text.length > 0 && !status.text.includes('\n'));
    const upload = await send(server.url, 'x', 0, 'abc', 3, { Authorization: 'Basic nope' });
    assert.equal(upload.status, 401);
    assert.deepEqual(await listFiles(server.dir), []);
  });

  test('an async authorize is awaited', async () => {
    const server = await start({
      authorize: async (req) => (req.headers['x-user'] as string | undefined) ?? null,
    });
    assert.equal((await send(server.url, 'a', 0, 'abc', 6, { 'X-User': 'carol' })).text, '3');
    assert.equal(await getStatus(server.url, 'a', { 'X-User': 'carol' }), 3);
    assert.equal(await getStatus(server.url, 'a', { 'X-User': 'dave' }), 0);
  });
});

describe('CORS', () => {
  test('a preflight from the allowed origin is answered 204 with what the client sends', async () => {
    const server = await start({ corsOrigin: 'https://app.example' });
    for (const path of ['/upload', '/status']) {
      const reply = await request(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'x-file-id, x-start-byte, x-file-size',
        },
      });
      assert.equal(reply.status, 204, path);
      assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(reply.headers['access-control-allow-methods'], 'GET, POST, OPTIONS');
      const allowed = (reply.headers['access-control-allow-headers'] ?? '').toLowerCase().split(/,\s*/);
      for (const h of ['x-file-id', 'x-start-byte', 'x-file-size', 'content-type', 'authorization']) {
        assert.ok(allowed.includes(h), `${h} allowed`);
      }
      assert.ok(Number(reply.headers['access-control-max-age']) > 0);
      assert.equal(reply.headers['access-control-allow-credentials'], 'true');
      assert.match(reply.headers.vary ?? '', /Origin/);
    }
  });

  test('answers, errors included, carry the CORS headers so the browser can read the offset', async () => {
    const server = await start({ corsOrigin: 'https://app.example' });
    await send(server.url, 'c', 0, 'abc', 6);
    const conflict = await send(server.url, 'c', 0, 'abc', 6, { Origin: 'https://app.example' });
    const status = await request(`${server.url}/status`, { headers: { 'X-File-Id': 'c' } });
    for (const reply of [conflict, status]) {
      assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(reply.headers['access-control-allow-credentials'], 'true');
      assert.match(reply.headers.vary ?? '', /Origin/);
    }
    assert.deepEqual([conflict.status, conflict.text], [409, '3']);
  });

  test("with origin '*' credentials are not allowed", async () => {
    const server = await start({ corsOrigin: '*' });
    const reply = await request(`${server.url}/upload`, { method: 'OPTIONS' });
    assert.equal(reply.headers['access-control-allow-origin'], '*');
    assert.equal(reply.headers['access-control-allow-credentials'], undefined);
  });

  test('without corsOrigin no CORS header is sent', async () => {
    const server = await start();
    const preflight = await request(`${server.url}/upload`, { method: 'OPTIONS' });
    const status = await request(`${server.url}/status`, { headers: { 'X-File-Id': 'c' } });
    for (const reply of [preflight, status]) {
      assert.deepEqual(
        Object.keys(reply.headers).filter((h) => h.startsWith('access-control-')),
        [],
      );
    }
  });
});
