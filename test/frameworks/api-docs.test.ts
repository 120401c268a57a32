// README's API reference is what scripts/api-docs.mjs makes from custom-elements.json today.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { END, START, readManifest, renderApi, withApi } from '../../scripts/api-docs.js';

const README = new URL('../../README.md', import.meta.url);

test("README's API reference matches custom-elements.json (run `npm run docs` when it doesn't)", async () => {
  const readme = readFileSync(README, 'utf8');
  assert.ok(readme.includes(START) && readme.includes(END), 'README.md lost its API markers');
  const fresh = withApi(readme, await renderApi(readManifest()));
  assert.equal(readme, fresh, 'README.md API reference is stale: run `npm run docs`');
});

test('the reference names every attribute, event, part, slot and custom property of the manifest', async () => {
  const manifest = readManifest();
  const api = await renderApi(manifest);
  const element = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .find((d) => d.tagName === 'resumable-upload');
  assert.ok(element, 'custom-elements.json has no <resumable-upload>');
  const names = [
    ...(element.members ?? []).flatMap((m) => (m.attribute ? [m.attribute] : [])),
    ...[element.events, element.cssParts, element.cssProperties, element.slots].flatMap((docs) =>
      (docs ?? []).map((d) => d.name).filter(Boolean),
    ),
  ];
  assert.ok(names.length > 40, `only ${names.length} names in the manifest`);
  const missing = names.filter((name) => !api.includes(`\`${name}\``));
  assert.deepEqual(missing, []);
});
