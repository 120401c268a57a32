// Scenario 5: the browser goes offline for a few seconds mid-upload, then comes back.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { MiB } from './support/files.js';
import { assertStored, assertWire, describeRun, startRig, upload, type Rig } from './support/rig.js';

const CHUNK = 2 * MiB;

describe('the browser offline for a while', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  afterEach(() => rig.proxy.throttle(null));
  after(() => rig?.close());

  test('waits for the network instead of spending its retries, then finishes', async (t) => {
    const file = await rig.file(10 * MiB + 99);
    const offlineMs = 3000;
    // A modest link, so the tab goes offline with a request on the wire.
    rig.proxy.throttle({ bytesPerSecond: 4 * MiB });
    const run = await upload(rig, file, {
      chunkSize: CHUNK,
      // Three quick retries would all be spent within the outage if offline counted as a failure.
      retryDelays: [0, 100, 300],
      stallTimeout: 20_000,
      during: async (page, context) => {
        await page.waitForFunction((n) => window.harness.uploaded() >= n, 2 * CHUNK + MiB / 2, {
          polling: 20,
        });
        await context.setOffline(true);
        await new Promise((r) => setTimeout(r, offlineMs));
        await context.setOffline(false);
      },
    });
    t.diagnostic(describeRun(file, run));
    await assertStored(rig, file, run);
    assertWire(run, file, CHUNK, 1);
    assert.ok(
      run.log.some((e) => e.waitingForNetwork),
      'the upload said it was waiting for the network',
    );
    assert.ok(run.ms >= offlineMs, 'nothing finished while offline');
    assert.deepEqual(
      run.log.filter((e) => e.type === 'upload-retry').map((e) => e.error?.message),
      [],
      'going offline spent no retry',
    );
  });
});
