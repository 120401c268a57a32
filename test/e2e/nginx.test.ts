// Scenario 9: real nginx between the browser and the server, as deployed. With request buffering and a
// 1 MiB body limit the engine must shrink its chunks until they pass; without buffering, a cut body
// reaches the server in part and is resumed from there.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KiB, MiB } from './support/files.js';
import { startNginx } from './support/nginx.js';
import { assertStored, assertWire, describeRun, startRig, upload, type Rig } from './support/rig.js';

describe('behind nginx with request buffering and client_max_body_size 1m', () => {
  let rig: Rig;
  before(
    async () =>
      (rig = await startRig({
        front: (upstreamPort, tmp) =>
          startNginx(`${tmp}/nginx`, { upstreamPort, maxBody: '1m', requestBuffering: true }),
      })),
  );
  after(() => rig?.close());

  test('its 413s shrink the chunk until it passes, and the upload completes', async (t) => {
    const file = await rig.file(8 * MiB + 1234);
    const chunk = 4 * MiB;
    const run = await upload(rig, file, { chunkSize: chunk, retryDelays: [0, 100, 300, 500, 1000] });
    t.diagnostic(describeRun(file, run));
    await assertStored(rig, file, run);
    const refused = run.posts.filter((p) => p.status !== 200).length;
    // 4 MiB -> 2 MiB -> 1 MiB: two refusals, each costing at most the chunk it carried.
    assert.ok(refused >= 2, `${refused} refused requests`);
    assertWire(run, file, chunk, 2);
    const passed = run.posts.filter((p) => p.status === 200);
    assert.ok(
      passed.every((p) => p.contentLength <= MiB),
      'only bodies within the limit got through',
    );
  });
});

describe('behind nginx with proxy_request_buffering off', () => {
  let rig: Rig;
  before(
    async () =>
      (rig = await startRig({
        front: (upstreamPort, tmp) =>
          startNginx(`${tmp}/nginx`, { upstreamPort, maxBody: '0', requestBuffering: false }),
      })),
  );
  after(() => rig?.close());

  test('a body cut on its way is streamed to the server in part and resumed from there', async (t) => {
    const file = await rig.file(8 * MiB + 4321);
    const chunk = 2 * MiB;
    void rig.proxy.inject({ kind: 'cut', at: chunk + MiB + 7 });
    const run = await upload(rig, file, { chunkSize: chunk, retryDelays: [0, 100, 300, 500, 1000] });
    t.diagnostic(describeRun(file, run));
    assert.equal(rig.proxy.pendingFaults, 0, 'the cut happened');
    await assertStored(rig, file, run);
    assertWire(run, file, chunk, 1, 16 * KiB); // client_body_buffer_size in nginx.conf.template
    assert.ok(
      run.posts.some((p) => p.status === 200 && (p.start ?? 0) > chunk && (p.start ?? 0) < 2 * chunk),
      'the upload went on from inside the cut chunk: nginx streamed its first part through',
    );
  });
});
