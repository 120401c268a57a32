// Scenario 7: the same file picked in two tabs at once. Both must finish, and the server must hold
// one intact copy. With Web Locks one tab uploads and the other shows its progress ("Uploading in
// another tab"), sends nothing, and takes over when the uploading tab closes.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { firstRow, openPage, pick, settle } from './support/browser.js';
import { MiB } from './support/files.js';
import { assertStored, assertWire, startRig, type Rig } from './support/rig.js';

const CHUNK = 2 * MiB;
const options = { chunkSize: CHUNK, retryDelays: [0, 100, 300, 500, 1000] };

/** Polls the page's first row until `ok` holds (playwright's waitForFunction can't take a closure over ours). */
async function rowUntil(page: Page, ok: (row: Awaited<ReturnType<typeof firstRow>>) => boolean) {
  for (let i = 0; i < 600; i++) {
    const row = await firstRow(page);
    if (ok(row)) return row!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the row never got there: ${JSON.stringify(await firstRow(page))}`);
}

describe('the same file in two tabs', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  after(() => rig?.close());
  afterEach(() => rig.proxy.throttle(null));

  test('both tabs finish, the file crosses the wire once, and one tab says another uploads it', async (t) => {
    const file = await rig.file(16 * MiB + 3);
    const context = await rig.browser.newContext();
    try {
      const tabs = await Promise.all([0, 1].map(() => openPage(context, rig.proxy.url, 'element', options)));
      const first = rig.proxy.requests.length;
      const t0 = performance.now();
      rig.proxy.throttle({ bytesPerSecond: 8 * MiB });
      await Promise.all(tabs.map((page) => pick(page, 'element', file.path)));
      // Progress is drawn at the throttle's pace (PROGRESS_RENDER_MS): a row's text may lag its item by a
      // render, so wait for the follower's text as a user would see it.
      const shown = (r: Awaited<ReturnType<typeof firstRow>>) =>
        (r?.bytes ?? 0) > 0 && (!r?.elsewhere || r.status === 'Uploading in another tab');
      const rows = await Promise.all(tabs.map((page) => rowUntil(page, shown)));
      const followers = rows.filter((r) => r.elsewhere);
      assert.equal(followers.length, 1, `one tab follows the other: ${JSON.stringify(rows)}`);
      assert.equal(followers[0].status, 'Uploading in another tab');
      const runs = await Promise.all(tabs.map((page) => settle(page, 90_000)));
      const posts = rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= first);
      const wire = posts.reduce((n, r) => n + r.received, 0);
      const conflicts = posts.filter((p) => p.status === 409).length;
      t.diagnostic(
        `${Math.round(performance.now() - t0)} ms; wire ${wire} B (+${wire - file.size}); ` +
          `${posts.length} POSTs, ${conflicts} answered 409`,
      );
      for (const run of runs) await assertStored(rig, file, run);
      assert.equal(wire, file.size, 'the file crossed the wire exactly once');
      assert.equal(conflicts, 0, 'the tabs never raced');
      const follower = runs[rows.indexOf(followers[0])];
      assert.ok(
        follower.log.some((e) => e.type === 'upload-progress' && (e.bytesUploaded ?? 0) > 0),
        "the following tab showed the other tab's progress",
      );
    } finally {
      await context.close();
    }
  });

  test('the uploading tab closes mid-way: the other takes over and completes, at most one chunk again', async (t) => {
    const file = await rig.file(16 * MiB + 3);
    const context = await rig.browser.newContext();
    try {
      const [a, b] = await Promise.all(
        [0, 1].map(() => openPage(context, rig.proxy.url, 'element', options)),
      );
      const first = rig.proxy.requests.length;
      rig.proxy.throttle({ bytesPerSecond: 4 * MiB });
      await pick(a, 'element', file.path);
      await rowUntil(a, (r) => (r?.bytes ?? 0) >= 3 * MiB);
      await pick(b, 'element', file.path);
      const before = await rowUntil(
        b,
        (r) => !!r?.elsewhere && r.bytes >= 4 * MiB && r.status === 'Uploading in another tab',
      );
      assert.equal(before.status, 'Uploading in another tab');
      const sentBefore = rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= first).length;
      await a.close();
      rig.proxy.throttle(null);
      const run = await settle(b, 90_000);
      const posts = rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= first);
      const wire = posts.reduce((n, r) => n + r.received, 0);
      t.diagnostic(
        `closed at ${before.bytes} B shown in the other tab; ${sentBefore} POSTs before, ${posts.length} in all; ` +
          `wire ${wire} B (+${wire - file.size})`,
      );
      await assertStored(rig, file, run);
      assert.ok(!run.log.some((e) => e.type === 'upload-error'), 'no error on the way');
      assertWire({ wire, posts }, file, CHUNK, 1);
    } finally {
      await context.close();
    }
  });
});
