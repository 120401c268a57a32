// Guards what users receive from npm: the bundle's size, a fresh manifest, and the packed file list.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url).pathname;
const SIZE_LIMIT = 16 * 1024;

test('the script-tag bundle, Lit included, is at most 16 KB min+gzip', () => {
  const bundle = readFileSync(join(root, 'dist/resumable-upload.js'));
  const gz = gzipSync(bundle, { level: 9 }).length;
  assert.ok(gz <= SIZE_LIMIT, `dist/resumable-upload.js is ${gz} B gzipped, over ${SIZE_LIMIT} B`);
});

/** The chunks rollup puts beside the bundle, loaded on demand. */
const chunks = () => readdirSync(join(root, 'dist')).filter((f) => /^resumable-upload-.+\.js$/.test(f));

test('the bundle is self-contained: no bare imports left for a CDN to resolve, in it or its chunks', () => {
  for (const file of ['resumable-upload.js', ...chunks()]) {
    const code = readFileSync(join(root, 'dist', file), 'utf8');
    assert.doesNotMatch(code, /\bfrom\s*["'](?![./])/, `bare module specifier in ${file}`);
    assert.doesNotMatch(code, /\bimport\s*\(?\s*["'](?![./])/, `bare import in ${file}`);
  }
});

test('the protocols are chunks beside the bundle, imported on demand and never up front', () => {
  const code = readFileSync(join(root, 'dist/resumable-upload.js'), 'utf8');
  for (const protocol of ['status-upload', 'tus', 'ietf']) {
    const chunk = chunks().find((f) => f.startsWith(`resumable-upload-${protocol}-`));
    assert.ok(chunk, `no ${protocol} chunk in dist/`);
    assert.ok(code.includes(`import("./${chunk}")`), `the bundle does not import ./${chunk} on demand`);
  }
  // A static import would load a chunk with the page (and hide its bytes from the size check above).
  assert.doesNotMatch(code, /\bfrom\s*["']\.\//, 'the bundle imports a chunk statically');
});

test('the script-tag page works from a plain folder: the element defines, and tus loads its chunk from beside it', async () => {
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requested.push(path);
    if (path === '/') {
      res.setHeader('Content-Type', 'text/html');
      return res.end(
        '<!doctype html><script type="module" src="/cdn/resumable-upload.js"></script>' +
          '<resumable-upload protocol="tus" endpoint="/files/"></resumable-upload>',
      );
    }
    const file = path.startsWith('/cdn/') ? path.slice(5) : '';
    if (!/^resumable-upload[\w.-]*\.js$/.test(file)) return res.writeHead(404).end();
    res.setHeader('Content-Type', 'text/javascript');
    res.end(readFileSync(join(root, 'dist', file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => customElements.get('resumable-upload') !== undefined);
    await page.waitForFunction(() =>
      performance.getEntriesByType('resource').some((e) => /-tus-/.test(e.name)),
    );
    assert.deepEqual(errors, []);
    assert.ok(
      requested.some((p) => /^\/cdn\/resumable-upload-tus-.+\.js$/.test(p)),
      'tus chunk not fetched',
    );
    assert.ok(!requested.some((p) => /-ietf-/.test(p)), 'the ietf chunk was fetched though unused');
  } finally {
    await browser.close();
    server.close();
  }
});

test('custom-elements.json is what the analyzer makes from the sources today', () => {
  // The analyzer resolves --outdir against the working directory, so the scratch folder lives in the repo.
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const out = relative(root, mkdtempSync(join(root, '.tmp', 'cem-')));
  try {
    execFileSync(join(root, 'node_modules/.bin/cem'), ['analyze', '--outdir', out, '--quiet'], {
      cwd: root,
      stdio: 'pipe',
    });
    const fresh = JSON.parse(readFileSync(join(root, out, 'custom-elements.json'), 'utf8'));
    const committed = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
    assert.deepEqual(committed, fresh, 'custom-elements.json is stale: run `npm run analyze` and commit it');
  } finally {
    rmSync(join(root, out), { recursive: true, force: true });
  }
});

test('npm pack ships the bundle, the ESM build with types, the manifest, README and LICENSE, and nothing else', () => {
  const [info] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
  );
  const files: string[] = info.files.map((f: { path: string }) => f.path);
  for (const must of [
    'package.json',
    'README.md',
    'LICENSE',
    'custom-elements.json',
    'dist/resumable-upload.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/engine/index.js',
    'dist/engine/index.d.ts',
    'dist/server/index.js',
    'dist/server/index.d.ts',
    'dist/server/cli.js',
    'dist/react/index.js',
    'dist/react/index.d.ts',
  ])
    assert.ok(files.includes(must), `${must} missing from the package`);
  const stray = files.filter(
    (f) => /^(test|bench|demo|scripts|\.ci|src|node_modules)\//.test(f) || /\.test\./.test(f),
  );
  assert.deepEqual(stray, [], 'tests, benches, sources or CI files in the package');
});
