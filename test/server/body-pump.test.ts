// The body pump both stores read through: its idle timeout, limit, digest and typed end, against a scripted
// sink (the stores' own behaviour is in the store contract). Fake clock for the idle timeout.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, test } from 'node:test';
import sinon from 'sinon';
import { BodyPump } from '../../src/server/stores/body.js';
import type { BodySink } from '../../src/server/stores/body.js';
import type { BodyEnd } from '../../src/server/stores/types.js';

/** A sink that stores at once, or holds what it took while `backlogged` is set. */
class ScriptedSink implements BodySink {
  taken: Buffer[] = [];
  backlogged = false;
  idle = true;
  failure: unknown = undefined;
  dropped = 0;
  take(chunk: Buffer): void {
    this.taken.push(chunk);
  }
  drop(): void {
    this.dropped++;
  }
}

/** Lets stream events (nextTick, microtasks) run; the fake clock does not move. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The pump's promise, with whether it has settled yet. */
function running(pump: BodyPump, sink: BodySink) {
  const state: { end?: BodyEnd; error?: unknown } = {};
  const done = pump.run(sink).then(
    (end) => (state.end = end),
    (error: unknown) => (state.error = error),
  );
  return { state, done };
}

describe('BodyPump', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.restore());

  test('a body held by a backlogged sink never stalls; once freed, the client has a whole idleTimeout', async () => {
    const body = new PassThrough();
    const sink = new ScriptedSink();
    const pump = new BodyPump(body, { limit: Infinity, idleTimeout: 1000 });
    const { state, done } = running(pump, sink);
    sink.backlogged = true;
    body.write(Buffer.alloc(10));
    await settle();
    assert.equal(sink.taken.length, 1);
    assert.ok(body.isPaused(), 'a backlogged sink pauses the body');
    clock.tick(2500); // quiet for 2.5 idle timeouts, all of it ours
    await settle();
    assert.deepEqual(state, {}, 'stalled while the sink held the body');
    assert.equal(body.destroyed, false);
    sink.backlogged = false;
    pump.changed();
    assert.ok(!body.isPaused(), 'a freed sink resumes the body');
    clock.tick(999);
    await settle();
    assert.deepEqual(state, {}, 'stalled before a whole idleTimeout had passed since the body was freed');
    clock.tick(1);
    await done;
    assert.equal(state.end, 'stalled');
    assert.equal(body.destroyed, true, 'a stalled body is destroyed');
  });

  test('bytes keep a body alive; a quiet one ends stalled after idleTimeout', async () => {
    const body = new PassThrough();
    const sink = new ScriptedSink();
    let activity = 0;
    const pump = new BodyPump(body, { limit: Infinity, idleTimeout: 1000, onActivity: () => activity++ });
    const { state, done } = running(pump, sink);
    for (let i = 0; i < 5; i++) {
      clock.tick(900);
      body.write(Buffer.alloc(1));
      await settle();
    }
    assert.deepEqual(state, {});
    assert.equal(activity, 5);
    clock.tick(1000);
    await done;
    assert.equal(state.end, 'stalled');
    assert.equal(Buffer.concat(sink.taken).length, 5);
  });

  test('a chunk past the limit ends the body as overflow: the sink drops what it holds and takes no more', async () => {
    const body = new PassThrough();
    const sink = new ScriptedSink();
    const { state, done } = running(new BodyPump(body, { limit: 15, idleTimeout: 1000 }), sink);
    body.write(Buffer.alloc(10));
    body.write(Buffer.alloc(6));
    body.end(Buffer.alloc(1));
    await done;
    assert.equal(state.end, 'overflow');
    assert.deepEqual(
      sink.taken.map((c) => c.length),
      [10],
    );
    assert.equal(sink.dropped, 1);
  });

  test('a body exactly at its limit ends normally', async () => {
    const body = new PassThrough();
    const sink = new ScriptedSink();
    const { state, done } = running(new BodyPump(body, { limit: 16, idleTimeout: 1000 }), sink);
    body.write(Buffer.alloc(10));
    body.end(Buffer.alloc(6));
    await done;
    assert.equal(state.end, 'end');
    assert.equal(sink.dropped, 0);
  });

  test('with a digest, an ended body whose bytes match ends "end", one that differs ends "mismatch"', async () => {
    const data = Buffer.from('the bytes the client hashed');
    const digest = { algorithm: 'sha256', value: createHash('sha256').update(data).digest() };
    for (const [sent, expected] of [
      [data, 'end'],
      [Buffer.from('the bytes the client hashes'), 'mismatch'],
    ] as const) {
      const body = new PassThrough();
      const { state, done } = running(
        new BodyPump(body, { limit: Infinity, idleTimeout: 1000, digest }),
        new ScriptedSink(),
      );
      body.write(sent.subarray(0, 5));
      body.end(sent.subarray(5));
      await done;
      assert.equal(state.end, expected);
    }
  });

  test('a cut body ends aborted, after the sink has stored what it took', async () => {
    const body = new PassThrough();
    const sink = new ScriptedSink();
    const pump = new BodyPump(body, { limit: Infinity, idleTimeout: 1000 });
    const { state, done } = running(pump, sink);
    body.write(Buffer.alloc(3));
    await settle();
    sink.idle = false; // still writing
    body.destroy();
    await settle();
    assert.deepEqual(state, {}, 'settled while the sink was still storing');
    sink.idle = true;
    pump.changed();
    await done;
    assert.equal(state.end, 'aborted');
  });

  test("a sink's failure rejects the pump once the sink is idle", async () => {
    const body = new PassThrough();
    const sink = new ScriptedSink();
    const pump = new BodyPump(body, { limit: Infinity, idleTimeout: 1000 });
    const { state, done } = running(pump, sink);
    body.write(Buffer.alloc(3));
    await settle();
    const failure = new Error('ENOSPC');
    sink.failure = failure;
    sink.idle = false;
    pump.changed();
    await settle();
    assert.deepEqual(state, {}, 'rejected while a write was still running');
    sink.idle = true;
    pump.changed();
    await done;
    assert.equal(state.error, failure);
  });

  test('a body that already ended or was destroyed settles at once', async () => {
    const ended = new PassThrough();
    ended.end();
    ended.resume();
    await settle();
    const destroyed = new PassThrough();
    destroyed.destroy();
    const options = { limit: Infinity, idleTimeout: 1000 };
    assert.equal(await new BodyPump(ended, options).run(new ScriptedSink()), 'end');
    assert.equal(await new BodyPump(destroyed, options).run(new ScriptedSink()), 'aborted');
  });

  test('a body cut before the pump began hands over what had arrived, then ends aborted', async () => {
    // A request cut while it waited for the lock: Node destroys it, its parsed bytes stay readable.
    const body = new PassThrough();
    body.write(Buffer.from('abc'));
    body.write(Buffer.from('def'));
    body.destroy();
    await settle();
    const sink = new ScriptedSink();
    const end = await new BodyPump(body, { limit: Infinity, idleTimeout: 1000 }).run(sink);
    assert.equal(end, 'aborted');
    assert.equal(Buffer.concat(sink.taken).toString(), 'abcdef');
  });
});
