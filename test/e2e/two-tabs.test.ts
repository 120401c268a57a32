// Scenario 7: the same file picked in two tabs at once. Both must finish, and the server must hold
// one intact copy: appends of the two tabs never interleave.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPage, pick, settle } from './support/browser.js';
import { MiB } from './support/files.js';
import { assertStored, assertWire, startRig, type Rig } from './support/rig.js';

const CHUNK = 2 * MiB;

describe('the same file in two tabs', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  after(() => rig?.close());

  test('both tabs finish and the server holds one intact copy', async (t) => {
    const file = await rig.file(16 * MiB + 3);
    const context = await rig.browser.newContext();
    try {
      const options = { chunkSize: CHUNK, retryDelays: [0, 100, 300, 500, 1000] };
      const tabs = await Promise.all([0, 1].map(() => openPage(context, rig.proxy.url, 'element', options)));
      const first = rig.proxy.requests.length;
      const t0 = performance.now();
      await Promise.all(tabs.map((page) => pick(page, 'element', file.path)));
      const runs = await Promise.all(tabs.map((page) => settle(page, 90_000)));
      const posts = rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= first);
      const wire = posts.reduce((n, r) => n + r.received, 0);
      const conflicts = posts.filter((p) => p.status === 409).length;
      t.diagnostic(
        `${Math.round(performance.now() - t0)} ms; wire ${wire} B (+${wire - file.size}); ` +
          `${posts.length} POSTs, ${conflicts} answered 409`,
      );
      for (const run of runs) await assertStored(rig, file, run);
      // Each tab may lose one race per chunk; neither may send the file twice over.
      assertWire({ wire, posts }, file, CHUNK, Math.ceil(file.size / CHUNK));
      assert.equal(runs.length, 2);
    } finally {
      await context.close();
    }
  });
});
