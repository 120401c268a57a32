// Scenario 7: the same file picked in two tabs at once, for every protocol the element speaks, against
// our server. Both must finish, and the server must hold one intact copy. With Web Locks one tab uploads
// and the other shows its progress ("Uploading in another tab"), sends nothing, and takes over when the
// uploading tab closes: with tus and IETF it goes on with the upload the first tab created, remembered in
// localStorage or, where the browser blocks storage, told by the first tab.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  PROTOCOLS,
  firstRow,
  openPage,
  pick,
  settle,
  type ClientOptions,
  type ProtocolName,
} from './support/browser.js';
import { MiB } from './support/files.js';
import { assertStored, assertWire, startRig, uploadUrlOf, type Rig } from './support/rig.js';
import { creations } from './support/scenarios.js';

const CHUNK = 2 * MiB;

/** The element's options; status-upload is its default, so it gets no attribute. */
const optionsFor = (protocol: ProtocolName): ClientOptions => ({
  chunkSize: CHUNK,
  retryDelays: [0, 100, 300, 500, 1000],
  ...(protocol !== 'status-upload' && { protocol }),
});

/** Polls the page's first row until `ok` holds (playwright's waitForFunction can't take a closure over ours). */
async function rowUntil(page: Page, ok: (row: Awaited<ReturnType<typeof firstRow>>) => boolean) {
  for (let i = 0; i < 600; i++) {
    const row = await firstRow(page);
    if (ok(row)) return row!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the row never got there: ${JSON.stringify(await firstRow(page))}`);
}

/** Where a page may keep nothing: reading localStorage throws, as Chromium's does when storage is blocked. */
const blockStorage = () =>
  Object.defineProperty(window, 'localStorage', {
    get() {
      throw new DOMException('storage is blocked', 'SecurityError');
    },
  });

/** The storage the tabs share: localStorage (the default URL memory), or none at all. */
type Memory = 'localStorage' | 'no storage';

/** The path of a tus/IETF upload URL (a Location may be absolute). */
const pathOf = (url: string) => new URL(url, 'http://x').pathname;

describe('the same file in two tabs', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  after(() => rig?.close());
  afterEach(() => rig.proxy.throttle(null));

  /** The requests since `first`, their appends and bytes, and (tus, IETF) the upload URL they worked on. */
  function since(first: number) {
    const requests = rig.proxy.requests.slice(first);
    const posts = rig.proxy.uploads().filter((r) => requests.includes(r));
    const wire = posts.reduce((n, r) => n + r.received, 0);
    return { requests, posts, wire, uploadUrl: uploadUrlOf(requests) };
  }

  for (const protocol of PROTOCOLS) {
    test(`${protocol}: both tabs finish, the file crosses the wire once, and one tab says another uploads it`, async (t) => {
      const file = await rig.file(16 * MiB + 3);
      const context = await rig.browser.newContext();
      try {
        const options = optionsFor(protocol);
        const tabs = await Promise.all(
          [0, 1].map(() => openPage(context, rig.proxy.url, 'element', options)),
        );
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
        const { requests, posts, wire, uploadUrl } = since(first);
        const conflicts = posts.filter((p) => p.status === 409).length;
        t.diagnostic(
          `${Math.round(performance.now() - t0)} ms; wire ${wire} B (+${wire - file.size}); ` +
            `${posts.length} appends, ${conflicts} answered 409`,
        );
        for (const run of runs) await assertStored(rig, file, { ...run, uploadUrl });
        assert.equal(wire, file.size, 'the file crossed the wire exactly once');
        assert.equal(conflicts, 0, 'the tabs never raced');
        if (protocol !== 'status-upload') assert.equal(creations(requests), 1, 'one tab created the upload');
        const follower = runs[rows.indexOf(followers[0])];
        assert.ok(
          follower.log.some((e) => e.type === 'upload-progress' && (e.bytesUploaded ?? 0) > 0),
          "the following tab showed the other tab's progress",
        );
      } finally {
        await context.close();
      }
    });

    const memories: Memory[] =
      protocol === 'status-upload' ? ['localStorage'] : ['localStorage', 'no storage'];
    for (const storage of memories)
      test(`${protocol} (${storage}): the uploading tab closes mid-way: the other takes over and completes, at most one chunk again`, async (t) => {
        const file = await rig.file(16 * MiB + 3);
        const context = await rig.browser.newContext();
        try {
          if (storage === 'no storage') await context.addInitScript(blockStorage);
          const options = optionsFor(protocol);
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
          if (storage === 'no storage')
            assert.equal(
              await b.evaluate(() => {
                try {
                  return localStorage.length;
                } catch {
                  return 'blocked';
                }
              }),
              'blocked',
              'the pages keep no upload URL',
            );
          const closedAt = rig.proxy.requests.length;
          const created = since(first).uploadUrl;
          await a.close();
          rig.proxy.throttle(null);
          const run = await settle(b, 90_000);
          const { requests, posts, wire, uploadUrl } = since(first);
          t.diagnostic(
            `closed at ${before.bytes} B shown in the other tab; ${since(closedAt).posts.length} of ` +
              `${posts.length} appends after it; wire ${wire} B (+${wire - file.size}); cut by the close: ` +
              (posts
                .filter((p) => p.received < p.contentLength)
                .map((p) => `${p.start}+${p.received} of ${p.contentLength}`)
                .join(' ') || 'none'),
          );
          await assertStored(rig, file, { ...run, uploadUrl });
          assert.ok(!run.log.some((e) => e.type === 'upload-error'), 'no error on the way');
          if (protocol !== 'status-upload') {
            assert.ok(created, 'the first tab had created the upload');
            assert.equal(creations(requests), 1, 'the tab that took over created no upload of its own');
            const after = since(closedAt).posts.map((p) => p.path);
            assert.ok(after.length > 0, 'the tab that took over sent the rest');
            assert.deepEqual(new Set(after), new Set([pathOf(created)]), 'it went on with the same upload');
          }
          assertWire({ wire, posts }, file, CHUNK, 1);
        } finally {
          await context.close();
        }
      });
  }
});
