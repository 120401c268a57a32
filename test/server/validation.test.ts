import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { Agent, request as rawRequest } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseByteCount } from '../../src/server/options.js';
import { getStatus, keyOf, listFiles, openRequest, request, send, start } from './helpers.js';

const BAD_NUMBERS = ['-1', '1.5', '1e3', '0x10', '+1', '1 0', 'abc', '', '9007199254740992', '1'.repeat(30)];

describe('byte counts', () => {
  test('only plain decimal digits up to 2^53-1 are accepted', () => {
    for (const bad of [...BAD_NUMBERS, ' 1', '1 ', '\t1', '١', 'Infinity', 'NaN']) {
      assert.equal(parseByteCount(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(parseByteCount('0'), 0);
    assert.equal(parseByteCount('007'), 7);
    assert.equal(parseByteCount('9007199254740991'), Number.MAX_SAFE_INTEGER);
  });
});

describe('bad requests get a one-line reason, never a 500', () => {
  const reasonOf = (text: string): void => {
    assert.ok(text.length > 0 && !text.includes('\n'), `one-line reason, got ${JSON.stringify(text)}`);
  };

  test('a missing or empty X-File-Id is a 400, for status and upload', async () => {
    const server = await start();
    for (const headers of [{}, { 'X-File-Id': '' }]) {
      const status = await request(`${server.url}/status`, { headers });
      assert.equal(status.status, 400);
      reasonOf(status.text);
      const upload = await request(`${server.url}/upload`, {
        method: 'POST',
        headers: { ...headers, 'X-Start-Byte': '0' },
        body: 'abc',
      });
      assert.equal(upload.status, 400);
      assert.match(upload.text, /X-File-Id/);
    }
    assert.deepEqual(await listFiles(server.dir), []);
  });

  test('a missing X-Start-Byte is a 400, never a silent start-over', async () => {
    const server = await start();
    await send(server.url, 'f', 0, 'abc', 6);
    const reply = await request(`${server.url}/upload`, {
      method: 'POST',
      headers: { 'X-File-Id': 'f', 'X-File-Size': '6' },
      body: 'xyz',
    });
    assert.equal(reply.status, 400);
    assert.match(reply.text, /X-Start-Byte/);
    assert.equal(await readFile(join(server.dir, 'partial', keyOf('f')), 'utf8'), 'abc');
  });

  for (const header of ['X-Start-Byte', 'X-File-Size']) {
    test(`${header} that is not a plain non-negative integer is a 400`, async () => {
      const server = await start();
      for (const bad of BAD_NUMBERS) {
        const headers = { 'X-File-Id': 'n', 'X-Start-Byte': '0', 'X-File-Size': '3', [header]: bad };
        const reply = await request(`${server.url}/upload`, { method: 'POST', headers, body: 'abc' });
        assert.equal(reply.status, 400, `${header}: ${JSON.stringify(bad)} answered ${reply.status}`);
        assert.match(reply.text, new RegExp(header));
      }
      assert.deepEqual(await listFiles(server.dir), []);
    });
  }

  test('a start that is not the stored offset is a 409 carrying the offset', async () => {
    const server = await start();
    await send(server.url, 'o', 0, 'abcd', 10);
    for (const start of [0, 3, 5, 8]) {
      const reply = await send(server.url, 'o', start, 'xx', 10);
      assert.deepEqual([reply.status, reply.text], [409, '4'], `start ${start}`);
    }
    assert.equal(await readFile(join(server.dir, 'partial', keyOf('o')), 'utf8'), 'abcd');
  });

  test('an X-File-Size that disagrees with the recorded one is refused with a reason', async () => {
    const server = await start();
    await send(server.url, 's', 0, 'abc', 10);
    const reply = await send(server.url, 's', 3, 'def', 12);
    assert.equal(reply.status, 400);
    assert.match(reply.text, /X-File-Size 12 disagrees .*10/);
    assert.equal(await getStatus(server.url, 's'), 3);
    // A completed upload refuses a different size too.
    await send(server.url, 'done', 0, 'ab', 2);
    assert.equal((await send(server.url, 'done', 2, '', 3)).status, 400);
  });

  test('an X-File-Size smaller than what is already stored is refused, and not recorded', async () => {
    const server = await start();
    await send(server.url, 'shrink', 0, 'abc');
    const reply = await send(server.url, 'shrink', 3, '', 2);
    assert.equal(reply.status, 400);
    assert.match(reply.text, /X-Start-Byte is past X-File-Size/);
    assert.equal((await send(server.url, 'shrink', 3, 'def', 6)).text, '6');
  });

  test('an X-File-Size sent after an upload began without one is recorded and enforced', async () => {
    const server = await start();
    await send(server.url, 'late', 0, 'abc');
    assert.equal((await send(server.url, 'late', 3, 'de', 5)).text, '5');
    assert.equal(await getStatus(server.url, 'late'), 5);
    assert.ok((await stat(join(server.dir, 'complete', keyOf('late')))).isFile());
  });
});

describe('size limits', () => {
  test('an X-File-Size over maxSize is a 413 before anything is written', async () => {
    const server = await start({ maxSize: 1000 });
    const reply = await send(server.url, 'big', 0, 'abc', 1001);
    assert.equal(reply.status, 413);
    assert.deepEqual(await listFiles(server.dir), []);
  });

  test('a Content-Length over maxSize is answered 413 from the headers alone', async () => {
    const server = await start({ maxSize: 1000 });
    // Only the headers go out: the answer must come without the server waiting for the body.
    const { req, response } = openRequest(`${server.url}/upload`, 'POST', {
      'X-File-Id': 'big',
      'X-Start-Byte': '0',
      'Content-Length': String(10 * 1024 * 1024 * 1024),
    });
    const reply = await response;
    req.destroy();
    assert.equal(reply.status, 413);
    assert.equal(reply.headers.connection, 'close');
    assert.deepEqual(await listFiles(server.dir), []);
  });

  test('a body that would run past X-File-Size is a 413 before writing', async () => {
    const server = await start();
    await send(server.url, 'p', 0, 'abc', 5);
    const reply = await send(server.url, 'p', 3, 'def', 5);
    assert.equal(reply.status, 413);
    assert.equal(await readFile(join(server.dir, 'partial', keyOf('p')), 'utf8'), 'abc');
  });

  test('a chunked body running past X-File-Size is a 413 and nothing of it is kept', async () => {
    const server = await start();
    await send(server.url, 'c', 0, 'abc', 8);
    const reply = await request(`${server.url}/upload`, {
      method: 'POST',
      headers: { 'X-File-Id': 'c', 'X-Start-Byte': '3', 'X-File-Size': '8' },
      body: 'defghijk',
      chunked: true,
    });
    assert.equal(reply.status, 413);
    assert.equal(await readFile(join(server.dir, 'partial', keyOf('c')), 'utf8'), 'abc');
    assert.equal(await getStatus(server.url, 'c'), 3);
    // A chunked body that fits is fine.
    const ok = await request(`${server.url}/upload`, {
      method: 'POST',
      headers: { 'X-File-Id': 'c', 'X-Start-Byte': '3', 'X-File-Size': '8' },
      body: 'defgh',
      chunked: true,
    });
    assert.deepEqual([ok.status, ok.text], [200, '8']);
  });

  test('a chunked body with no X-File-Size running past maxSize is a 413', async () => {
    const server = await start({ maxSize: 4 });
    const reply = await request(`${server.url}/upload`, {
      method: 'POST',
      headers: { 'X-File-Id': 'm', 'X-Start-Byte': '0' },
      body: 'abcdef',
      chunked: true,
    });
    assert.equal(reply.status, 413);
    assert.equal(await getStatus(server.url, 'm'), 0);
  });

  test('an early answer to a small body leaves the connection usable', async () => {
    const server = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<unknown>();
      agent.on('free', (socket) => sockets.add(socket));
      const once = (headers: Record<string, string>, body: string) =>
        new Promise<number>((resolve, reject) => {
          const req = rawRequest(`${server.url}/upload`, { method: 'POST', agent, headers }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(body);
        });
      const headers = { 'X-File-Id': 'k', 'X-File-Size': '6' };
      assert.equal(await once({ ...headers, 'X-Start-Byte': '0' }, 'abc'), 200);
      assert.equal(await once({ ...headers, 'X-Start-Byte': '1' }, 'zzz'), 409);
      assert.equal(await once({ ...headers, 'X-Start-Byte': '3' }, 'def'), 200);
      assert.equal(sockets.size, 1, 'all three requests shared one connection');
    } finally {
      agent.destroy();
    }
  });
});
