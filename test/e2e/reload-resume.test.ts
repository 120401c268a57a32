// Scenario 8: pause, reload the page, pick the same file again: the element resumes from the server's
// offset and sends only what the server lacks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventLog, mount, pause, pick, settle } from './support/browser.js';
import { MiB } from './support/files.js';
import { assertStored, startRig, type Rig } from './support/rig.js';

const CHUNK = 2 * MiB;

describe('pause, reload, pick again', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  after(() => rig?.close());

  test('resumes from the server offset without re-sending what it holds', async (t) => {
    const file = await rig.file(12 * MiB + 5);
    const options = { chunkSize: CHUNK, retryDelays: [0, 100, 300, 500, 1000] };
    const context = await rig.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${rig.proxy.url}/index.html`);
      await mount(page, rig.proxy.url, 'element', options);
      // Hold the third chunk mid-body, and pause there, as a user would mid-upload.
      const frozen = rig.proxy.inject({ kind: 'freeze', at: 2 * CHUNK + MiB, ms: 1000 });
      await pick(page, 'element', file.path);
      await frozen;
      await pause(page);
      const { fileId } = (await eventLog(page))[0];
      assert.ok(
        (await eventLog(page)).some((e) => e.type === 'upload-pause'),
        'the element paused',
      );

      // What the server durably holds once the paused request is over.
      await new Promise((r) => setTimeout(r, 1500));
      const res = await fetch(`${rig.server.url}/status`, { headers: { 'X-File-Id': fileId! } });
      const offset = Number(await res.text());
      assert.ok(offset >= 2 * CHUNK, `the server holds ${offset} bytes`);

      await page.reload();
      await mount(page, rig.proxy.url, 'element', options);
      const first = rig.proxy.requests.length;
      await pick(page, 'element', file.path);
      const run = await settle(page);
      const posts = rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= first);
      const wire = posts.reduce((n, r) => n + r.received, 0);
      t.diagnostic(
        `server held ${offset} of ${file.size}; after reload ${wire} B crossed (size - offset = ${file.size - offset})`,
      );
      await assertStored(rig, file, run);
      assert.equal(posts[0]?.start, offset, 'the first request after the reload starts at the server offset');
      assert.equal(wire, file.size - offset, 'nothing the server held was sent again');
    } finally {
      await context.close();
    }
  });
});
