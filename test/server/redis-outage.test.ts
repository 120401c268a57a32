// Redis killed mid-upload and started again, through the real HTTP handler: requests during the outage get
// a quick 503, nothing stored is corrupted, and the upload completes afterwards, byte-identical.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRedisLocker } from '../../src/server/locks/redis.js';
import { describeWithRedis } from '../support/redis.js';
import { keyOf, openRequest, randomData, request, send, sha256, startHandler } from './helpers.js';

const MiB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('Redis down mid-upload', (redis) => {
  test('requests during the outage get 503 at once; afterwards the upload completes byte-identical', async (t) => {
    const locker = await createRedisLocker(redis().url);
    t.after(() => locker.close());
    let stored: string | undefined;
    const { url, dir } = await startHandler({
      locker,
      onComplete: (info) => void (stored = info.path),
    });
    const data = randomData(8 * MiB);
    const id = 'outage';
    const status = (): Promise<{ status: number; text: string; retryAfter: unknown }> =>
      request(`${url}/status`, { headers: { 'X-File-Id': id } }).then((reply) => ({
        status: reply.status,
        text: reply.text,
        retryAfter: reply.headers['retry-after'],
      }));

    const first = await send(url, id, 0, data.subarray(0, 2 * MiB), data.length);
    assert.equal(first.status, 200, first.text);
    assert.equal(Number(first.text), 2 * MiB);

    // A request is streaming its body when Redis dies.
    const streaming = openRequest(`${url}/upload`, 'POST', {
      'X-File-Id': id,
      'X-Start-Byte': String(2 * MiB),
      'X-File-Size': String(data.length),
      'Content-Length': String(data.length - 2 * MiB),
    });
    streaming.req.on('error', () => undefined);
    const ended = streaming.response.then(
      (reply) => `answered ${reply.status}`,
      () => 'cut',
    );
    streaming.req.write(data.subarray(2 * MiB, 3 * MiB));
    await sleep(150);
    const killed = performance.now();
    await redis().stop();
    const outcome = await ended;
    const stopped = performance.now() - killed;
    t.diagnostic(`the streaming request was ${outcome} ${stopped.toFixed(0)} ms after Redis died`);
    assert.ok(stopped < 1000, `the writer went on for ${stopped} ms without its lock`);
    assert.notEqual(outcome, 'answered 200', 'a write was acknowledged without a lock');

    for (const ask of [status, () => send(url, id, 2 * MiB, data.subarray(2 * MiB, 4 * MiB), data.length)]) {
      const started = performance.now();
      const reply = await ask();
      const took = performance.now() - started;
      t.diagnostic(`during the outage: ${reply.status} "${reply.text.trim()}" in ${took.toFixed(0)} ms`);
      assert.equal(reply.status, 503, reply.text);
      assert.match(reply.text.trim(), /^Upload locks unavailable: [^\n]+$/);
      assert.ok(took < 500, `a request during the outage took ${took} ms`);
    }
    assert.equal((await status()).retryAfter, '1');

    const restarted = performance.now();
    await redis().restart();
    let offset: number | undefined;
    while (offset === undefined) {
      const reply = await status();
      if (reply.status === 200) offset = Number(reply.text);
      else if (performance.now() - restarted > 5000) assert.fail(`status still ${reply.status} after 5 s`);
      else await sleep(20);
    }
    t.diagnostic(
      `status answered ${offset} again ${(performance.now() - restarted).toFixed(0)} ms after Redis restarted`,
    );
    assert.ok(offset >= 2 * MiB && offset <= 3 * MiB, `offset ${offset}`);
    const partial = await readFile(join(dir, 'partial', keyOf(id)));
    assert.equal(partial.length, offset, 'the stored bytes disagree with the offset status answers');
    assert.ok(partial.equals(data.subarray(0, offset)), 'the stored bytes were corrupted');

    const last = await send(url, id, offset, data.subarray(offset), data.length);
    assert.equal(last.status, 200, last.text);
    assert.equal(Number(last.text), data.length);
    assert.ok(stored, 'onComplete did not run');
    assert.equal(sha256(await readFile(stored)), sha256(data));
  });
});
