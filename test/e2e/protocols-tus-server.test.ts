// The element in tus mode against the real @tus/server 2.4.5 with @tus/file-store 2.1.1 (npm packages no
// one here wrote), through the fault proxy, with the whole fault list of the status-upload scenarios:
// cuts at exact bytes, a lost acknowledgement, a 503 after a cut, SIGKILL and restart, offline, reload
// and pick again, and nginx with client_max_body_size 1m. Each upload ends byte-identical in the file
// @tus/file-store wrote, resumed on the one upload it created.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { MiB } from './support/files.js';
import { startNginx } from './support/nginx.js';
import { startRig, upload, type Rig } from './support/rig.js';
import { SCENARIOS, nginxBodyLimit, type ScenarioName } from './support/scenarios.js';
import { startTusServerProcess, type TusServerProcess } from './support/tus-server-process.js';

const ALL = Object.keys(SCENARIOS) as ScenarioName[];

describe('tus against @tus/server with @tus/file-store', () => {
  let browser: Browser;
  before(async () => (browser = await launchBrowser()));
  after(() => browser?.close());

  describe('direct', () => {
    let rig: Rig<TusServerProcess>;
    before(async () => (rig = await startRig({ server: (dir) => startTusServerProcess(dir), browser })));
    after(() => rig?.close());

    for (const name of ALL) test(SCENARIOS[name].title, (t) => SCENARIOS[name].run(rig, 'tus', t));

    test("the file's name and type reach @tus/file-store as Upload-Metadata", async () => {
      const file = await rig.file(MiB + 3);
      const run = await upload(rig, file, { chunkSize: 0, retryDelays: [0], protocol: 'tus' });
      assert.equal(run.outcome, 'complete');
      const record = rig.server.record(run.uploadUrl!);
      assert.equal(record.size, file.size);
      assert.equal(record.metadata?.filename, file.name);
    });
  });

  describe('behind nginx with request buffering and client_max_body_size 1m', () => {
    let rig: Rig<TusServerProcess>;
    before(
      async () =>
        (rig = await startRig({
          server: (dir) => startTusServerProcess(dir),
          front: (upstreamPort, tmp) =>
            startNginx(`${tmp}/nginx`, { upstreamPort, maxBody: '1m', requestBuffering: true }),
          browser,
        })),
    );
    after(() => rig?.close());

    test("nginx's 413s shrink the appends until they pass, and the upload completes", (t) =>
      nginxBodyLimit(rig, 'tus', t));
  });
});
