// Scenario 6: a slow link (~200 KB/s) that must not look like a stall, and a real stall that must be broken.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { KiB, MiB } from './support/files.js';
import { assertStored, assertWire, describeRun, startRig, upload, type Rig } from './support/rig.js';

const CHUNK = 512 * KiB;
const RATE = 200 * 1000;

describe('a slow link', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  afterEach(() => rig.proxy.throttle(null));
  after(() => rig?.close());

  test('a slow but moving upload is never taken for a stall; a frozen one is, and resumes', async (t) => {
    const file = await rig.file(2 * MiB + 4321);
    const stallTimeout = 2000;
    rig.proxy.throttle({ bytesPerSecond: RATE });
    // The link stops for well over the stall timeout, then carries again (and passes on the hangup).
    const frozen = rig.proxy.inject({ kind: 'freeze', at: CHUNK + 300 * KiB, ms: 3 * stallTimeout });
    let frozenAt = 0;
    void frozen.then(() => (frozenAt = performance.now()));
    const run = await upload(rig, file, {
      chunkSize: CHUNK,
      retryDelays: [0, 100, 300, 500, 1000],
      stallTimeout,
      timeout: 90_000,
    });
    t.diagnostic(describeRun(file, run));
    await assertStored(rig, file, run);
    assertWire(run, file, CHUNK, 1);
    const retries = run.log.filter((e) => e.type === 'upload-retry');
    assert.deepEqual(
      retries.map((e) => e.error?.kind),
      ['stall'],
      'exactly one retry, for the frozen request; the slow ones were left alone',
    );
    const rate = (file.size / run.ms) * 1000;
    t.diagnostic(
      `effective ${Math.round(rate / 1000)} KB/s; stall broken after ${Math.round(retries[0].t)} ms page time`,
    );
    assert.ok(frozenAt > 0, 'the link froze');
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
