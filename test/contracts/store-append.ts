// The UploadStore contract, append section: bytes kept, bytes dropped, and what the hooks report meanwhile.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { randomData, waitFor } from '../server/helpers.js';
import { bodyOf, created, digestOf, feed, withHooks } from './store-support.js';
import type { Setup } from './store-support.js';

export function appendContract(setup: Setup): void {
  describe('append', () => {
    test('a body appended at 0 is stored byte for byte', async (t) => {
      const { store, read } = await setup(t);
      const data = randomData(200 * 1024 + 17);
      const key = await created(store, data.length, data);
      assert.equal(await store.offset(key), data.length);
      assert.deepEqual(await store.inspect(key).then((s) => s.offset), data.length);
      await store.complete(key);
      assert.ok((await read(key)).equals(data));
    });

    test('consecutive appends continue where the last one ended', async (t) => {
      const { store, read } = await setup(t);
      const parts = [randomData(5000), randomData(1), randomData(70_000)];
      const whole = Buffer.concat(parts);
      const key = await created(store, whole.length);
      let start = 0;
      for (const part of parts) {
        const result = await store.append(key, bodyOf(part, 4096), {
          start,
          limit: whole.length - start,
          idleTimeout: 5000,
        });
        assert.deepEqual(result, { end: 'end', written: part.length });
        start += part.length;
        assert.equal(await store.offset(key), start);
      }
      await store.complete(key);
      assert.ok((await read(key)).equals(whole));
    });

    test('an empty body ends at once and writes nothing', async (t) => {
      const { store } = await setup(t);
      const key = await created(store, 10, randomData(4));
      const result = await store.append(key, bodyOf(Buffer.alloc(0)), {
        start: 4,
        limit: 6,
        idleTimeout: 5000,
      });
      assert.deepEqual(result, { end: 'end', written: 0 });
      assert.equal(await store.offset(key), 4);
    });

    test('a body cut mid-way keeps every byte that arrived', async (t) => {
      const { store, read } = await setup(t);
      const first = randomData(1000);
      const key = await created(store, 10_000, first);
      const sent = [randomData(3000), randomData(2500)];
      const body = feed(store, key, { start: 1000, limit: 9000, idleTimeout: 5000 });
      for (const chunk of sent) await body.send(chunk);
      body.body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      const { end, written } = await body.result;
      assert.equal(end, 'aborted');
      assert.equal(written, 5500);
      assert.equal(await store.offset(key), 6500);
      const rest = randomData(3500);
      await store.append(key, bodyOf(rest), { start: 6500, limit: 3500, idleTimeout: 5000 });
      await store.complete(key);
      assert.ok((await read(key)).equals(Buffer.concat([first, ...sent, rest])));
    });

    test('a body that goes quiet for idleTimeout ends stalled, keeps what arrived and is destroyed', async (t) => {
      const { store } = await setup(t);
      const key = await created(store, 10_000);
      const body = feed(store, key, { start: 0, limit: 10_000, idleTimeout: 80 });
      await body.send(randomData(1234));
      const started = performance.now();
      assert.deepEqual(await body.result, { end: 'stalled', written: 1234 });
      assert.ok(performance.now() - started >= 60, 'stalled before idleTimeout passed');
      assert.ok(body.body.destroyed, 'the stalled body was left open');
      assert.equal(await store.offset(key), 1234);
    });

    test('a body exactly at its limit ends normally', async (t) => {
      const { store } = await setup(t);
      const key = await created(store, 3000, randomData(1000));
      const result = await store.append(key, bodyOf(randomData(2000)), {
        start: 1000,
        limit: 2000,
        idleTimeout: 5000,
      });
      assert.deepEqual(result, { end: 'end', written: 2000 });
    });

    test('a body past its limit overflows and keeps nothing of itself when nothing was checkpointed', async (t) => {
      const { store, read } = await setup(t);
      const first = randomData(1000);
      const key = await created(store, 3000, first);
      const { heard, options } = withHooks({ start: 1000, limit: 2000, idleTimeout: 5000 });
      const result = await store.append(key, bodyOf(randomData(2001), 512), options);
      assert.equal(result.end, 'overflow');
      const checkpoint = heard.durable.at(-1) ?? 1000;
      assert.equal(result.written, checkpoint - 1000, 'kept bytes past the last checkpoint');
      assert.equal(await store.offset(key), checkpoint);
      const rest = randomData(3000 - checkpoint);
      await store.append(key, bodyOf(rest), { start: checkpoint, limit: rest.length, idleTimeout: 5000 });
      await store.complete(key);
      const stored = await read(key);
      assert.ok(stored.subarray(0, 1000).equals(first));
      assert.ok(stored.subarray(checkpoint).equals(rest));
    });

    test('an overflow after a checkpoint keeps exactly the checkpointed bytes', async (t) => {
      const { store } = await setup(t);
      const key = await created(store, 100_000);
      const body = feed(store, key, { start: 0, limit: 60_000, idleTimeout: 5000, syncInterval: 10 });
      await body.send(randomData(50_000));
      // A store may checkpoint on its own terms; wait a while for one, then overflow either way.
      await waitFor('a checkpoint', async () => (body.heard.durable.length ? true : undefined), 1000).catch(
        () => undefined,
      );
      const checkpoint = body.heard.durable.at(-1) ?? 0;
      body.body.end(randomData(20_000));
      const result = await body.result;
      assert.equal(result.end, 'overflow');
      assert.equal(result.written, checkpoint);
      assert.equal(await store.offset(key), checkpoint);
    });

    test('a body with a matching digest is kept whole', async (t) => {
      const { store, read } = await setup(t);
      const first = randomData(100);
      const key = await created(store, 40_100, first);
      const data = randomData(40_000);
      const result = await store.append(key, bodyOf(data, 1000), {
        start: 100,
        limit: 40_000,
        idleTimeout: 5000,
        digest: digestOf(data),
      });
      assert.deepEqual(result, { end: 'end', written: 40_000 });
      await store.complete(key);
      assert.ok((await read(key)).equals(Buffer.concat([first, data])));
    });

    test('a body whose digest does not match keeps nothing and ends mismatch', async (t) => {
      const { store } = await setup(t);
      const key = await created(store, 40_100, randomData(100));
      const data = randomData(40_000);
      const result = await store.append(key, bodyOf(data, 1000), {
        start: 100,
        limit: 40_000,
        idleTimeout: 5000,
        syncInterval: 1,
        digest: digestOf(randomData(10)),
      });
      assert.deepEqual(result, { end: 'mismatch', written: 0 });
      assert.equal(await store.offset(key), 100);
    });

    test('a cut body with a digest keeps nothing: it cannot be verified', async (t) => {
      const { store } = await setup(t);
      const key = await created(store, 40_100, randomData(100));
      const data = randomData(40_000);
      const body = feed(store, key, {
        start: 100,
        limit: 40_000,
        idleTimeout: 5000,
        syncInterval: 1,
        digest: digestOf(data),
      });
      await body.send(data.subarray(0, 30_000));
      body.body.destroy();
      assert.deepEqual(await body.result, { end: 'aborted', written: 0 });
      assert.equal(await store.offset(key), 100);
    });

    test('hooks: activity as bytes arrive, durable offsets rising and never past what arrived, ended once', async (t) => {
      const { store } = await setup(t);
      const key = await created(store, 1_000_000, randomData(10));
      const body = new PassThrough();
      let arrived = 10;
      const { heard, options } = withHooks({
        start: 10,
        limit: 999_990,
        idleTimeout: 5000,
        syncInterval: 5,
      });
      const durableAt: Array<[number, number]> = [];
      const result = store.append(key, body, {
        ...options,
        onDurable: (offset) => {
          durableAt.push([offset, arrived]);
          options.onDurable!(offset);
        },
      });
      for (let i = 0; i < 20; i++) {
        const chunk = randomData(10_000);
        const before = heard.activity;
        arrived += chunk.length;
        body.write(chunk);
        await waitFor('activity', async () => (heard.activity > before ? true : undefined));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      assert.equal(heard.ended, 0, 'onEnded before the body ended');
      body.end();
      const { end, written } = await result;
      assert.equal(end, 'end');
      assert.equal(written, 200_000);
      assert.ok(heard.activity >= 20);
      assert.equal(heard.ended, 1);
      assert.deepEqual(heard.afterEnd, [], 'hooks fired after onEnded');
      for (const [offset, upTo] of durableAt) {
        assert.ok(offset > 10 && offset <= upTo, `onDurable(${offset}) with only ${upTo} arrived`);
      }
      assert.deepEqual(
        heard.durable,
        [...heard.durable].sort((a, b) => a - b),
        'onDurable went backwards',
      );
      assert.ok((heard.durable.at(-1) ?? 0) <= 10 + written);
    });

    test('onEnded fires once for a cut body too, before append resolves', async (t) => {
      const { store } = await setup(t);
      const key = await created(store, 1000);
      const body = feed(store, key, { start: 0, limit: 1000, idleTimeout: 5000 });
      await body.send(randomData(10));
      body.body.destroy();
      assert.equal(await body.result.then(() => body.heard.ended), 1);
      assert.deepEqual(body.heard.afterEnd, []);
    });

    test('every offset reported durable while a long body runs is one a restarted store already reads', async (t) => {
      const fixture = await setup(t);
      const size = 24 * 1024 * 1024;
      const key = await created(fixture.store, size);
      const other = await fixture.reopen();
      await other.init();
      const { heard, options } = withHooks({ start: 0, limit: size, idleTimeout: 10_000, syncInterval: 5 });
      const checks: Array<Promise<void>> = [];
      const body = new PassThrough();
      const result = fixture.store.append(key, body, {
        ...options,
        onDurable: (offset) => {
          options.onDurable!(offset);
          // Stores that send parts at once (S3) must not report one whose predecessors have not returned.
          checks.push(
            other.offset(key).then((seen) => assert.ok(seen >= offset, `reported ${offset}, stored ${seen}`)),
          );
        },
      });
      for (let i = 0; i < 24; i++) {
        if (!body.write(randomData(1024 * 1024))) await once(body, 'drain');
      }
      body.end();
      assert.deepEqual(await result, { end: 'end', written: size });
      await Promise.all(checks);
      assert.ok(heard.durable.length > 0, 'no checkpoint during 24 MiB');
      assert.equal(await other.offset(key), size);
    });

    test('what append resolved with is durable: a restarted store has it', async (t) => {
      const fixture = await setup(t);
      const key = await created(fixture.store, 100_000);
      const body = feed(fixture.store, key, { start: 0, limit: 100_000, idleTimeout: 5000 });
      await body.send(randomData(64_000));
      body.body.destroy();
      const { written } = await body.result;
      assert.equal(written, 64_000);
      assert.equal(await (await fixture.reopen()).offset(key), 64_000);
    });
  });
}
