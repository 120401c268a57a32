// One writer per upload: concurrent appends, a writer whose connection went quiet, and idle timeouts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getStatus, keyOf, randomData, send, start, waitFor } from './helpers.js';
import { openUpload, untilOnDisk } from './support-durability.js';

describe('one writer per upload', () => {
  test('a second append while one runs waits, then gets 409 with the offset, and bytes never interleave', async () => {
    const server = await start({ lockWait: 100 });
    const partial = join(server.dir, 'partial', keyOf('race'));
    const a = randomData(64 * 1024);
    const b = randomData(64 * 1024);

    const first = openUpload(server.url, 'race', 0, a.length, a.length * 2);
    first.req.write(a.subarray(0, 32 * 1024));
    await untilOnDisk(partial, 32 * 1024);

    const second = await send(server.url, 'race', 0, b, b.length * 2);
    assert.deepEqual([second.status, second.text], [409, '0']);

    first.req.end(a.subarray(32 * 1024));
    const done = await first.response;
    assert.deepEqual([done.status, done.text], [200, String(a.length)]);
    assert.ok((await readFile(partial)).equals(a));
  });

  test('an append from where a body still arriving started is refused at once (a browser re-send); status then tells the new offset', async () => {
    const server = await start({ lockWait: 10_000 });
    const partial = join(server.dir, 'partial', keyOf('queue'));
    const a = randomData(10_000);

    const first = openUpload(server.url, 'queue', 0, a.length, 20_000);
    first.req.write(a.subarray(0, 5000));
    await untilOnDisk(partial, 5000);
    // Refused before the first body ends, without waiting for the lock: its body can store nothing new.
    const second = await send(server.url, 'queue', 0, randomData(10_000), 20_000);
    assert.deepEqual([second.status, second.text], [409, '0']);
    first.req.end(a.subarray(5000));
    assert.equal((await first.response).text, '10000');
    assert.equal(await getStatus(server.url, 'queue'), 10000);
    assert.ok((await readFile(partial)).equals(a));
  });

  test('an append from above where a running body started still waits for the lock and is told the new offset', async () => {
    const server = await start({ lockWait: 10_000 });
    const partial = join(server.dir, 'partial', keyOf('queue-above'));
    const a = randomData(10_000);

    const first = openUpload(server.url, 'queue-above', 0, a.length, 20_000);
    first.req.write(a.subarray(0, 5000));
    await untilOnDisk(partial, 5000);
    const second = send(server.url, 'queue-above', 5000, randomData(5000), 20_000);
    first.req.end(a.subarray(5000));
    assert.equal((await first.response).text, '10000');
    assert.deepEqual(await second.then((r) => [r.status, r.text]), [409, '10000']);
    assert.ok((await readFile(partial)).equals(a));
  });

  test('simultaneous appends at one offset: exactly one wins and the file is entirely its bytes', async () => {
    const server = await start({ lockWait: 0 });
    for (let round = 0; round < 10; round++) {
      const id = `both-${round}`;
      const bodies = [randomData(256 * 1024), randomData(256 * 1024)];
      const replies = await Promise.all(bodies.map((body) => send(server.url, id, 0, body, 1024 * 1024)));
      const winners = replies.filter((r) => r.status === 200);
      const losers = replies.filter((r) => r.status === 409);
      assert.equal(winners.length, 1, `round ${round}: ${replies.map((r) => r.status)}`);
      assert.equal(losers.length, 1);
      assert.ok(['0', String(256 * 1024)].includes(losers[0].text));
      const stored = await readFile(join(server.dir, 'partial', keyOf(id)));
      assert.ok(stored.equals(bodies[replies.indexOf(winners[0])]));
    }
  });
});

