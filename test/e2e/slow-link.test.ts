// Scenario 6: a slow link (~200 KB/s) that must not look like a stall, and a real stall that must be broken.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { KiB, MiB } from './support/files.js';
import { assertStored, assertWire, describeRun, startRig, upload, type Rig } from './support/rig.js';

const CHUNK = 256 * KiB;
const RATE = 200 * 1000;

describe('a slow link', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  afterEach(() => rig.proxy.throttle(null));
  after(() => rig?.close());

  test('a slow but moving upload is never taken for a stall', async (t) => {
    const file = await rig.file(2 * MiB + 4321);
    rig.proxy.throttle({ bytesPerSecond: RATE });
    // A chunk takes ~5 s on this link; the stall timeout is 2 s. Bytes keep moving the whole time.
    const run = await upload(rig, file, {
      chunkSize: MiB,
      retryDelays: [0, 100, 300, 500, 1000],
      stallTimeout: 2000,
      timeout: 90_000,
    });
    t.diagnostic(describeRun(file, run));
    t.diagnostic(`effective ${Math.round(file.size / run.ms)} KB/s`);
    await assertStored(rig, file, run);
    assert.deepEqual(
      run.log.filter((e) => e.type === 'upload-retry').map((e) => e.error?.kind),
      [],
      'no retry: the link never stopped',
    );
    assert.equal(run.wire, file.size);
  });

  test('a frozen link is broken by the stall timeout and the upload resumes', async (t) => {
    const file = await rig.file(MiB + 4321);
    const stallTimeout = 3000;
    rig.proxy.throttle({ bytesPerSecond: RATE });
    // Small chunks cross this link well within the stall timeout; then the link stops mid-chunk. At the
    // first timeout the server still reports the bytes that came before the freeze (it checkpoints every
    // second), so the engine waits once more; at the second it holds nothing new and the request is cut.
    // The link comes back after that, passing on the hangup the browser made meanwhile.
    const frozen = rig.proxy.inject({ kind: 'freeze', at: CHUNK + 100 * KiB, ms: 2 * stallTimeout + 1500 });
    const run = await upload(rig, file, {
      chunkSize: CHUNK,
      retryDelays: [0, 100, 300, 500, 1000],
      stallTimeout,
      timeout: 90_000,
    });
    t.diagnostic(describeRun(file, run));
    await frozen;
    await assertStored(rig, file, run);
    assertWire(run, file, CHUNK, 1);
    assert.deepEqual(
      run.log.filter((e) => e.type === 'upload-retry').map((e) => e.error?.kind),
      ['stall'],
      'exactly one retry, for the frozen request',
    );
  });

  test('a stall whose hangup never reaches the server (a dead path) does not hold the upload hostage', async (t) => {
    const file = await rig.file(4 * MiB + 1);
    const chunk = MiB;
    // The path dies for good mid-chunk: the server keeps a request that will never send another byte.
    void rig.proxy.inject({ kind: 'freeze', at: chunk + 200 * KiB });
    const run = await upload(rig, file, {
      chunkSize: chunk,
      retryDelays: [0, 100, 300, 500, 1000],
      stallTimeout: 2000,
      timeout: 90_000,
    });
    t.diagnostic(describeRun(file, run));
    await assertStored(rig, file, run);
    assertWire(run, file, chunk, 1);
    // The resumed requests come on fresh connections; only the dead one is stuck.
    assert.ok(run.ms < 15_000, `took ${Math.round(run.ms)} ms`);
  });
});
