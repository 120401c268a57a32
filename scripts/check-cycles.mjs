// Fails when a relative import cycle exists under the given folders (type-only imports count too: a
// shared type belongs where both sides can import it).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]/g;

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(resolve(path));
  }
  return out;
}

const files = process.argv.slice(2).flatMap((dir) => sources(dir));
const known = new Set(files);
const graph = new Map(
  files.map((file) => [
    file,
    [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')))
      .filter((dep) => known.has(dep)),
  ]),
);

const cycles = [];
const state = new Map(); // 1: on the stack, 2: done
const stack = [];
function visit(file) {
  state.set(file, 1);
  stack.push(file);
  for (const dep of graph.get(file)) {
    if (state.get(dep) === 1) cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
    else if (!state.has(dep)) visit(dep);
  }
  stack.pop();
  state.set(file, 2);
}
for (const file of files) if (!state.has(file)) visit(file);

for (const cycle of cycles) console.error(`import cycle: ${cycle.map((f) => relative('.', f)).join(' -> ')}`);
console.log(`${files.length} files, ${cycles.length} import cycle(s)`);
process.exit(cycles.length ? 1 : 0);
