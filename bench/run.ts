// `npm run bench`: the engine (from the element's bundle) against one raw POST and against tus, side by
// side, in one Chromium, on loopback. See bench/README.md. Flags:
//   --rounds N (5)  --size MiB (256)  --chunks 8,16,32,0 (MiB, 0 = whole file)  --big MiB (1024, the RSS file)
//   --only rounds,trace,heap,rss,concurrency,retry,s3,tus,integrity,engines,proxy  --variants id,id (rounds subset)
//   --quiet-share 0.25 (0 = no noise gate)  --pin 1 (Chromium on CPU 0, servers on CPU 1; 0 = unpinned)
//   --dist DIR (a build other than ./dist)  --out DIR (where results.json and chart.svg go; default bench/)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAll, ROOT } from './lib/build.js';
import { CHROMIUM } from './lib/browser.js';
import { randomFile } from './lib/files.js';
import { Harness } from './lib/harness.js';
import { fmt, MB, MiB } from './lib/report.js';
import { SECTIONS, type Plan, type Results } from './lib/plan.js';
import { sections } from './lib/sections.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    size: { type: 'string', default: '256' },
    chunks: { type: 'string', default: '8,16,32,0' },
    big: { type: 'string', default: '1024' },
    only: { type: 'string', default: SECTIONS.join(',') },
    /** Rounds only: a subset of variant ids (e.g. raw+fsync,ours@32MiB), for more rounds in the same time. */
    variants: { type: 'string', default: '' },
    dist: { type: 'string', default: join(ROOT, 'dist') },
    out: { type: 'string', default: join(ROOT, 'bench') },
    /** Share of one core others may use before an upload waits or runs again; 0 turns the gate off. */
    'quiet-share': { type: 'string', default: '0.25' },
    /** 1: Chromium on CPU 0, servers on CPU 1 (see Harness.pin); 0: let the scheduler place them. */
    pin: { type: 'string', default: '1' },
  },
});

const plan: Plan = {
  rounds: Number(values.rounds),
  sizeMiB: Number(values.size),
  chunksMiB: values.chunks.split(',').map(Number),
  bigMiB: Number(values.big),
  sections: values.only.split(',').filter(Boolean),
  variants: values.variants.split(',').filter(Boolean),
  concurrentFiles: 50,
  concurrentMiB: 8,
  heapMiB: [64, 512],
  retryCuts: 5,
};

const started = Date.now();
const built = await buildAll(values.dist);
console.log(`engine: ${built.engine}; server: ${built.serverCli}`);

// The page's file input holds every file the sections use; each upload names its indices.
const files = {
  main: randomFile(`random-${plan.sizeMiB}MiB.bin`, plan.sizeMiB * MiB),
  heap: plan.heapMiB.map((m) => randomFile(`random-${m}MiB.bin`, m * MiB)),
  big: randomFile(`random-${plan.bigMiB}MiB.bin`, plan.bigMiB * MiB),
  many: Array.from({ length: plan.concurrentFiles }, (_, i) =>
    randomFile(`many-${String(i).padStart(2, '0')}-${plan.concurrentMiB}MiB.bin`, plan.concurrentMiB * MiB),
  ),
};
const list = [files.main, ...files.heap, files.big, ...files.many];
const harness = new Harness(built, list);
harness.gate.share = Number(values['quiet-share']);
if (values.pin === '0') harness.pin = null;
const results: Results = {
  meta: {
    command: `node --import tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
    node: process.version,
    chromium: execFileSync(CHROMIUM, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim(),
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    engine: built.engine,
    pinned: harness.pin
      ? `Chromium on CPU ${harness.pin.client}; servers, proxies, bench on CPU ${harness.pin.server}`
      : 'no',
    loadBefore: loadavg(),
    loadAfter: [],
    seconds: 0,
    plan,
  },
};

try {
  await harness.start();
  const heap = [{ after: 'start', uploads: 0, MB: ((await harness.heapAfterGc('ours')) ?? NaN) / MB }];
  const index = {
    main: 0,
    heap: plan.heapMiB.map((_, i) => 1 + i),
    big: 1 + plan.heapMiB.length,
    many: files.many.map((_, i) => 2 + plan.heapMiB.length + i),
  };
  for (const name of SECTIONS) {
    if (!plan.sections.includes(name)) continue;
    await sections[name]({ harness, plan, files, index, results });
    heap.push({
      after: name,
      uploads: harness.uploads,
      MB: ((await harness.heapAfterGc('ours')) ?? NaN) / MB,
    });
  }
  // A leak grows with uploads; a warm-up settles after the first few.
  results.serverHeap = heap;
  console.log(
    `\nour server's JS heap after a full GC: ${heap.map((h) => `${fmt(h.MB, 2)} MB (${h.after}, ${h.uploads} uploads)`).join(', ')}`,
  );
} finally {
  await harness.stop();
}
results.meta.loadAfter = loadavg();
results.meta.seconds = Math.round((Date.now() - started) / 1000);
writeFileSync(join(values.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
if (results.chart) writeFileSync(join(values.out, 'chart.svg'), results.chart);
console.log(
  `\nwrote ${join(values.out, 'results.json')}${results.chart ? ' and chart.svg' : ''} in ${results.meta.seconds} s`,
);
