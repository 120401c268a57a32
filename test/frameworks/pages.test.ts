// <resumable-upload> inside real framework apps, in Chromium, against the real server. Each page in
// .pages/ is built by its framework's own compiler (.pages/build.ts, once for the run) and imports the
// built package by name, as an app does. The page sets the element's properties through the framework
// (`headers` and `i18n` are objects and only arrive as properties; the server refuses uploads without the
// X-Owner header), hears progress and completion through the framework's own event binding, and the
// stored file must match the source byte for byte. Then the framework removes the element mid-upload:
// its running request must be aborted and nothing left uploading, and the element the framework renders
// again uploads the file intact.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page as Tab } from 'playwright-core';
import { startUploadServer, type CompletedUpload, type RunningUploadServer } from '../../src/server/index.js';
import type { Heard } from './.pages/log.js';
import { buildPages, PAGES, type Page } from './.pages/build.js';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

const root = new URL('../../', import.meta.url).pathname;
const CHUNK_SIZE = 256 * 1024;
/** A test that waits for what never comes (a request never aborted) fails instead of hanging the run. */
const LIMIT = { timeout: 180_000 };

let tmp: string;
let server: RunningUploadServer;
let browser: Browser;
const completed: CompletedUpload[] = [];
/** Upload requests (not status requests) each owner sent, in order. */
const sent = new Map<string, IncomingMessage[]>();
/** An owner whose nth upload request the server holds unanswered, and what the test learns of it. */
let hold: {
  owner: string;
  nth: number;
  reached: (req: IncomingMessage) => void;
  release: Promise<void>;
} | null = null;

async function authorize(req: IncomingMessage): Promise<string | null> {
  const owner = (req.headers['x-owner'] as string | undefined) ?? null;
  if (!owner || !req.url?.startsWith('/upload')) return owner;
  const list = sent.get(owner) ?? [];
  list.push(req);
  sent.set(owner, list);
  if (hold?.owner === owner && list.length === hold.nth) {
    hold.reached(req);
    await hold.release;
  }
  return owner;
}

