// `npm test`: lint, typecheck, build, then every suite; ends with one plain "N passed, N failed" line
// computed from the runners' own counts. Exit code is non-zero when anything failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
const tmp = mkdtempSync(join(tmpdir(), 'ru-test-'));
const wtrCount = join(tmp, 'wtr-count.json');

const nodeSuite = (dir, extra = '') => ({
  name: dir,
  files: () =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.test.ts'))
          .map((f) => join(dir, f))
      : [],
  cmd: (files) => `node --import tsx --test --test-reporter=spec ${extra} ${files.join(' ')}`,
  count: 'node',
});

const steps = [
  { name: 'lint', cmd: () => 'npx eslint .' },
  { name: 'format', cmd: () => 'npx prettier --check .' },
  { name: 'cycles', cmd: () => 'node scripts/check-cycles.mjs src' },
  { name: 'typecheck', cmd: () => 'npm run --silent typecheck' },
  { name: 'build', cmd: () => 'npm run --silent build' },
  nodeSuite('test/server'),
  nodeSuite('test/package'),
  nodeSuite('test/frameworks'),
  { name: 'browser', cmd: () => 'npx web-test-runner', count: 'wtr', env: { WTR_COUNT_FILE: wtrCount } },
  nodeSuite('test/e2e', '--test-concurrency=1'),
];

function run(cmd, env) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, {
      shell: true,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function nodeCounts(out) {
  // node --test's spec reporter ends with "ℹ pass N" / "ℹ fail N" (tap: "# pass N").
  const num = (word) => {
    const m = [...out.matchAll(new RegExp(`^(?:ℹ|#) ${word} (\\d+)\\s*$`, 'gm'))].pop();
    return m ? Number(m[1]) : 0;
  };
  return { passed: num('pass'), failed: num('fail') + num('cancelled') };
}

let passed = 0;
let failed = 0;
const summary = [];
for (const step of steps) {
  if (only.length && !only.includes(step.name)) continue;
  const files = step.files ? step.files() : null;
  if (files && files.length === 0) continue;
  console.log(`\n=== ${step.name} ===`);
  const began = performance.now();
  const { code, out } = await run(step.cmd(files), step.env);
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  let c = { passed: 0, failed: 0 };
  if (step.count === 'node') c = nodeCounts(out);
  else if (step.count === 'wtr' && existsSync(wtrCount)) c = JSON.parse(readFileSync(wtrCount, 'utf8'));
  else if (!step.count) c = code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  // A runner that exits non-zero without reporting a failed test still failed (crash, load error).
  if (code !== 0 && c.failed === 0) c.failed = 1;
  passed += c.passed;
  failed += c.failed;
  summary.push(
    `${step.name}: ${c.passed} passed, ${c.failed} failed${code ? ` (exit ${code})` : ''} in ${seconds} s`,
  );
}
console.log('\n' + summary.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
