// `npm run soak -- --runs N [--seed S] [--max-size BYTES]`: the randomized soak (see support/soak.ts).
import { parseArgs } from 'node:util';
import { MiB } from './support/files.js';
import { runSoak } from './support/soak.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string' },
    'max-size': { type: 'string', default: String(64 * MiB) },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const maxSize = Number(values['max-size']);
if (
  !Number.isInteger(runs) ||
  runs < 1 ||
  !Number.isInteger(seed) ||
  !Number.isInteger(maxSize) ||
  maxSize < 0
) {
  console.error('usage: npm run soak -- --runs N [--seed S] [--max-size BYTES]');
  process.exit(2);
}
console.log(`soak: ${runs} run(s), seed ${seed}`);
const summary = await runSoak({ runs, seed, maxSize, print: (line) => console.log(line) });
console.log(`\n${summary.text}`);
process.exit(summary.passes === runs ? 0 : 1);