before(async () => {
  assert.ok(existsSync(join(root, 'dist/react/index.js')), 'dist/ is missing: run `npm run build` first');
  tmp = mkdtempSync(join(tmpdir(), 'ru-frameworks-'));
  const www = join(tmp, 'www');
  // Pages live under /app/, so the element's default relative URLs would miss: only the URLs the
  // framework passed reach the server.
  mkdirSync(join(www, 'app'), { recursive: true });
  const began = performance.now();
  await buildPages(www, tmp);
  console.log(`# framework pages built in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  server = await startUploadServer({
    dir: join(tmp, 'uploads'),
    static: [www],
    authorize,
    onComplete: (info) => void completed.push(info),
  });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function sourceFile(name: string): { path: string; bytes: Buffer } {
  const path = join(tmp, name);
  const bytes = randomBytes(4 * CHUNK_SIZE + 12345);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/**
 * Runs in each page before its scripts: records the framework setting any of these as an attribute on
 * the element (at its first connection, or by setAttribute outside Lit's update, where Lit reflects
 * `chunk-size` itself), so the test can tell a property from an attribute.
 */
function watchAttributes(): void {
  const watched = new Set(['chunk-size', 'chunksize', 'headers', 'i18n']);
  const seen: string[] = ((window as unknown as { attributesSet: string[] }).attributesSet = []);
  let updating = 0;
  const define = customElements.define.bind(customElements);
  customElements.define = (name, ctor, options) => {
    if (name === 'resumable-upload') {
      const proto = ctor.prototype as HTMLElement & { update(c: unknown): void; connectedCallback(): void };
      const { update, connectedCallback } = proto;
      proto.update = function (changed) {
        updating++;
        try {
          update.call(this, changed);
        } finally {
          updating--;
        }
      };
      proto.connectedCallback = function () {
        for (const a of this.getAttributeNames()) if (watched.has(a)) seen.push(a);
        connectedCallback.call(this);
      };
    }
    define(name, ctor, options);
  };
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (!updating && this.localName === 'resumable-upload' && watched.has(name.toLowerCase()))
      seen.push(name);
    setAttribute.call(this, name, value);
  };
}

async function withTab(page: Page, body: (tab: Tab) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(err.message));
    await tab.addInitScript(watchAttributes);
    await tab.goto(`${server.url}/app/${page}.html`);
    await body(tab);
    assert.deepEqual(errors, [], 'errors on the page');
  } finally {
    await context.close();
  }
}

/** The element the framework rendered has the page's values as properties, and shows its i18n text. */
async function assertProperties(tab: Tab, page: Page): Promise<void> {
  const element = tab.locator('resumable-upload');
  await element.waitFor({ state: 'attached' });
  const seen = await element.evaluate((node) => {
    const el = node as HTMLElementTagNameMap['resumable-upload'];
    return {
      chunkSize: el.chunkSize,
      headers: el.headers,
      drop: el.i18n.drop,
      attributes: (window as unknown as { attributesSet: string[] }).attributesSet,
    };
  });
  // A number stays a number and objects stay objects: set as properties, not stringified into attributes.
  assert.deepEqual(seen, {
    chunkSize: CHUNK_SIZE,
    headers: { 'X-Owner': page },
    drop: `Drop files for ${page}`,
    attributes: [],
  });
  await tab.getByText(`Drop files for ${page}`).waitFor();
}

/** Picks the file, waits for the framework's binding to hear completion, and checks the stored bytes. */
async function uploadAndCheck(tab: Tab, page: Page, file: { path: string; bytes: Buffer }): Promise<void> {
  await tab.evaluate(() => (window.heard = []));
  await tab.locator('resumable-upload input[type=file]').setInputFiles(file.path);
  await tab.waitForFunction(
    () => window.heard.some((e) => e.type === 'upload-complete' || e.type === 'upload-error'),
    null,
    { timeout: 30_000, polling: 50 },
  );
  const heard: Heard[] = await tab.evaluate(() => window.heard);
  const complete = heard.filter((e) => e.type === 'upload-complete');
  assert.equal(
    complete.length,
    1,
    `one upload-complete heard, got ${JSON.stringify(heard.map((e) => e.type))}`,
  );
  const progress = heard.filter((e) => e.type === 'upload-progress');
  assert.ok(progress.length >= 1, 'upload-progress heard through the framework');
  assert.equal(progress.at(-1)!.bytesUploaded, file.bytes.length);

  const stored = completed.find((c) => c.fileId === complete[0].fileId);
  assert.ok(stored, 'the server completed the upload the page heard about');
  assert.equal(stored.owner, page, 'the headers object reached the engine as a property');
  assert.equal(stored.size, file.bytes.length);
  assert.equal(sha256(readFileSync(stored.path!)), sha256(file.bytes));
}

for (const page of Object.keys(PAGES) as Page[]) {
  test(
    `${page}: properties and listeners set through the framework upload a file intact`,
    LIMIT,
    async () => {
      const file = sourceFile(`${page}.bin`);
      await withTab(page, async (tab) => {
        await assertProperties(tab, page);
        await uploadAndCheck(tab, page, file);
        if (page === 'react18' || page === 'react-wrapper') {
          const version = await tab.evaluate(
            () => (window as unknown as { reactVersion: string }).reactVersion,
          );
          assert.equal(version.split('.')[0], page === 'react18' ? '18' : '19', `React ${version} ran`);
        }
        const progress = (await tab.evaluate(() => window.heard)).filter((e) => e.type === 'upload-progress');
        assert.ok(progress.length >= 5, `progress heard for each of the 5 chunks, got ${progress.length}`);
      });
    },
  );

  test(
    `${page}: removed by the framework mid-upload, the element stops uploading; rendered again, it uploads intact`,
    LIMIT,
    async () => {
      const owner = `${page}`;
      const file = sourceFile(`${page}-removed.bin`);
      let release!: () => void;
      const held = new Promise<IncomingMessage>((reached) => {
        hold = {
          owner,
          nth: (sent.get(owner)?.length ?? 0) + 2,
          reached,
          release: new Promise((r) => (release = r)),
        };
      });
      try {
        await withTab(page, async (tab) => {
          await assertProperties(tab, page);
          await tab.locator('resumable-upload input[type=file]').setInputFiles(file.path);
          // The second chunk's request is on the server, unanswered: the upload is running.
          const req = await held;
          assert.equal(req.method, 'POST');
          // Settled either way, so a failed assertion below is the one reported.
          const aborted = tab
            .waitForEvent('requestfailed', {
              predicate: (r) => new URL(r.url()).pathname === '/upload',
              timeout: 5000,
            })
            .then(
              (r) => r.failure()?.errorText,
              (err: Error) => `not aborted: ${err.message}`,
            );
          await tab.evaluate(() => {
            (window as unknown as { removed: Element }).removed = document.querySelector('resumable-upload')!;
            window.show(false);
          });
          await tab.locator('resumable-upload').waitFor({ state: 'detached' });
          assert.deepEqual(
            await tab.evaluate(() => {
              const el = (window as unknown as { removed: HTMLElementTagNameMap['resumable-upload'] })
                .removed;
              return { connected: el.isConnected, statuses: el.items.map((i) => i.status) };
            }),
            { connected: false, statuses: ['paused'] },
            'the removed element paused its upload',
          );
          // The request the server holds is aborted by the browser: the element let go of it.
          assert.equal(await aborted, 'net::ERR_ABORTED');
          const sentBefore = sent.get(owner)!.length;
          release();

          await tab.evaluate(() => window.show(true));
          await assertProperties(tab, page);
          assert.equal(
            await tab.evaluate(
              () =>
                document.querySelector('resumable-upload') ===
                (window as unknown as { removed: Element }).removed,
            ),
            false,
            'the framework rendered a new element',
          );
          assert.equal(sent.get(owner)!.length, sentBefore, 'no request while no element was rendered');
          await uploadAndCheck(tab, page, file);
          assert.deepEqual(
            await tab.evaluate(() =>
              (window as unknown as { removed: HTMLElementTagNameMap['resumable-upload'] }).removed.items.map(
                (i) => i.status,
              ),
            ),
            ['paused'],
            'the removed element stayed paused',
          );
        });
      } finally {
        release?.();
        hold = null;
      }
    },
  );
}
