// The typings users get from the built package: each fixture in test/types/.fixtures/ compiles as a user's
// project would (through `exports`, strict, no skipLibCheck), and its `@ts-expect-error` lines must fail,
// so a detail typed `any` or a missing JSX entry is caught (TS reports an unused @ts-expect-error).
import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';

const root = new URL('../../', import.meta.url).pathname;
const dir = join(root, 'test/types');

function loadConfig(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(dir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  assert.ok(parsed, 'test/types/tsconfig.json did not parse');
  return parsed.options;
}

let options: ts.CompilerOptions;
let previous: ts.Program | undefined;

function compile(fixture: string, extra: ts.CompilerOptions = {}): ts.Program {
  const program = ts.createProgram({
    rootNames: [join(root, fixture)],
    options: { ...options, ...extra },
    oldProgram: previous,
  });
  previous = program;
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.slice(root.length)}:${line + 1}:${character + 1} TS${d.code}: ${text}`;
  });
  assert.deepEqual(errors, [], `${fixture} does not type-check as a user would write it`);
  return program;
}

before(() => {
  for (const file of ['dist/index.d.ts', 'dist/react/index.d.ts', 'dist/frameworks/solid.d.ts'])
    assert.ok(existsSync(join(root, file)), `${file} is missing: run \`npm run build\` first`);
  options = loadConfig();
});

test("el.addEventListener('upload-progress', e => e.detail.bytesUploaded) type-checks; e.detail.nope does not", () => {
  compile('test/types/.fixtures/events.ts');
});

test('React: <resumable-upload> in JSX and the wrapper take typed properties and typed event props', () => {
  compile('test/types/.fixtures/react.tsx');
});

test('Vue: the GlobalComponents entry types props and @upload-* listeners', () => {
  compile('test/types/.fixtures/vue.ts');
});

test('Svelte: the SvelteHTMLElements entry types props and both event spellings', () => {
  compile('test/types/.fixtures/svelte.ts');
});

test('Preact: <resumable-upload> in JSX takes typed properties and onupload-* listeners', () => {
  compile('test/types/.fixtures/preact.tsx');
});

test('Solid: <resumable-upload> in JSX takes typed properties and on:upload-* listeners', () => {
  compile('test/types/.fixtures/solid.tsx');
});

test('the JSX pages the browser tests run (React 19, the wrapper, SSR, Preact, Solid) type-check as user code', () => {
  for (const page of ['react19.tsx', 'react-wrapper.tsx', 'ssr.tsx', 'preact.tsx', 'solid.tsx'])
    compile(`test/frameworks/.pages/${page}`);
});

test('the main, engine and server entries compile without any framework types installed', () => {
  const program = compile('test/types/.fixtures/no-framework.ts', { types: ['node'], jsx: ts.JsxEmit.None });
  const frameworks = [
    `${sep}@types${sep}react${sep}`,
    `${sep}@lit${sep}react${sep}`,
    `${sep}vue${sep}`,
    `${sep}@vue${sep}`,
    `${sep}preact${sep}`,
    `${sep}solid-js${sep}`,
    `${sep}svelte${sep}`,
  ];
  const pulled = program
    .getSourceFiles()
    .map((f) => f.fileName)
    .filter((name) => frameworks.some((part) => name.includes(part)));
  assert.deepEqual(pulled, [], 'a framework-free entry reaches framework typings');
});

test('the typings list every event and settable property that custom-elements.json lists', () => {
  const program = ts.createProgram({ rootNames: [join(root, 'src/frameworks/types.ts')], options });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(join(root, 'src/frameworks/types.ts'))!;
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!);
  const keys = (name: string) => {
    const symbol = exported.find((s) => s.name === name)!;
    return checker
      .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))
      .map((p) => p.name)
      .sort();
  };
  const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
  type Field = { kind: string; name: string; static?: boolean; privacy?: string; readonly?: boolean };
  const element = manifest.modules
    .flatMap((m: { declarations?: unknown[] }) => m.declarations ?? [])
    .find((d: { tagName?: string }) => d.tagName === 'resumable-upload');
  const events = element.events.map((e: { name: string }) => e.name).sort();
  const settable = element.members
    .filter(
      (m: Field) => m.kind === 'field' && !m.static && (m.privacy ?? 'public') === 'public' && !m.readonly,
    )
    .map((m: Field) => m.name)
    .sort();
  assert.deepEqual(
    keys('ResumableUploadEventMap'),
    events,
    'src/frameworks/types.ts misses or adds an event',
  );
  assert.deepEqual(
    keys('ResumableUploadProperties'),
    settable,
    'src/frameworks/types.ts misses or adds a property',
  );
});
