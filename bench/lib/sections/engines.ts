// Issue #19: the element against one raw XHR POST of the same File in every installed engine (Chromium and
// Firefox through puppeteer-core, WebKitGTK's MiniBrowser through WebKitWebDriver under Xvfb; see
// test/e2e/support/drivers.ts), side by side, on the bench's own page and servers: the raw POST to the raw
// sink with fsync (and a progress listener, as any uploader with a bar has), the element (its defaults: the
// whole file in one request) to ours, which fsyncs too. Rounds alternate which goes first.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchEngine, type EngineDriver, type EnginePage } from '../../../test/e2e/support/drivers.js';
import {
  firefoxPath,
  miniBrowserPath,
  selectedEngines,
  webkitDriverPath,
  xvfbPath,
} from '../../../scripts/engines.mjs';
import { CHROMIUM } from '../browser.js';
import { ServerChild } from '../children.js';
import { WORK } from '../files.js';
import type { PageResult } from '../../page/bench-page.js';
import type { Ctx } from '../plan.js';
import { foreignCpu, foreignDelta } from '../proc.js';
import { fmt, mbps, median, MiB, table } from '../report.js';

type Engine = 'chromium' | 'firefox' | 'webkit';
type Kind = 'raw' | 'element';

interface EngineSample {
  engine: Engine;
  kind: Kind;
  round: number;
  ms: number;
  mbps: number;
  progressEvents: number;
  /** The receiving server's CPU during the upload. */
  serverCpuMs: number;
  /** CPU used meanwhile by processes outside the bench: the noise. */
  foreignCpuMs: number;
  verified: 'size' | 'FAILED';
  errors: string[];
}

const NEEDS: Record<Engine, string[]> = {
  chromium: [CHROMIUM],
  firefox: [firefoxPath],
  webkit: [webkitDriverPath, miniBrowserPath, xvfbPath],
};

export async function engines(ctx: Ctx): Promise<void> {
  const { harness, plan, results } = ctx;
  const wanted = selectedEngines() as Engine[];
  const available = wanted.filter((e) => NEEDS[e].every((p) => existsSync(p)));
  const missing = wanted.filter((e) => !available.includes(e));
  if (missing.length) console.warn(`\n!!! engines: not installed, SKIPPED: ${missing.join(', ')}\n`);
  const { built, pin } = harness;
  if (!built.serverCli) {
    console.warn('\n!!! engines section SKIPPED: the server is not built\n');
    results.engines = { skipped: 'the server is not built' };
    return;
  }
  console.log(
    `\n== engines: ${plan.rounds} rounds of ${plan.sizeMiB} MiB per engine (${available.join(', ')}),` +
      ' raw XHR POST (fsync, progress listener) vs the element (whole file, fsync), order alternating ==',
  );
  const samples: EngineSample[] = [];
  // Servers of its own in a folder of its own: another bench run on this machine shares WORK's store folders.
  const root = join(WORK, `engines-${process.pid}`);
  const servers: Partial<Record<Kind, ServerChild>> = {};
  try {
    for (const [kind, name, script] of [
      ['raw', 'raw', built.rawSink],
      ['element', 'ours', built.serverCli],
    ] as const) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      const args = ['--port', '0', '--host', '127.0.0.1', '--dir', dir, '--static', built.www];
      servers[kind] = await ServerChild.start(name, built.probe, script, args, dir, pin?.server);
    }
    for (const engine of available)
      await engineRounds(ctx, servers as Record<Kind, ServerChild>, engine, samples);
  } finally {
    for (const child of Object.values(servers)) await child?.stop();
    rmSync(root, { recursive: true, force: true });
  }
  report(ctx, available, samples);
}

async function engineRounds(
  ctx: Ctx,
  servers: Record<Kind, ServerChild>,
  engine: Engine,
  samples: EngineSample[],
): Promise<void> {
  const { plan } = ctx;
  const driver = await launchEngine(engine);
  try {
    // A warm-up of each (not counted): the first upload in a fresh browser pays its start.
    for (const kind of ['raw', 'element'] as const) await once(ctx, servers[kind], driver, kind, 0);
    for (let round = 1; round <= plan.rounds; round++) {
      const order: Kind[] = round % 2 ? ['raw', 'element'] : ['element', 'raw'];
      for (const kind of order) {
        const s = await once(ctx, servers[kind], driver, kind, round);
        samples.push(s);
        console.log(
          `  ${engine.padEnd(8)} r${round} ${kind.padEnd(7)} ${fmt(s.mbps).padStart(7)} MB/s ${fmt(s.ms, 0).padStart(6)} ms` +
            `  progress events ${s.progressEvents}  srv cpu ${fmt(s.serverCpuMs, 0)} ms  foreign cpu ${fmt(s.foreignCpuMs, 0)} ms` +
            (s.verified === 'FAILED' ? `  FAILED ${s.errors.join('; ')}` : ` ${s.verified}`),
        );
      }
    }
  } finally {
    await driver.close();
  }
}

