// Server rendering. Every entry in package.json `exports` is imported in a plain Node process (no DOM),
// with recording accessors on globalThis: importing must not throw, and this package's own code must
// not touch `window`, `document` or `HTMLElement`; it reads `customElements` only to register the
// element into the registry shim Lit's server build installed there (Lit's SSR renders from it). Then a React page
// is rendered to a string on the server, served, hydrated in Chromium, and uploads a file intact.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { createElement, type ReactElement } from 'react';
import { renderToString } from 'react-dom/server';
import { chromium } from 'playwright-core';
import { startUploadServer, type CompletedUpload, type RunningUploadServer } from '../../src/server/index.js';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { starMatches } from './exports.js';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | Record<string, string>>;
};

/** Imports one specifier in a fresh Node process and reports what it did to the DOM globals. */
const PROBE = `
const touched = [];
for (const name of ['window', 'document', 'customElements', 'HTMLElement']) {
  let value = globalThis[name];
  const who = () => (new Error().stack.split('\\n').slice(3).find((l) => l.includes('file://')) ?? '').trim();
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() { touched.push({ name, op: 'get', by: who() }); return value; },
    set(v) { touched.push({ name, op: 'set', by: who() }); value = v; },
  });
}
const spec = process.argv[1];
let error = null;
try {
  await import(spec);
} catch (e) {
  error = String(e);
}
console.log(JSON.stringify({ error, touched }));
`;

const run = promisify(execFile);

/** The entries with code to import: types-only entries (vue, preact, solid, svelte) have none. */
const runtimeEntries = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'string' || 'default' in target || 'node' in target)
  .flatMap(([entry, target]) => (entry.includes('*') ? expand(entry, target) : [entry]))
  .map((entry) => (entry === '.' ? pkg.name : `${pkg.name}${entry.slice(1)}`));

/** A pattern entry (`./locales/*`): one entry per built file it matches (not rollup's hashed chunks). */
function expand(entry: string, target: string | Record<string, string>): string[] {
  const path = typeof target === 'string' ? target : (target.node ?? target.default);
  const names = starMatches(root, path).filter((name) => !/-[\w]{8}$/.test(name));
  return names.length ? names.map((name) => entry.replace('*', name)) : [entry];
}

before(() => {
  assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/ is missing: run `npm run build` first');
});

for (const specifier of runtimeEntries) {
  test(`import '${specifier}' in Node without a DOM: no throw, no window or document`, async () => {
    const json = specifier.endsWith('.json');
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        json ? PROBE.replace('await import(spec)', "await import(spec, { with: { type: 'json' } })") : PROBE,
        specifier,
      ],
      { cwd: root },
    );
    const { error, touched } = JSON.parse(stdout) as {
      error: string | null;
      touched: { name: string; op: string; by: string }[];
    };
    assert.equal(error, null, `importing ${specifier} threw`);
    // Lit's own server build reads `document` and `HTMLElement` to find there is no DOM, and installs its
    // registry shim as `customElements`: that is Lit's SSR support, not this package's doing.
    const fromLit = (by: string) =>
      /\/node_modules\/(?:lit-html|lit-element|lit|@lit\/reactive-element)\/node\//.test(by);
    const ours = touched.filter((t) => !fromLit(t.by));
    assert.deepEqual(
      ours.filter(
        (t) => !(t.name === 'customElements' && t.op === 'get' && t.by.includes('/dist/element/define.js')),
      ),
      [],
      `${specifier} touched DOM globals at import time`,
    );
    // The element registers only into the registry Lit installed, never into one it found or made.
    if (ours.length) {
      const shim = touched.findIndex((t) => t.name === 'customElements' && t.op === 'set' && fromLit(t.by));
      assert.ok(
        shim >= 0 && shim < touched.indexOf(ours[0]),
        'the element looked for customElements before Lit shimmed it',
      );
    }
  });
}

test('a React page rendered on the server hydrates in Chromium, and the element uploads a file intact', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ru-ssr-'));
  const completed: CompletedUpload[] = [];
  let server: RunningUploadServer | undefined;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const www = join(tmp, 'www');
    mkdirSync(www);
    // The page module imports the package at its top: this process evaluates it, as a Next.js server does.
    // (By a non-literal name: the page imports the built package, which `npm run typecheck` runs before.)
    const page = './.pages/ssr-app.js';
    const { App } = (await import(page)) as { App: () => ReactElement };
    const markup = renderToString(createElement(App));
    assert.match(
      markup,
      /^<resumable-upload upload-url="\/upload" status-url="\/status" chunk-size="262144">/,
    );
    await build({
      entryPoints: [join(root, 'test/frameworks/.pages/ssr.tsx')],
      outfile: join(www, 'ssr.js'),
      bundle: true,
      format: 'esm',
      target: 'es2022',
      tsconfig: join(root, 'tsconfig.json'),
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'error',
    });
    writeFileSync(
      join(www, 'index.html'),
      `<!doctype html><meta charset="utf-8"><title>ssr</title><div id="root">${markup}</div><script type="module" src="ssr.js"></script>`,
    );
    server = await startUploadServer({
      dir: join(tmp, 'uploads'),
      static: [www],
      onComplete: (info) => void completed.push(info),
    });

    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(err.message));
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await tab.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    await tab.goto(`${server.url}/index.html`);
    // Upgraded: the element's own file input is rendered in its shadow root.
    const input = tab.locator('resumable-upload input[type=file]');
    await input.waitFor({ state: 'attached' });
    assert.equal(
      await tab
        .locator('resumable-upload')
        .evaluate((el) => (el as HTMLElementTagNameMap['resumable-upload']).chunkSize),
      262144,
    );

    const bytes = randomBytes(3 * 262144 + 777);
    const source = join(tmp, 'ssr.bin');
    writeFileSync(source, bytes);
    await input.setInputFiles(source);
    await tab.waitForFunction(
      () =>
        ['complete', 'error'].includes(document.querySelector('resumable-upload')!.items[0]?.status ?? ''),
      null,
      { timeout: 30_000, polling: 50 },
    );
    const item = await tab.evaluate(() => {
      const { status, fileId } = document.querySelector('resumable-upload')!.items[0];
      return { status, fileId };
    });
    assert.equal(item.status, 'complete');
    const stored = completed.find((c) => c.fileId === item.fileId);
    assert.ok(stored);
    assert.equal(
      createHash('sha256').update(readFileSync(stored.path!)).digest('hex'),
      createHash('sha256').update(bytes).digest('hex'),
    );
    assert.deepEqual(
      await tab.evaluate(() => (window as unknown as { recoverable: string[] }).recoverable),
      [],
      'hydration mismatches',
    );
    assert.deepEqual(errors, [], 'errors on the page');
  } finally {
    await browser.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
