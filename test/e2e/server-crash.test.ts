// Scenario 4: the server process dies by SIGKILL in the middle of writing a chunk and comes back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MiB } from './support/files.js';
import { assertStored, assertWire, describeRun, startRig, upload, type Rig } from './support/rig.js';
import { eventLog } from './support/browser.js';
import { partialSize, startServerProcess, type ServerProcess } from './support/server.js';

const CHUNK = 4 * MiB;

describe('a server killed mid-upload', () => {
  let rig: Rig<ServerProcess>;
  before(async () => (rig = await startRig({ server: (dir) => startServerProcess(dir) })));
  after(() => rig?.close());

  test('resumes from what reached the disk once the server is back on the same port', async (t) => {
    const file = await rig.file(12 * MiB + 777);
    const at = CHUNK + 3 * MiB + 5;
    let killedAt = 0;
    // The proxy stops mid-chunk; once the server has written what it got (not yet fsynced), it dies.
    const frozen = rig.proxy.inject({ kind: 'freeze', at });
    const run = await upload(rig, file, {
      chunkSize: CHUNK,
      retryDelays: [0, 250, 500, 1000, 2000, 3000, 5000],
      during: async (page) => {
        await frozen;
        const fileId = (await eventLog(page))[0].fileId!;
        const deadline = performance.now() + 5000;
        while ((await partialSize(rig.server.dir, fileId)) < at && performance.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        await rig.server.kill();
        killedAt = performance.now();
        await new Promise((r) => setTimeout(r, 500));
        await rig.server.restart();
        t.diagnostic(`server down for ${Math.round(performance.now() - killedAt)} ms`);
      },
    });
    t.diagnostic(describeRun(file, run));
    assert.ok(killedAt > 0, 'the server was killed');
    await assertStored(rig, file, run);
    assertWire(run, file, CHUNK, 1);
    const resumed = run.posts.find((p) => p.status === 200 && (p.start ?? 0) >= CHUNK);
    assert.equal(resumed?.start, at, 'the restarted server kept every byte it had written before the kill');
  });
});
