import assert from 'node:assert/strict';
import { open, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CompletedUpload } from '../../src/server/index.js';
import {
  getStatus,
  keyOf,
  openRequest,
  randomData,
  send,
  sha256,
  start,
  startCli,
  startHandler,
  tempDir,
  waitFor,
} from './helpers.js';

const sizeOnDisk = async (path: string): Promise<number | undefined> =>
  (await stat(path).catch(() => undefined))?.size;

/** Waits until the partial file holds at least `n` bytes: the server has written them (not yet fsynced). */
const untilOnDisk = (path: string, n: number) =>
  waitFor(`${n} bytes in ${path}`, async () => ((await sizeOnDisk(path)) ?? 0) >= n || undefined);

function openUpload(base: string, id: string, startByte: number, length: number, size: number) {
  return openRequest(`${base}/upload`, 'POST', {
    'X-File-Id': id,
    'X-Start-Byte': String(startByte),
    'X-File-Size': String(size),
    'Content-Length': String(length),
  });
}

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

describe('durability', () => {
  test('a fast body is checkpointed every 8 MiB: status reports it while the rest still arrives', async () => {
    const server = await start({ syncInterval: 0 });
    const data = randomData(12 * 1024 * 1024);
    const pending = openUpload(server.url, 'fast', 0, data.length, data.length);
    pending.req.write(data.subarray(0, 9 * 1024 * 1024));
    await waitFor('status past 8 MiB', async () =>
      (await getStatus(server.url, 'fast')) >= 8 * 1024 * 1024 ? true : undefined,
    );
    assert.ok((await getStatus(server.url, 'fast')) <= 9 * 1024 * 1024);
    pending.req.end(data.subarray(9 * 1024 * 1024));
    assert.equal((await pending.response).text, String(data.length));
  });

  test('while an append runs, status answers the last fsynced offset, not the growing file', async () => {
    const server = await start();
    const partial = join(server.dir, 'partial', keyOf('grow'));
    await send(server.url, 'grow', 0, randomData(1000), 100_000);

    const body = randomData(50_000);
    const pending = openUpload(server.url, 'grow', 1000, body.length, 100_000);
    pending.req.write(body.subarray(0, 20_000));
    await untilOnDisk(partial, 21_000);
    assert.equal(await getStatus(server.url, 'grow'), 1000);

    pending.req.end(body.subarray(20_000));
    assert.equal((await pending.response).text, '51000');
    assert.equal(await getStatus(server.url, 'grow'), 51_000);
  });

  test('a body is fsynced in the background every 8 MiB and once after all its writes, before its answer', async (t) => {
    const server = await start({ syncInterval: 0 });
    const probe = await open(import.meta.filename);
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const events: string[] = [];
    let running = 0;
    let overlapped = false;
    const { writev, datasync } = proto;
    t.mock.method(proto, 'writev', function (this: FileHandle, ...args: Parameters<FileHandle['writev']>) {
      events.push('write');
      return writev.apply(this, args);
    });
    t.mock.method(proto, 'datasync', async function (this: FileHandle) {
      overlapped ||= running++ > 0;
      await datasync.call(this);
      running--;
      events.push('fsynced');
    });

    const reply = await send(server.url, 'sync', 0, randomData(20 * 1024 * 1024), 32 * 1024 * 1024);
    events.push('answer');
    assert.equal(reply.status, 200);
    const fsyncs = events.filter((e) => e === 'fsynced').length;
    // 20 MiB: at least two background fsyncs (at 8 and 16 MiB written), then the closing one.
    assert.ok(fsyncs >= 3, `fsynced ${fsyncs} times`);
    assert.ok(events.indexOf('fsynced') < events.lastIndexOf('write'), 'an fsync ran while the body arrived');
    assert.deepEqual(events.slice(-2), ['fsynced', 'answer']);
    assert.ok(events.lastIndexOf('write') < events.length - 2, 'the last fsync came after the last write');
    assert.equal(overlapped, false, 'never two fsyncs at once');

    events.length = 0;
    const cut = openUpload(server.url, 'sync', 20 * 1024 * 1024, 1024 * 1024, 32 * 1024 * 1024);
    cut.response.catch(() => undefined);
    cut.req.write(randomData(1000));
    await untilOnDisk(join(server.dir, 'partial', keyOf('sync')), 20 * 1024 * 1024 + 1000);
    cut.req.destroy();
    await waitFor('the cut bytes to be committed', async () =>
      (await getStatus(server.url, 'sync')) > 20 * 1024 * 1024 ? true : undefined,
    );
    // A cut body is fsynced too: what arrived before the cut is durable.
    assert.deepEqual(events, ['write', 'fsynced']);
  });

  test('status asked while a cut body gets its closing fsync waits for it: it answers where the upload is', async (t) => {
    const server = await start({ syncInterval: 0 });
    const partial = join(server.dir, 'partial', keyOf('settle'));
    const probe = await open(import.meta.filename);
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let fsyncing!: () => void;
    const started = new Promise<void>((resolve) => (fsyncing = resolve));
    const { datasync } = proto;
    t.mock.method(proto, 'datasync', async function (this: FileHandle) {
      fsyncing();
      await held;
      return datasync.call(this);
    });

    const cut = openUpload(server.url, 'settle', 0, 1_000_000, 1_000_000);
    cut.response.catch(() => undefined);
    cut.req.write(randomData(5000));
    await untilOnDisk(partial, 5000);
    cut.req.destroy();
    await started;
    let answered: number | undefined;
    const asked = getStatus(server.url, 'settle').then((n) => (answered = n));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(answered, undefined, 'no answer before the cut bytes are durable');
    release();
    assert.equal(await asked, 5000);
  });

  test('status asked while a cut body waits behind a busy disk waits for it, though no byte came lately', async (t) => {
    // The store holds the body while its writes are slow (the request is paused, bytes wait unread): no
    // data event for a while, yet the body is not a dead connection, and its bytes are about to be kept.
    const server = await start({ syncInterval: 0 });
    const probe = await open(import.meta.filename);
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let writing!: () => void;
    const started = new Promise<void>((resolve) => (writing = resolve));
    const { writev } = proto;
    t.mock.method(
      proto,
      'writev',
      async function (this: FileHandle, ...args: Parameters<FileHandle['writev']>) {
        writing();
        await held;
        return writev.apply(this, args);
      },
    );

    const data = randomData(2 * 1024 * 1024);
    const cut = openUpload(server.url, 'busy-disk', 0, 4 * 1024 * 1024, 4 * 1024 * 1024);
    cut.response.catch(() => undefined);
    cut.req.write(data);
    await started;
    await new Promise((resolve) => setTimeout(resolve, 200)); // longer than "bytes came lately"
    cut.req.destroy();
    let answered: number | undefined;
    const asked = getStatus(server.url, 'busy-disk').then((n) => (answered = n));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const early = answered;
    release();
    assert.equal(early, undefined, 'no answer while the cut body still waits to be written');
    const offset = await asked;
    assert.ok(offset > 0, `status answered ${offset}, not the checkpoint before the cut body`);
    assert.equal(offset, await sizeOnDisk(join(server.dir, 'partial', keyOf('busy-disk'))));
  });

  test('a body cut mid-way keeps the bytes that arrived, and the upload resumes from there', async () => {
    const server = await start();
    const partial = join(server.dir, 'partial', keyOf('cut'));
    const data = randomData(200_000);

    const cut = openUpload(server.url, 'cut', 0, data.length, data.length);
    cut.response.catch(() => undefined); // the client side sees its own abort
    cut.req.write(data.subarray(0, 70_000));
    await untilOnDisk(partial, 70_000);
    cut.req.destroy();

    const offset = await waitFor('status after the cut', async () => {
      const n = await getStatus(server.url, 'cut');
      return n > 0 ? n : undefined;
    });
    assert.equal(offset, 70_000);
    assert.equal(await sizeOnDisk(partial), offset);

    const rest = await send(server.url, 'cut', offset, data.subarray(offset), data.length);
    assert.deepEqual([rest.status, rest.text], [200, String(data.length)]);
    assert.equal(sha256(await readFile(join(server.dir, 'complete', keyOf('cut')))), sha256(data));
  });

  test('a body cut before the server began reading it keeps the bytes that arrived', async () => {
    // The route reads the body only after authorize; the client is gone by then (a small final chunk
    // cut at its last byte), and Node drops an unread body when its client goes away.
    let arrived!: () => void;
    const bodyArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = await start({
      authorize: async (req) => {
        if (req.method !== 'POST') return 'anonymous';
        await waitFor('the body in the request buffer', async () => req.readableLength >= 9_999 || undefined);
        arrived();
        await new Promise((resolve) => req.once('close', resolve));
        return 'anonymous';
      },
    });
    const cut = openUpload(server.url, 'early-cut', 0, 10_000, 10_000);
    cut.response.catch(() => undefined);
    cut.req.on('error', () => undefined);
    cut.req.write(randomData(9_999));
    await bodyArrived;
    cut.req.destroy();
    const offset = await waitFor('status after the cut', async () => {
      const n = await getStatus(server.url, 'early-cut');
      return n > 0 ? n : undefined;
    });
    assert.equal(offset, 9_999);
  });

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
