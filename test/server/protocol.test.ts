import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createUploadHandler } from '../../src/server/index.js';
import type { CompletedUpload } from '../../src/server/index.js';
import {
  getStatus,
  keyOf,
  listFiles,
  randomData,
  request,
  send,
  sha256,
  start,
  tempDir,
  uploadAll,
} from './helpers.js';

describe('the status/upload protocol', () => {
  test('a file sent in several chunks is stored byte for byte, and its status is its size', async () => {
    const completed: CompletedUpload[] = [];
    const server = await start({ onComplete: (info) => void completed.push(info) });
    const data = randomData(1024 * 1024 + 123);
    await uploadAll(server.url, 'movie.mp4-1048699-1700000000000', data, 300 * 1024);

    assert.equal(completed.length, 1);
    const [info] = completed;
    assert.equal(info.fileId, 'movie.mp4-1048699-1700000000000');
    assert.equal(info.owner, 'anonymous');
    assert.equal(info.size, data.length);
    assert.equal(info.path, join(server.dir, 'complete', keyOf(info.fileId)));
    assert.equal(sha256(await readFile(info.path)), sha256(data));
    assert.equal(await getStatus(server.url, info.fileId), data.length);
  });

  test('status answers 0 for an id it has never seen', async () => {
    const server = await start();
    const reply = await request(`${server.url}/status`, { headers: { 'X-File-Id': 'never-seen' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, '0');
  });

  test('status counts the bytes stored so far, and an upload resumes from there', async () => {
    const server = await start();
    const data = randomData(5000);
    assert.equal((await send(server.url, 'f', 0, data.subarray(0, 2000), 5000)).text, '2000');
    assert.equal(await getStatus(server.url, 'f'), 2000);
    const resumed = await send(server.url, 'f', 2000, data.subarray(2000), 5000);
    assert.deepEqual([resumed.status, resumed.text], [200, '5000']);
    assert.equal(sha256(await readFile(join(server.dir, 'complete', keyOf('f')))), sha256(data));
  });

  test("the article's client, which never sends X-File-Size, can append and resume", async () => {
    const server = await start();
    assert.equal((await send(server.url, 'old', 0, 'abc')).text, '3');
    assert.equal((await send(server.url, 'old', 3, 'def')).text, '6');
    assert.equal(await getStatus(server.url, 'old'), 6);
    assert.equal(await readFile(join(server.dir, 'partial', keyOf('old')), 'utf8'), 'abcdef');
  });

  test('onComplete runs exactly once, even when the final chunk is sent again', async () => {
    const completed: CompletedUpload[] = [];
    const server = await start({ onComplete: (info) => void completed.push(info) });
    const data = randomData(1000);
    await send(server.url, 'once', 0, data.subarray(0, 600), 1000);
    const last = await send(server.url, 'once', 600, data.subarray(600), 1000);
    assert.deepEqual([last.status, last.text], [200, '1000']);
    // The answer got lost: the client sends the final chunk again, then an empty one at the end.
    const again = await send(server.url, 'once', 600, data.subarray(600), 1000);
    assert.deepEqual([again.status, again.text], [409, '1000']);
    const empty = await send(server.url, 'once', 1000, '', 1000);
    assert.deepEqual([empty.status, empty.text], [200, '1000']);
    // A body at the size has nowhere to go: 413.
    const past = await send(server.url, 'once', 1000, 'x', 1000);
    assert.deepEqual([past.status, past.text], [413, 'Body runs past X-File-Size']);
    assert.equal(completed.length, 1);
  });

  test('a failing onComplete answers 500 and runs again on the next request, then never again', async (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    let calls = 0;
    const server = await start({
      onComplete: () => {
        calls++;
        if (calls === 1) throw new Error('database down');
      },
    });
    const first = await send(server.url, 'hook', 0, 'xyz', 3);
    assert.equal(first.status, 500);
    assert.match(String(logged.mock.calls[0]?.arguments[0]), /onComplete failed/);
    assert.equal(await getStatus(server.url, 'hook'), 3);
    const retry = await send(server.url, 'hook', 3, '', 3);
    assert.deepEqual([retry.status, retry.text, calls], [200, '3', 2]);
    await send(server.url, 'hook', 3, '', 3);
    assert.equal(calls, 2);
  });

  test('a zero-byte file completes with one empty POST', async () => {
    const completed: CompletedUpload[] = [];
    const server = await start({ onComplete: (info) => void completed.push(info) });
    const reply = await send(server.url, 'empty.txt', 0, '', 0);
    assert.deepEqual([reply.status, reply.text], [200, '0']);
    assert.equal(completed.length, 1);
    assert.equal((await readFile(completed[0].path!)).length, 0);
    assert.equal(await getStatus(server.url, 'empty.txt'), 0);
  });

  test('a completed upload keeps answering its size after onComplete moved the file away', async () => {
    const server = await start({
      onComplete: async ({ path }) => {
        const { rename } = await import('node:fs/promises');
        await rename(path!, `${path}.moved`);
      },
    });
    await send(server.url, 'moved', 0, 'hello', 5);
    assert.equal(await getStatus(server.url, 'moved'), 5);
    assert.deepEqual((await send(server.url, 'moved', 0, 'hello', 5)).text, '5');
  });

  test('every protocol answer is uncacheable, unsniffable plain text', async () => {
    const server = await start();
    const replies = [
      await request(`${server.url}/status`, { headers: { 'X-File-Id': 'h' } }),
      await send(server.url, 'h', 0, 'ab', 4),
      await send(server.url, 'h', 1, 'ab', 4),
      await request(`${server.url}/upload`, { method: 'POST', headers: { 'X-Start-Byte': '0' } }),
    ];
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 409, 400],
    );
    for (const reply of replies) {
      assert.equal(reply.headers['cache-control'], 'no-store');
      assert.equal(reply.headers['x-content-type-options'], 'nosniff');
      assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
    }
  });

  test('a percent-encoded id is decoded for onComplete, and both spellings name one upload', async () => {
    const completed: CompletedUpload[] = [];
    const server = await start({ onComplete: (info) => void completed.push(info) });
    await send(server.url, encodeURIComponent('résumé.pdf'), 0, 'ab', 4);
    assert.equal(await getStatus(server.url, 'r%C3%A9sum%C3%A9.pdf'), 2);
    await send(server.url, 'r%C3%A9sum%C3%A9.pdf', 2, 'cd', 4);
    assert.equal(completed[0].fileId, 'résumé.pdf');
    // Not valid percent-encoding: used as it is.
    await send(server.url, '100%', 0, 'x', 1);
    assert.equal(completed[1].fileId, '100%');
  });
});

