// The running SHA-256 of an upload (src/server/running-digest.ts), alone: it answers only for exactly the
// bytes it saw kept, in order, of the same generation of the upload, and its memory is bounded.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { RunningDigests } from '../../src/server/running-digest.js';
import type { RunningTap } from '../../src/server/running-digest.js';
import { randomData } from './helpers.js';

const GEN = '2026-11-30T15:00:00.000Z';
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();

/** Feeds `data` in two chunks, then says `kept` bytes of it were stored. */
function append(tap: RunningTap | undefined, data: Buffer, kept = data.length): void {
  assert.ok(tap, 'a tap');
  tap.feed(data.subarray(0, data.length >> 1));
  tap.feed(data.subarray(data.length >> 1));
  tap.settle(kept);
}

describe('RunningDigests', () => {
  const [a, b, c] = [randomData(1000), randomData(2000), randomData(3000)];

  test('appends kept whole advance it: it answers the SHA-256 of all of them, once', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    append(running.open('k', GEN, 1000, false), b);
    assert.deepEqual(running.take('k', GEN, 3000), sha(a, b));
    assert.equal(running.take('k', GEN, 3000), undefined, 'taken once: completion drops it');
    assert.equal(running.size, 0);
  });

  test('it starts only at 0 and only for an upload that will be checked', () => {
    const running = new RunningDigests();
    assert.equal(running.open('k', GEN, 0, false), undefined);
    assert.equal(running.open('k', GEN, 1000, true), undefined);
    assert.equal(running.size, 0);
  });

  test('an append that kept nothing (a digest mismatch, a cut body with a digest) leaves it as it was', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    append(running.open('k', GEN, 1000, true), c, 0);
    append(running.open('k', GEN, 1000, true), b);
    assert.deepEqual(running.take('k', GEN, 3000), sha(a, b));
  });

  test('an append that kept part of what it fed (an overflow after a checkpoint), or failed, drops it', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    append(running.open('k', GEN, 1000, true), b, 1500);
    assert.equal(running.size, 0);
    assert.equal(running.open('k', GEN, 2500, true), undefined, 'and never comes back mid-upload');
    const failed = running.open('j', GEN, 0, true)!;
    failed.feed(a);
    failed.settle(undefined);
    assert.equal(running.take('j', GEN, 1000), undefined);
  });

  test('behind the stored offset (bytes it did not see), it is dropped', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    assert.equal(running.open('k', GEN, 3000, true), undefined);
    assert.equal(running.take('k', GEN, 3000), undefined);
  });

  test('another generation on the same key (removed and re-created) starts over, never reuses it', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    const later = '2026-11-30T15:00:00.001Z';
    assert.equal(running.open('k', later, 1000, true), undefined, 'the old bytes are not this upload');
    append(running.open('k', later, 0, true), b);
    assert.equal(running.take('k', GEN, 2000), undefined);
    append(running.open('k', later, 0, true), b);
    assert.deepEqual(running.take('k', later, 2000), sha(b));
  });

  test('it answers only for exactly the size', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    assert.equal(running.take('k', GEN, 1001), undefined);
  });

  test('two appends feeding it at once (a takeover): dropped, neither can advance it', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    const first = running.open('k', GEN, 1000, true)!;
    assert.equal(running.open('k', GEN, 1000, true), undefined);
    append(first, b);
    assert.equal(running.take('k', GEN, 3000), undefined);
  });

  test('a failed append never touches the kept state: its bytes went to a copy', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    const tap = running.open('k', GEN, 1000, true)!;
    tap.feed(c);
    tap.settle(0);
    assert.deepEqual(running.take('k', GEN, 1000), sha(a));
  });

  test('forget drops it (removed, expired)', () => {
    const running = new RunningDigests();
    append(running.open('k', GEN, 0, true), a);
    running.forget('k');
    assert.equal(running.take('k', GEN, 1000), undefined);
  });

  test('bounded: past the limit, the least recently fed upload goes first', () => {
    const running = new RunningDigests(3);
    for (const key of ['k1', 'k2', 'k3']) append(running.open(key, GEN, 0, true), a);
    append(running.open('k1', GEN, 1000, true), b);
    append(running.open('k4', GEN, 0, true), a);
    assert.equal(running.size, 3);
    assert.equal(running.take('k2', GEN, 1000), undefined, 'k2 was fed least recently');
    assert.deepEqual(running.take('k1', GEN, 3000), sha(a, b));
    assert.deepEqual(running.take('k3', GEN, 1000), sha(a));
    assert.deepEqual(running.take('k4', GEN, 1000), sha(a));
  });

  test('10,000 uploads by default: memory stays flat however many come', () => {
    const running = new RunningDigests();
    for (let i = 0; i < 10_050; i++) append(running.open(`k${i}`, GEN, 0, true), a.subarray(0, 10));
    assert.equal(running.size, 10_000);
    assert.equal(running.take('k49', GEN, 10), undefined);
    assert.deepEqual(running.take('k50', GEN, 10), sha(a.subarray(0, 10)));
  });
});
