// Measurement, not a test: the element's upload speed against one raw XHR POST of the same file, in each
// engine (Chromium and Firefox through puppeteer-core, WebKitGTK through WebKitWebDriver; see
// test/e2e/support/drivers.ts), on loopback. Prints a Markdown table for the README's engine matrix.
//   node --import tsx scripts/engine-throughput.ts [--size MiB (64)] [--rounds N (3)] [--engines a,b]
// Needs a build (`npm run build`). Both sides fsync before they answer. Rounds alternate which goes
// first; the ratio is the median of per-round ratios. On a shared 2-core machine the numbers move with
// other runs: read them as ratios, not speeds.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectedEngines, type EngineName } from './engines.mjs';
import {
  harnessLog,
  launchEngine,
  openHarness,
  pickFile,
  settleHarness,
  type EnginePage,
} from '../test/e2e/support/drivers.js';
import { makeFile, MiB } from '../test/e2e/support/files.js';
import { STATIC, startServerProcess } from '../test/e2e/support/server.js';

const ROOT = resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    engines: { type: 'string', default: selectedEngines().join(',') },
  },
});
const size = Number(values.size) * MiB;
const rounds = Number(values.rounds);
const engines = values.engines.split(',') as EngineName[];

const tmp = await mkdtemp(join(tmpdir(), 'ru-engines-'));
// Both servers are child processes, off the driver's event loop: the project's server for the element,
// bench/lib/raw-sink.ts (one POST body streamed to disk, fsynced once) for the raw POST. Each serves
// the harness page itself, so both uploads are same-origin.
const server = await startServerProcess(join(tmp, 'store'));
const sink = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'bench/lib/raw-sink.ts',
    '--dir',
    join(tmp, 'raw'),
    ...STATIC.flatMap((d) => ['--static', d]),
  ],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
);
const sinkUrl = await new Promise<string>((resolve, reject) => {
  let out = '';
  sink.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
    if (m) resolve(m[1]);
  });
  sink.once('exit', (code) => reject(new Error(`raw-sink exited (${code})`)));
});

interface Sample {
  ms: number;
  progressEvents: number;
  /** Bytes the receiving side stored. */
  stored: number;
}

/** One raw XHR POST of the picked File, counting progress events, as the engine's XHR does. */
const rawPost = (page: EnginePage): Promise<Sample> =>
  page.evaluate(
    () =>
      new Promise<Sample>((resolve, reject) => {
        const file = document.querySelector<HTMLInputElement>('#picker')!.files![0];
        const xhr = new XMLHttpRequest();
        let progressEvents = 0;
        xhr.upload.addEventListener('progress', () => progressEvents++);
        xhr.open('POST', '/raw?fsync=1');
        const t0 = performance.now();
        xhr.onload = () =>
          resolve({ ms: performance.now() - t0, progressEvents, stored: Number(xhr.responseText) });
        xhr.onerror = () => reject(new Error('raw POST failed'));
        xhr.send(file);
      }),
    null,
  );

/** The element with its defaults (the whole file in one request): upload-start to upload-complete. */
async function elementUpload(page: EnginePage, path: string): Promise<Sample> {
  await openHarness(page, server.url, 'element', { chunkSize: 0, retryDelays: [0] });
  await pickFile(page, 'element', path);
  const { outcome } = await settleHarness(page, 300_000);
  if (outcome !== 'complete') throw new Error(`the element's upload ended ${outcome}`);
  const log = await harnessLog(page);
  const start = log.find((e) => e.type === 'upload-start')!.t;
  const complete = log.find((e) => e.type === 'upload-complete')!;
  return {
    ms: complete.t - start,
    progressEvents: log.filter((e) => e.type === 'upload-progress').length,
    stored: (await stat(server.storedPath(complete.fileId!))).size,
  };
}

/** What the page can use, by feature detection (and a real call where a stub could lie), on a secure origin. */
const FEATURES = [
  'showOpenFilePicker (file handles)',
  'DataTransferItem.getAsFileSystemHandle',
  'OPFS (getDirectory + createWritable)',
  'IndexedDB stores a File',
  'Web Locks (navigator.locks)',
  'BroadcastChannel',
  'crypto.subtle.digest SHA-256',
  'navigator.onLine events',
];

