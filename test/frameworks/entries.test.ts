// The package's entry points as built: every `exports` target exists, and only `resumable-upload/react`
// brings React in: an app bundling the element, the engine or the server gets no framework code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { starMatches } from './exports.js';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
};

before(() => {
  assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/ is missing: run `npm run build` first');
});

/** The files of node_modules packages an app's bundle of `specifier` would contain. */
async function packagesBundled(specifier: string, platform: 'browser' | 'node'): Promise<string[]> {
  const { metafile } = await build({
    stdin: { contents: `export * from '${specifier}';`, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    metafile: true,
    platform,
    format: 'esm',
    logLevel: 'silent',
  });
  const names = Object.keys(metafile.inputs)
    .map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1])
    .filter((name): name is string => Boolean(name));
  return [...new Set(names)].sort();
}

/** A pattern target (`./dist/locales/*.js`) exists when at least one built file matches it. */
const exists = (path: string): boolean =>
  path.includes('*') ? starMatches(root, path).length > 0 : existsSync(join(root, path));

test('every path in package.json `exports` exists in the build', () => {
  const missing = Object.entries(pkg.exports).flatMap(([entry, target]) =>
    (typeof target === 'string' ? [target] : Object.values(target))
      .filter((path) => !exists(path))
      .map((path) => `${entry} -> ${path}`),
  );
  assert.deepEqual(missing, []);
});

test('the element entry bundles Lit and nothing else: no React, no @lit/react', async () => {
  assert.deepEqual(await packagesBundled('resumable-upload', 'browser'), [
    '@lit/reactive-element',
    'lit',
    'lit-element',
    'lit-html',
  ]);
});

test('the engine and server entries bundle no package at all', async () => {
  assert.deepEqual(await packagesBundled('resumable-upload/engine', 'browser'), []);
  assert.deepEqual(await packagesBundled('resumable-upload/server', 'node'), []);
});

test('resumable-upload/react is where @lit/react and React come in', async () => {
  const bundled = await packagesBundled('resumable-upload/react', 'browser');
  for (const name of ['@lit/react', 'react', 'lit']) assert.ok(bundled.includes(name), `${name} not bundled`);
});
