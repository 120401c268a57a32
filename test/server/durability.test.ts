// What the server acknowledges is durable: checkpoints and fsyncs while a body arrives, status answering
// the fsynced offset, and a cut body keeping the bytes that came.
import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getStatus, keyOf, randomData, send, sha256, start, waitFor } from './helpers.js';
import { openUpload, sizeOnDisk, untilOnDisk } from './support-durability.js';

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
});