describe('routing', () => {
  test('a wrong method gets 405 with the allowed ones', async () => {
    const server = await start();
    const put = await request(`${server.url}/upload`, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 405);
    assert.match(put.headers.allow ?? '', /POST/);
    const post = await request(`${server.url}/status`, { method: 'POST', headers: { 'X-File-Id': 'a' } });
    assert.equal(post.status, 405);
    assert.match(post.headers.allow ?? '', /GET/);
    assert.ok(post.text.length > 0 && !post.text.includes('\n'));
  });

  test('an unknown path gets 404', async () => {
    const server = await start();
    for (const path of ['/nope', '/status/x', '/uploads', '/']) {
      const reply = await request(`${server.url}${path}`, { headers: { 'X-File-Id': 'a' } });
      assert.equal(reply.status, 404, path);
    }
  });

  test('status ignores a query string', async () => {
    const server = await start();
    await send(server.url, 'q', 0, 'abc');
    const reply = await request(`${server.url}/status?t=1`, { headers: { 'X-File-Id': 'q' } });
    assert.equal(reply.text, '3');
  });
});

describe('mounted in an Express/Connect-style app', () => {
  /** A two-line imitation of `app.use('/files', handler)`: the mount path is stripped from req.url. */
  async function mountedApp(dir: string) {
    const handler = createUploadHandler({ dir });
    const nexts: string[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (!req.url?.startsWith('/files/')) return res.writeHead(418).end();
      const original = req.url;
      req.url = req.url.slice('/files'.length);
      handler(req, res, () => {
        nexts.push(original);
        res.writeHead(299).end('from next');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/files`, nexts };
  }

  test('answers the protocol under the mount path and hands unknown paths to next()', async () => {
    const dir = await tempDir();
    const { base, nexts } = await mountedApp(dir);
    assert.equal((await send(base, 'm', 0, 'abcd', 4)).text, '4');
    assert.equal(await getStatus(base, 'm'), 4);
    const other = await request(`${base}/other`);
    assert.deepEqual([other.status, other.text], [299, 'from next']);
    assert.deepEqual(nexts, ['/files/other']);
    assert.deepEqual(
      (await listFiles(dir)).sort(),
      [join(dir, 'complete', keyOf('m')), join(dir, 'complete', `${keyOf('m')}.json`)].sort(),
    );
  });

  test('without next(), an unknown path gets 404', async () => {
    const dir = await tempDir();
    const handler = createUploadHandler({ dir });
    after(() => handler.close());
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => new Promise((resolve) => server.close(resolve)));
    const reply = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/elsewhere`);
    assert.equal(reply.status, 404);
  });
});
