// After tsc: copies the hand-written typings of frameworks not installed here (Preact, Solid, Svelte) into
// dist/frameworks/. tsc can't compile them without those frameworks, and it never copies a .d.ts.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';

const from = new URL('../src/frameworks/', import.meta.url);
const to = new URL('../dist/frameworks/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((f) => f.endsWith('.d.ts')))
  copyFileSync(new URL(name, from), new URL(name, to));
