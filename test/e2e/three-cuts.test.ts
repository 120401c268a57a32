// Issue 15's scenario, side by side in one run: a 48 MiB file through the cutting proxy, three cuts, each
// followed by a 503 on the next status request, in real Chromium. `<resumable-upload>` against our server
// and tus-js-client against @tus/server (+ @tus/file-store), each with its default chunking (the whole rest
// of the file in one request) and retry delays, alternating, a few rounds. Faults must cost (almost) nothing.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import type { ClientOptions } from './fixtures/tus-clients/types.js';
import { MiB, sha256File, type SourceFile } from './support/files.js';
import { FaultProxy, type RequestRecord } from './support/proxy.js';
import { assertStored, startRig, upload, type Rig } from './support/rig.js';
import { startTusServer, type TusServerHandle } from './support/tus-server.js';

const SIZE = 48 * MiB;
/** Odd bytes inside the first, second and third quarter's end, so no cut falls on a round boundary. */
const CUTS = [12 * MiB + 12_345, 24 * MiB + 234_567, 36 * MiB + 345_678];
const ROUNDS = Number(process.env.RU_THREE_CUTS_ROUNDS ?? 3);
/** Each client's own default retry delays. */
const OURS = { chunkSize: 0, retryDelays: [0, 1000, 3000, 5000, 10000] };
const TUS = { chunkSize: Infinity, retryDelays: [0, 1000, 3000, 5000] };
/** The goal: bytes on the wire at most this times the file (plus what the broken links swallowed). */
const WIRE_GOAL = 1.03;
const FIXTURE = resolve(import.meta.dirname, 'fixtures/tus-clients');

interface Measured {
  ms: number;
  wire: number;
  /** Body bytes the browser sent into a link that then broke: the cut's own loss. */
  lostInLink: number;
  requests: string;
}

const lost = (posts: RequestRecord[]) => posts.reduce((n, r) => n + (r.received - r.forwarded), 0);
const describeRequests = (reqs: RequestRecord[]) =>
  reqs
    .filter((r) => r.start !== null || /^\/(status|files)/.test(r.path))
    .map((r) => `${r.method} ${r.start ?? ''}${r.start !== null ? `+${r.received}` : ''}:${r.status ?? '-'}`)
    .join(' ');

/**
 * Queues the scenario's faults: each cut, then a 503 on the next status request (passable: a client that
 * asks no status after a cut meets the next cut all the same). Returns how many cuts took effect so far.
 */
function injectCuts(proxy: FaultProxy): () => number {
  proxy.clearFaults();
  let cut = 0;
  for (const at of CUTS) {
    void proxy.inject({ kind: 'cut', at }).then(() => cut++);
    void proxy.inject({ kind: 'status-503', passable: true });
  }
  return () => cut;
}

