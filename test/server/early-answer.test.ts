// An early answer (409, 413) to a request whose large body is still arriving: the server reads a little of
// the rest, then cuts. A keep-alive client must learn that before it sends its next request there.
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { after, describe, test } from 'node:test';
import type { Reply } from './helpers.js';
import { randomData, readReply, send, start } from './helpers.js';

describe('early answers on a keep-alive connection', () => {
  for (const [what, headers] of [
    ['409 for a stale start', { 'X-Start-Byte': '0', 'X-File-Size': String(8 * 1024 * 1024) }],
    ['413 for a body past the limit', { 'X-Start-Byte': '0' }],
  ] as const) {
    test(`a ${what} says Connection: close, and the next request gets its own answer`, async () => {
      const server = await start(what.startsWith('413') ? { maxSize: 6 * 1024 * 1024 } : {});
      if (what.startsWith('409')) await send(server.url, 'k', 0, 'abc', 8 * 1024 * 1024);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      after(() => agent.destroy());
      const body = randomData(8 * 1024 * 1024);
      const early = await new Promise<Reply>((resolve, reject) => {
        const req = httpRequest(`${server.url}/upload`, {
          method: 'POST',
          agent,
          headers: { 'X-File-Id': 'k', 'Content-Length': body.length, ...headers },
        });
        req.on('response', (res) => readReply(res).then(resolve, reject));
        // Writing may fail once the server cuts; the answer is what counts.
        req.on('error', () => undefined);
        req.end(body);
      });
      assert.equal(early.status, what.startsWith('409') ? 409 : 413, early.text);
      assert.equal(early.headers.connection, 'close');
      // The agent must not hand the doomed socket to the next request.
      const next = await new Promise<Reply>((resolve, reject) => {
        const req = httpRequest(`${server.url}/status`, { agent, headers: { 'X-File-Id': 'k' } });
        req.on('response', (res) => readReply(res).then(resolve, reject));
        req.on('error', reject);
        req.end();
      });
      assert.equal(next.status, 200);
    });
  }

  test('a small body is read to its end and the connection stays open', async () => {
    const server = await start();
    await send(server.url, 's', 0, 'abc', 10);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    after(() => agent.destroy());
    const stale = await new Promise<Reply>((resolve, reject) => {
      const headers = { 'X-File-Id': 's', 'X-Start-Byte': '0', 'X-File-Size': '10', 'Content-Length': 3 };
      const req = httpRequest(`${server.url}/upload`, { method: 'POST', agent, headers });
      req.on('response', (res) => readReply(res).then(resolve, reject));
      req.on('error', reject);
      req.end('abc');
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.headers.connection, 'keep-alive');
  });
});
