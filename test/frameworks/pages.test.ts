// <resumable-upload> inside real framework apps, in Chromium, against the real server. Each page in
// .pages/ imports the built package by name, as an app does, and esbuild bundles it with the package's
// own `exports` and `sideEffects`. The page sets the element's properties through the framework (a
// `headers` object only arrives as a property, and the server refuses uploads without its X-Owner),
// hears progress and completion through the framework's own event binding, and the stored file must
// match the source byte for byte.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { startUploadServer, type CompletedUpload, type RunningUploadServer } from '../../src/server/index.js';
import type { Heard } from './.pages/log.js';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

const root = new URL('../../', import.meta.url).pathname;
const PAGES = ['react19', 'react-wrapper', 'vue'] as const;
const CHUNK_SIZE = 256 * 1024;

let tmp: string;
let server: RunningUploadServer;
let browser: Browser;
const completed: CompletedUpload[] = [];

before(async () => {
  assert.ok(existsSync(join(root, 'dist/react/index.js')), 'dist/ is missing: run `npm run build` first');
  tmp = mkdtempSync(join(tmpdir(), 'ru-frameworks-'));
  const www = join(tmp, 'www');
  // Pages live under /app/, so the element's default relative URLs would miss: only the URLs the
  // framework passed reach the server.
  mkdirSync(join(www, 'app'), { recursive: true });
  await build({
    entryPoints: PAGES.map((p) => join(root, 'test/frameworks/.pages', p === 'vue' ? 'vue.ts' : `${p}.tsx`)),
    outdir: join(www, 'app'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    tsconfig: join(root, 'tsconfig.json'),
    // The full build of Vue compiles the page's template in the browser.
    alias: { vue: 'vue/dist/vue.esm-bundler.js' },
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    logLevel: 'error',
  });
  for (const page of PAGES)
    writeFileSync(
      join(www, 'app', `${page}.html`),
      `<!doctype html><meta charset="utf-8"><title>${page}</title><div id="root"></div><script type="module" src="${page}.js"></script>`,
    );
  server = await startUploadServer({
    dir: join(tmp, 'uploads'),
    static: [www],
    authorize: (req) => (req.headers['x-owner'] as string | undefined) ?? null,
    onComplete: (info) => void completed.push(info),
  });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

for (const page of PAGES) {
  test(`${page}: properties and listeners set through the framework upload a file intact`, async () => {
    const name = `${page}.bin`;
    const source = join(tmp, name);
    const bytes = randomBytes(4 * CHUNK_SIZE + 12345);
    writeFileSync(source, bytes);

    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (err) => errors.push(err.message));
      await tab.goto(`${server.url}/app/${page}.html`);
      const element = tab.locator('resumable-upload');
      await element.waitFor({ state: 'attached' });
      // A number stays a number: it was set as a property, not stringified into an attribute.
      assert.equal(
        await element.evaluate((el) => (el as HTMLElement & { chunkSize: unknown }).chunkSize),
        CHUNK_SIZE,
      );

      await tab.locator('resumable-upload input[type=file]').setInputFiles(source);
      await tab.waitForFunction(
        () => window.heard.some((e) => e.type === 'upload-complete' || e.type === 'upload-error'),
        null,
        { timeout: 30_000, polling: 50 },
      );
      const heard: Heard[] = await tab.evaluate(() => window.heard);
      assert.deepEqual(errors, [], 'errors on the page');

      const complete = heard.filter((e) => e.type === 'upload-complete');
      assert.equal(
        complete.length,
        1,
        `one upload-complete heard, got ${JSON.stringify(heard.map((e) => e.type))}`,
      );
      const progress = heard.filter((e) => e.type === 'upload-progress');
      assert.ok(progress.length >= 5, `progress heard for each of the 5 chunks, got ${progress.length}`);
      assert.equal(progress.at(-1)!.bytesUploaded, bytes.length);

      const stored = completed.find((c) => c.fileId === complete[0].fileId);
      assert.ok(stored, 'the server completed the upload the page heard about');
      assert.equal(stored.owner, page, 'the headers object reached the engine as a property');
      assert.equal(stored.size, bytes.length);
      assert.equal(sha256(readFileSync(stored.path!)), sha256(bytes));
    } finally {
      await context.close();
    }
  });
}