describe('three cuts, each followed by a 503: <resumable-upload> vs tus-js-client', () => {
  let rig: Rig;
  let tus: TusServerHandle;
  let tusProxy: FaultProxy;
  before(async () => {
    rig = await startRig();
    const www = join(rig.tmp, 'tus-www');
    await build({
      entryPoints: [join(FIXTURE, 'tus-js-client.ts')],
      outdir: join(www, 'build'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'warning',
    });
    // The page asks for ./build/uppy.js too: an empty stand-in keeps the console quiet.
    await build({ stdin: { contents: '' }, outfile: join(www, 'build', 'uppy.js'), logLevel: 'warning' });
    const tusDir = join(rig.tmp, 'tus-store');
    await mkdir(tusDir, { recursive: true });
    tus = await startTusServer(tusDir, [www, FIXTURE]);
    tusProxy = await FaultProxy.start(tus.port);
  });
  after(async () => {
    await tusProxy?.close();
    await tus?.close();
    await rig?.close();
  });

  async function ours(file: SourceFile): Promise<Measured> {
    const first = rig.proxy.requests.length;
    const cuts = injectCuts(rig.proxy);
    const run = await upload(rig, file, { ...OURS, timeout: 120_000 });
    await assertStored(rig, file, run);
    const requests = describeRequests(rig.proxy.requests.slice(first));
    assert.equal(cuts(), CUTS.length, `every cut took effect: ${requests}`);
    return {
      ms: run.ms,
      wire: run.wire,
      lostInLink: lost(run.posts),
      requests,
    };
  }

  async function theirs(file: SourceFile): Promise<Measured> {
    const first = tusProxy.requests.length;
    const cuts = injectCuts(tusProxy);
    const context = await rig.browser.newContext();
    try {
      const page = await context.newPage();
      const res = await page.goto(`${tusProxy.url}/index.html`);
      assert.ok(res?.ok(), `the tus page answered ${res?.status()}`);
      await page.waitForFunction(() => 'tusJsClient' in window);
      const t0 = performance.now();
      await page.locator('#picker').setInputFiles(file.path);
      const opts: ClientOptions = { endpoint: `${tusProxy.url}/files/`, ...TUS };
      const url = await page.evaluate((o) => window.tusJsClient(o), opts);
      const ms = performance.now() - t0;
      assert.equal(await sha256File(tus.storedPath(url)), file.sha256, 'tus stored a different file');
      const reqs = tusProxy.requests.slice(first);
      assert.equal(cuts(), CUTS.length, `every cut took effect: ${describeRequests(reqs)}`);
      const appends = reqs.filter((r) => r.appends);
      return {
        ms,
        wire: appends.reduce((n, r) => n + r.received, 0),
        lostInLink: lost(appends),
        requests: describeRequests(reqs),
      };
    } finally {
      await context.close();
    }
  }

  test('our wire stays within 1.03 x the file; both clients timed in the same run', async (t) => {
    const results: Array<{ who: 'ours' | 'tus'; m: Measured }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so neither always runs on a warmer machine.
      const order = round % 2 === 0 ? (['ours', 'tus'] as const) : (['tus', 'ours'] as const);
      for (const who of order) {
        const file = await rig.file(SIZE);
        const m = who === 'ours' ? await ours(file) : await theirs(file);
        results.push({ who, m });
        t.diagnostic(`${who} round ${round + 1}: ${Math.round(m.ms)} ms, wire ${m.wire} B: ${m.requests}`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const of = (who: 'ours' | 'tus') => results.filter((r) => r.who === who).map((r) => r.m);
    const rows = (['ours', 'tus'] as const).map((who) => {
      const ms = of(who).map((m) => m.ms);
      const ratio = of(who).map((m) => m.wire / SIZE);
      return {
        who,
        ms: median(ms),
        line:
          `${who === 'ours' ? '<resumable-upload> -> our server  ' : 'tus-js-client -> @tus/server     '}| ` +
          `${(median(ms) / 1000).toFixed(2)} s (${(Math.min(...ms) / 1000).toFixed(2)}–${(Math.max(...ms) / 1000).toFixed(2)}) | ` +
          `${median(ratio).toFixed(3)} x (${Math.min(...ratio).toFixed(3)}–${Math.max(...ratio).toFixed(3)})`,
      };
    });
    t.diagnostic(
      `${ROUNDS} rounds, 48 MiB, 3 cuts + 503s | time median (range) | wire / file median (range)`,
    );
    for (const r of rows) t.diagnostic(r.line);
    t.diagnostic(`time ratio ours / tus: ${(rows[0].ms / rows[1].ms).toFixed(2)}`);

    for (const m of of('ours')) {
      const limit = WIRE_GOAL * SIZE + m.lostInLink;
      assert.ok(
        m.wire <= limit,
        `${m.wire} B crossed the wire (${(m.wire / SIZE).toFixed(3)} x); at most ${WIRE_GOAL} x + ${m.lostInLink} B lost in the broken links allowed`,
      );
    }
  });
});