function report({ plan, results }: Ctx, available: Engine[], samples: EngineSample[]): void {
  const rows = available.map((engine) => summary(samples, engine));
  console.log(
    `\n${plan.rounds} rounds, ${plan.sizeMiB} MiB, MB/s = 10^6 bytes/s, medians; ratio: median of per-round ratios`,
  );
  console.log(
    table([
      [
        'engine',
        'raw POST MB/s',
        'element MB/s',
        'element / raw',
        'min-max',
        'progress events raw / element',
        'noise',
      ],
      ...rows.map((r) => [
        r.engine,
        fmt(r.rawMbps),
        fmt(r.elementMbps),
        fmt(r.ratio, 2),
        `${fmt(r.minRatio, 2)}-${fmt(r.maxRatio, 2)}`,
        `${r.rawEvents} / ${r.elementEvents}`,
        `${fmt(r.noisePct, 0)}%`,
      ]),
    ]),
  );
  console.log(
    'issue #19 asks element / raw >= 0.95 in each engine; noise: CPU of processes outside the bench during the uploads, in % of one core',
  );
  results.engines = { summary: rows, samples };
}

function summary(samples: EngineSample[], engine: Engine) {
  const mine = samples.filter((s) => s.engine === engine && s.verified !== 'FAILED');
  const of = (kind: Kind) => mine.filter((s) => s.kind === kind);
  const ratios = of('raw')
    .map((r) => [r, of('element').find((e) => e.round === r.round)] as const)
    .filter(([, e]) => e)
    .map(([r, e]) => r.ms / e!.ms);
  const ms = mine.reduce((n, s) => n + s.ms, 0);
  return {
    engine,
    rawMbps: median(of('raw').map((s) => s.mbps)),
    elementMbps: median(of('element').map((s) => s.mbps)),
    ratio: median(ratios),
    minRatio: Math.min(...ratios),
    maxRatio: Math.max(...ratios),
    rawEvents: median(of('raw').map((s) => s.progressEvents)),
    elementEvents: median(of('element').map((s) => s.progressEvents)),
    noisePct: (100 * mine.reduce((n, s) => n + s.foreignCpuMs, 0)) / ms,
    failures: samples.filter((s) => s.engine === engine && s.verified === 'FAILED').length,
  };
}

let seq = 0;

/** One upload in a fresh tab of `driver`, from the page of the server it goes to. */
async function once(
  { plan, files }: Ctx,
  server: ServerChild,
  driver: EngineDriver,
  kind: Kind,
  round: number,
): Promise<EngineSample> {
  const bytes = plan.sizeMiB * MiB;
  await server.clear();
  const page = await driver.newPage();
  try {
    await page.goto(`${server.url}/index.html`);
    await page.setInputFile(files.main, '#file');
    const opts =
      kind === 'raw'
        ? { url: '/raw?fsync=1', index: 0, progress: true }
        : { chunkSize: 0, index: 0, idPrefix: `engines-${process.pid}-${++seq}` };
    const u0 = await server.usage();
    const f0 = foreignCpu();
    const r = await run(page, kind, opts);
    const f1 = foreignCpu();
    const u1 = await server.usage();
    return {
      engine: driver.engine as Engine,
      kind,
      round,
      ms: r.ms,
      mbps: mbps(bytes, r.ms),
      progressEvents: r.progressEvents,
      serverCpuMs: u1.cpuMs - u0.cpuMs,
      foreignCpuMs: foreignDelta(f0, f1),
      ...(await verified(server, bytes, r)),
    };
  } finally {
    await page.close();
  }
}

/**
 * The bench page's own uploaders (bench/page/bench-page.ts), in any engine: started in the page, then polled
 * (classic WebDriver gives a script 30 s; an upload in a slow engine takes longer). The time is the page's.
 */
async function run(page: EnginePage, kind: Kind, opts: object): Promise<PageResult> {
  // tsx names functions with a `__name` helper that pages lack.
  await page.evaluate(() => void new Function('globalThis.__name = (f) => f')(), null);
  for (let i = 0; !(await page.evaluate(() => 'bench' in globalThis, null)); i++) {
    if (i > 300) throw new Error('the bench page did not load');
    await new Promise((r) => setTimeout(r, 50));
  }
  await page.evaluate(
    ([k, o]) => {
      const g = globalThis as unknown as {
        bench: Record<string, (o: unknown) => Promise<PageResult>>;
        benchRun: PageResult | { failed: string } | null;
      };
      // Only Chromium has performance.memory; the page samples it, so others read 0.
      if (!('memory' in performance))
        Object.defineProperty(performance, 'memory', { value: { usedJSHeapSize: 0 } });
      g.benchRun = null;
      g.bench[k]!(o).then(
        (r) => (g.benchRun = r),
        (e: unknown) => (g.benchRun = { failed: String(e) }),
      );
    },
    [kind, opts] as const,
  );
  const until = performance.now() + 600_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const r = await page.evaluate(
      () => (globalThis as unknown as { benchRun: PageResult | { failed: string } | null }).benchRun,
      null,
    );
    if (r && 'failed' in r) throw new Error(`${kind} upload: ${r.failed}`);
    if (r) return r;
    if (performance.now() > until) throw new Error(`${kind} upload: not done in 10 minutes`);
  }
}

/** The upload's file is the largest the server stored (ours keeps a small record beside it). */
async function verified(
  server: ServerChild,
  bytes: number,
  r: PageResult,
): Promise<Pick<EngineSample, 'verified' | 'errors'>> {
  const [largest] = await server.stored();
  const errors = [...r.errors];
  if (largest?.size !== bytes) errors.push(`stored ${largest?.size ?? 'nothing'} of ${bytes} bytes`);
  return { verified: errors.length ? 'FAILED' : 'size', errors };
}
