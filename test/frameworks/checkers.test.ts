// Typings checked by each framework's own checker, as its users run it: vue-tsc over the Vue page and
// an expected-error fixture (its `@vue-expect-error` comments must each meet an error), svelte-check over
// the Svelte apps and fixtures, ngc's strict template type-check over an Angular fixture. Svelte and
// Angular templates have no expect-error comment, so a fixture marks each line that must fail with an
// `expect-error` comment on the line before it, and the checker must report errors on exactly those lines.
// (JSX pages and fixtures are tsc's, in types.test.ts.) The three run at once, each in its own process.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import assert from 'node:assert/strict';

const root = new URL('../../', import.meta.url).pathname;
const checkers = join(root, 'test/types/.checkers');

interface Ran {
  code: number;
  out: string;
}

function run(script: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, script), ...args], { cwd: root }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

/** `file:line` of each line after an `expect-error` comment in the fixture (1-based). */
function marked(file: string): string[] {
  return readFileSync(join(root, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => (/expect-error:/.test(line) ? [`${file}:${i + 2}`] : []));
}

let vue: Promise<Ran>;
let svelte: Promise<Ran>;
let angular: Promise<Ran>;

before(() => {
  assert.ok(existsSync(join(root, 'dist/index.d.ts')), 'dist/ is missing: run `npm run build` first');
  vue = run('node_modules/vue-tsc/bin/vue-tsc.js', ['--noEmit', '-p', join(checkers, 'tsconfig.vue.json')]);
  svelte = run('node_modules/svelte-check/bin/svelte-check', [
    '--workspace',
    join(root, 'test'),
    '--tsconfig',
    join(checkers, 'tsconfig.svelte.json'),
    '--output',
    'machine',
  ]);
  angular = run('node_modules/@angular/compiler-cli/bundles/src/bin/ngc.js', [
    '-p',
    join(checkers, 'angular/tsconfig.json'),
  ]);
});

test('vue-tsc: the Vue page type-checks; a wrong e.detail field, a string chunkSize and a misspelt prop are errors', async () => {
  const { code, out } = await vue;
  assert.equal(out.trim(), '', 'vue-tsc reported errors (or an unused @vue-expect-error)');
  assert.equal(code, 0);
});

test('svelte-check: the Svelte 5 and Svelte 4 apps type-check; the fixtures fail on exactly their marked lines', async () => {
  const { out } = await svelte;
  assert.match(out, /COMPLETED/, out);
  const errors = [...out.matchAll(/^\d+ (?:ERROR|WARNING) "([^"]+)" (\d+):\d+ (.*)$/gm)].map(
    ([, file, line]) => `test/${file}:${line}`,
  );
  assert.deepEqual(
    errors.sort(),
    [
      ...marked('test/types/.checkers/svelte-bad.svelte'),
      ...marked('test/types/.checkers/svelte4-bad.svelte'),
    ].sort(),
    out,
  );
});

test("Angular's strict templates: a wrong $event.detail field and a mistyped handler are errors on their marked lines", async () => {
  const { code, out } = await angular;
  const fixture = 'test/types/.checkers/angular/bad.ts';
  // ngc prints errors as `file:line:col - error TS…`, coloured.
  const plain = stripVTControlCharacters(out);
  const errors = [...plain.matchAll(/^(\S+):(\d+):\d+ - error /gm)].map(
    ([, file, line]) => `${relative(root, join(checkers, 'angular', file))}:${line}`,
  );
  assert.deepEqual(errors.sort(), marked(fixture).sort(), out);
  assert.notEqual(code, 0);
});