async function probe(page: EnginePage): Promise<Record<string, string>> {
  // tsx keeps function names with a `__name` helper that the page lacks.
  await page.evaluate(() => void new Function('globalThis.__name = (f) => f')(), null);
  return page.evaluate(async () => {
    const yes = (ok: unknown) => (ok ? 'yes' : 'no');
    const tryCall = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        return 'yes';
      } catch (err) {
        return `no (${(err as Error | null)?.name ?? String(err)})`;
      }
    };
    const opfs = navigator.storage?.getDirectory
      ? await tryCall(async () => {
          const root = await navigator.storage.getDirectory();
          const handle = await root.getFileHandle('probe.bin', { create: true });
          const writable = await handle.createWritable();
          await writable.write(new Uint8Array(8));
          await writable.close();
          await root.removeEntry('probe.bin');
        })
      : 'no';
    return {
      'showOpenFilePicker (file handles)': yes('showOpenFilePicker' in window),
      'DataTransferItem.getAsFileSystemHandle': yes('getAsFileSystemHandle' in DataTransferItem.prototype),
      'OPFS (getDirectory + createWritable)': opfs,
      'IndexedDB stores a File': await tryCall(
        () =>
          new Promise((resolve, reject) => {
            const open = indexedDB.open('probe');
            open.onupgradeneeded = () => open.result.createObjectStore('f');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const tx = open.result.transaction('f', 'readwrite');
              tx.objectStore('f').put(new File(['x'], 'x.txt'), 1);
              tx.oncomplete = () => resolve(open.result.close());
              tx.onerror = () => reject(tx.error);
            };
          }),
      ),
      'Web Locks (navigator.locks)': navigator.locks
        ? await tryCall(() => navigator.locks.request('p', () => 0))
        : 'no',
      BroadcastChannel: yes(typeof BroadcastChannel === 'function'),
      'crypto.subtle.digest SHA-256': crypto.subtle
        ? await tryCall(() => crypto.subtle.digest('SHA-256', new Uint8Array(8)))
        : 'no',
      'navigator.onLine events': yes('onLine' in navigator && 'ononline' in window),
    };
  }, null);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (ms: number) => (size / 1e6 / (ms / 1000)).toFixed(0);
const rows: string[] = [];
const features = new Map<EngineName, Record<string, string>>();

try {
  for (const engine of engines) {
    const driver = await launchEngine(engine);
    const rawMs: number[] = [];
    const oursMs: number[] = [];
    const ratios: number[] = [];
    let events = { raw: 0, ours: 0 };
    try {
      for (let round = 0; round < rounds; round++) {
        const file = await makeFile(tmp, `source-${engine}-${round}.bin`, size);
        const sample: Partial<Record<'raw' | 'ours', Sample>> = {};
        for (const which of round % 2 ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const)) {
          const page = await driver.newPage();
          try {
            if (which === 'raw') {
              // The harness page, nothing mounted: only the raw POST reads the picked file.
              await page.goto(`${sinkUrl}/index.html`);
              await page.setInputFile(file.path, '#picker');
              sample.raw = await rawPost(page);
            } else {
              sample.ours = await elementUpload(page, file.path);
              if (!features.has(engine)) features.set(engine, await probe(page));
            }
          } finally {
            await page.close();
          }
        }
        for (const s of [sample.raw!, sample.ours!])
          if (s.stored !== size) throw new Error(`${engine}: ${s.stored} of ${size} bytes stored`);
        rawMs.push(sample.raw!.ms);
        oursMs.push(sample.ours!.ms);
        ratios.push(sample.raw!.ms / sample.ours!.ms);
        events = { raw: sample.raw!.progressEvents, ours: sample.ours!.progressEvents };
        console.error(
          `${engine} round ${round + 1}: raw ${Math.round(sample.raw!.ms)} ms, element ${Math.round(sample.ours!.ms)} ms`,
        );
        await rm(file.path);
      }
    } finally {
      await driver.close();
    }
    rows.push(
      `| ${engine} | ${mbps(median(rawMs))} | ${mbps(median(oursMs))} | ${median(ratios).toFixed(2)} ` +
        `(${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}) | ${events.raw} / ${events.ours} |`,
    );
  }
} finally {
  sink.kill();
  await server.close();
  await rm(tmp, { recursive: true, force: true });
}

console.log(`\n${values.size} MiB, ${rounds} rounds, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  '| engine | raw POST MB/s | element MB/s | element / raw (min-max) | progress events raw / element |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);

console.log(`\n| feature | ${[...features.keys()].join(' | ')} |`);
console.log(`| --- |${' --- |'.repeat(features.size)}`);
// In the probe's order: WebDriver hands objects back with their keys in no fixed order.
for (const name of FEATURES)
  console.log(`| ${name} | ${[...features.values()].map((f) => f[name]).join(' | ')} |`);
