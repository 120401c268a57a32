// An early answer (409, 413) to a request whose large body is still arriving: the server reads a little of
// the rest, then cuts. A keep-alive client must learn that before it sends its next request there.
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
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

  test('a 409 over a chunk-sized body reads it whole: no reset, so the answer arrives (no browser re-send)', async () => {
    const server = await start();
    const size = 8 * 1024 * 1024;
    await send(server.url, 'c', 0, 'abc', size);
    // A raw client that, like a browser, goes on sending after the server's FIN, a piece at a time so no
    // socket buffer swallows the body at once.
    const piece = randomData(64 * 1024);
    const pieces = 32;
    const { port } = new URL(server.url);
    const socket = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
    const errors: unknown[] = [];
    const received: Buffer[] = [];
    socket.on('error', (err) => errors.push(err));
    socket.on('data', (data: Buffer) => received.push(data));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    const head = `POST /upload HTTP/1.1\r\nHost: x\r\nX-File-Id: c\r\nX-Start-Byte: 0\r\nX-File-Size: ${size}\r\nContent-Length: ${piece.length * pieces}\r\n\r\n`;
    socket.write(head);
    for (let i = 0; i < pieces && errors.length === 0; i++) {
      await new Promise<void>((resolve) => socket.write(piece, () => setTimeout(resolve, 1)));
    }
    socket.end();
    await closed;
    assert.deepEqual(errors, [], 'the connection was not reset while the body was sent');
    const answer = Buffer.concat(received).toString('latin1');
    assert.match(answer, /^HTTP\/1\.1 409 /);
    assert.match(answer, /\r\n\r\n3$/);
  });
});
