// Guards what users receive from npm: the bundle's size, a fresh manifest, and the packed file list.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
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

test('the bundle is self-contained: no bare imports left for a CDN to resolve', () => {
  const code = readFileSync(join(root, 'dist/resumable-upload.js'), 'utf8');
  assert.doesNotMatch(code, /\bfrom\s*["'](?![./])/, 'bare module specifier in the bundle');
  assert.doesNotMatch(code, /\bimport\s*["'](?![./])/, 'bare side-effect import in the bundle');
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