describe('dead connections and slow bodies', () => {
  test('an append that went quiet is taken over by a newer one, and the bytes it had brought are kept', async () => {
    const server = await start({ lockWait: 5000, takeoverAfter: 200 });
    const partial = join(server.dir, 'partial', keyOf('quiet'));
    const data = randomData(64 * 1024);

    // A path that dies mid-body: the server still holds the request open, nothing more arrives.
    const dead = openUpload(server.url, 'quiet', 0, data.length, data.length);
    const deadAnswer = dead.response.then(
      (r) => `answered ${r.status}`,
      () => 'cut',
    );
    dead.req.write(data.subarray(0, 24 * 1024));
    await untilOnDisk(partial, 24 * 1024);

    // The client's resume: it asked status (24 KiB once the dead request is stopped) and sends the rest.
    const resumed = await send(server.url, 'quiet', 24 * 1024, data.subarray(24 * 1024), data.length);
    assert.deepEqual([resumed.status, resumed.text], [200, String(data.length)]);
    assert.equal(await deadAnswer, 'cut');
    assert.equal(await getStatus(server.url, 'quiet'), data.length);
  });

  test('an append that keeps receiving is not taken over: the newcomer waits, then hears the offset', async () => {
    const server = await start({ lockWait: 600, takeoverAfter: 300 });
    const data = randomData(40 * 1024);
    const slow = openUpload(server.url, 'busy', 0, data.length, data.length);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < 20 * 1024) slow.req.write(data.subarray(sent, (sent += 1024)));
    }, 20);
    try {
      const late = await send(server.url, 'busy', 0, randomData(1024), data.length);
      assert.equal(late.status, 409, late.text);
    } finally {
      clearInterval(drip);
    }
    slow.req.end(data.subarray(sent));
    assert.deepEqual(await slow.response.then((r) => [r.status, r.text]), [200, String(data.length)]);
  });

  test('a slow body is checkpointed: status reports its fsynced progress before it ends', async () => {
    const server = await start({ syncInterval: 50 });
    const data = randomData(30_000);
    const slow = openUpload(server.url, 'drip', 0, data.length, data.length);
    slow.req.write(data.subarray(0, 10_000));
    await waitFor('status at 10000', async () =>
      (await getStatus(server.url, 'drip')) === 10_000 ? true : undefined,
    );
    slow.req.write(data.subarray(10_000, 20_000));
    await waitFor('status at 20000', async () =>
      (await getStatus(server.url, 'drip')) === 20_000 ? true : undefined,
    );
    slow.req.end(data.subarray(20_000));
    assert.deepEqual(await slow.response.then((r) => [r.status, r.text]), [200, String(data.length)]);
  });
});

describe('timeouts', () => {
  test("Node's request timeout is off, an idle timeout is on", async () => {
    const server = await start({ idleTimeout: 1234 });
    assert.equal(server.server.requestTimeout, 0);
    assert.equal(server.server.timeout, 1234);
  });

  test('a body that stops arriving is cut after idleTimeout; its bytes are kept and the lock is freed', async () => {
    const server = await start({ idleTimeout: 150 });
    const pending = openUpload(server.url, 'stall', 0, 10_000, 10_000);
    pending.req.on('error', () => undefined);
    pending.req.write(randomData(4000));
    await assert.rejects(pending.response);
    // Answers the committed 0 until the cut request has fsynced its 4000 bytes and let go.
    await waitFor('the stalled bytes to be committed', async () =>
      (await getStatus(server.url, 'stall')) === 4000 ? true : undefined,
    );
    assert.equal((await send(server.url, 'stall', 4000, randomData(6000), 10_000)).status, 200);
  });

  test('an upload that keeps sending outlives idleTimeout many times over', async () => {
    const server = await start({ idleTimeout: 100 });
    const pending = openUpload(server.url, 'slow', 0, 10 * 1000, 10 * 1000);
    for (let i = 0; i < 10; i++) {
      pending.req.write(randomData(1000));
      await new Promise((r) => setTimeout(r, 40)); // the pacing is the behaviour under test
    }
    pending.req.end();
    assert.deepEqual((await pending.response).text, '10000');
  });
});
