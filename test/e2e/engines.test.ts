// The fault scenarios in Firefox and WebKit (the other e2e files run them in Chromium through
// Playwright): cuts at exact bytes, a lost answer, a failing status request, a server SIGKILL, an
// offline tab, nginx's 1 MiB limit, a reload. The same SHA-256 and wire-byte checks as in Chromium.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { selectedEngines } from '../../scripts/engines.mjs';
import type { ClientOptions, LoggedEvent, Mode } from './support/browser.js';
import {
  harnessLog,
  launchEngine,
  mountHarness,
  openHarness,
  pickFile,
  settleHarness,
  waitUntil,
  type EngineDriver,
  type EngineName,
  type EnginePage,
} from './support/drivers.js';
import { MiB, type SourceFile } from './support/files.js';
import { startNginx } from './support/nginx.js';
import type { Fault, RequestRecord } from './support/proxy.js';
import { assertStored, assertWire, startRig, type Rig } from './support/rig.js';
import { partialSize, startServerProcess, type ServerProcess } from './support/server.js';

// The rigs need no Chromium of their own: each engine's driver brings its browser.
const NO_BROWSER = {} as Browser;
const SIZE = 6 * MiB + 12345;
const CHUNK = 2 * MiB;
const client: ClientOptions = { chunkSize: CHUNK, retryDelays: [0, 100, 300, 500, 1000] };
const TIMEOUT = { timeout: 180_000 };

interface EngineRun {
  outcome: string;
  log: LoggedEvent[];
  wire: number;
  posts: RequestRecord[];
  ms: number;
}

/** Picks `file` in a fresh tab of `driver` and waits until the upload settles. */
async function upload(
  rig: Rig,
  driver: EngineDriver,
  file: SourceFile,
  options: ClientOptions & { mode?: Mode; during?: (page: EnginePage) => Promise<void> },
): Promise<EngineRun> {
  const { mode = 'element', during, ...clientOptions } = options;
  const page = await driver.newPage();
  try {
    await openHarness(page, rig.proxy.url, mode, clientOptions);
    const first = rig.proxy.requests.length;
    const t0 = performance.now();
    await pickFile(page, mode, file.path);
    await during?.(page);
    const { outcome, log } = await settleHarness(page).catch(async (err: Error) => {
      const reqs = rig.proxy.requests
        .slice(first)
        .map((r) => `${r.method} ${r.path} ${r.start}+${r.received}:${r.status}`);
      throw new Error(`${driver.engine}: ${err.message}\nrequests:\n  ${reqs.join('\n  ')}`);
    });
    const ms = performance.now() - t0;
    const posts = rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= first);
    return { outcome, log, posts, ms, wire: posts.reduce((n, r) => n + r.received, 0) };
  } finally {
    await page.close();
  }
}

const describeRun = (t: TestContext, file: SourceFile, run: EngineRun) =>
  t.diagnostic(
    `${file.size} B in ${Math.round(run.ms)} ms; wire ${run.wire} B (+${run.wire - file.size}); ` +
      `POSTs ${run.posts.map((p) => `${p.start}+${p.received}:${p.status ?? '-'}`).join(' ')}; ` +
      `${run.log.filter((e) => e.type === 'upload-progress').length} progress events`,
  );

const engines = selectedEngines().filter((e): e is Exclude<EngineName, 'chromium'> => e !== 'chromium');

for (const engine of engines) {
  describe(`fault scenarios in ${engine}`, () => {
    let driver: EngineDriver;
    let rig: Rig;
    before(async () => {
      [driver, rig] = await Promise.all([launchEngine(engine), startRig({ browser: NO_BROWSER })]);
    });
    after(async () => {
      await driver?.close();
      await rig?.close();
    });

    const cuts: Array<[string, number]> = [
      ['at the first byte', 0],
      ['inside a chunk', CHUNK + 700 * 1024 + 17],
      ["at a chunk's last byte", 2 * CHUNK - 1],
      ["at the file's last byte", SIZE - 1],
    ];
    for (const [where, at] of cuts) {
      test(`resumes when the connection is cut ${where}`, TIMEOUT, async (t) => {
        const file = await rig.file(SIZE);
        void rig.proxy.inject({ kind: 'cut', at });
        const run = await upload(rig, driver, file, client);
        describeRun(t, file, run);
        assert.equal(rig.proxy.pendingFaults, 0, 'the cut happened');
        await assertStored(rig, file, run);
        assertWire(run, file, CHUNK, 1);
      });
    }

    test(
      'a response lost after the server stored the chunk costs at most that chunk again',
      TIMEOUT,
      async (t) => {
        const file = await rig.file(SIZE);
        void rig.proxy.inject({ kind: 'drop-response' });
        const run = await upload(rig, driver, file, client);
        describeRun(t, file, run);
        assert.equal(rig.proxy.pendingFaults, 0, 'a response was dropped');
        await assertStored(rig, file, run);
        assertWire(run, file, CHUNK, 1);
      },
    );

    const statusFaults: Array<[string, Fault[]]> = [
      ['answers 503', [{ kind: 'status-503' }]],
      ['is reset', [{ kind: 'status-reset' }]],
      ['answers 503, then is reset', [{ kind: 'status-503' }, { kind: 'status-reset' }]],
    ];
    for (const [what, faults] of statusFaults) {
      test(`resumes when the status request after a cut ${what}`, TIMEOUT, async (t) => {
        const file = await rig.file(SIZE);
        for (const f of [{ kind: 'cut', at: CHUNK + 700 * 1024 } as const, ...faults])
          void rig.proxy.inject(f);
        const run = await upload(rig, driver, file, client);
        describeRun(t, file, run);
        assert.equal(rig.proxy.pendingFaults, 0, 'every fault happened');
        await assertStored(rig, file, run);
        assertWire(run, file, CHUNK, 1);
        const seen = run.log
          .filter((e) => e.type === 'upload-retry')
          .map((e): string =>
            e.error?.status === 503 ? 'status-503' : e.error?.kind === 'network' ? 'status-reset' : 'other',
          );
        // As in Chromium: a 503 must cost a retry; a reset may, or the browser may repeat the GET itself.
        for (const f of faults)
          if (f.kind === 'status-503')
            assert.ok(seen.includes(f.kind), `${f.kind} was retried (retries: ${seen.join(', ')})`);
        assert.ok(
          seen.every((s) => s !== 'other'),
          `only the injected faults cost retries (retries: ${seen.join(', ')})`,
        );
      });
    }

    // The link goes down at the proxy and the browser says so: its own network emulation (Chromium,
    // Firefox), or in WebKit, whose WebDriver has none, the page's navigator.onLine and offline event.
    test('waits for the network while offline instead of spending its retries', TIMEOUT, async (t) => {
      const file = await rig.file(10 * MiB + 99);
      const offlineMs = 3000;
      rig.proxy.throttle({ bytesPerSecond: 4 * MiB });
      try {
        const run = await upload(rig, driver, file, {
          chunkSize: CHUNK,
          retryDelays: [0, 100, 300],
          stallTimeout: 20_000,
          during: async (page) => {
            await waitUntil(page, (n) => window.harness.uploaded() >= n, 2 * CHUNK + MiB / 2);
            await page.setOffline(true);
            rig.proxy.setLinkDown(true);
            await new Promise((r) => setTimeout(r, offlineMs));
            rig.proxy.setLinkDown(false);
            await page.setOffline(false);
          },
        });
        describeRun(t, file, run);
        await assertStored(rig, file, run);
        assertWire(run, file, CHUNK, 1);
        assert.ok(
          run.log.some((e) => e.waitingForNetwork),
          'the upload said it was waiting for the network',
        );
        assert.ok(run.ms >= offlineMs, 'nothing finished while offline');
        assert.deepEqual(
          run.log.filter((e) => e.type === 'upload-retry').map((e) => e.error?.message),
          [],
          'going offline spent no retry',
        );
      } finally {
        rig.proxy.throttle(null);
      }
    });

    test(
      'pause, reload, pick again: resumes from the server offset, re-sending nothing',
      TIMEOUT,
      async (t) => {
        const file = await rig.file(12 * MiB + 5);
        const page = await driver.newPage();
        try {
          await openHarness(page, rig.proxy.url, 'element', client);
          const frozen = rig.proxy.inject({ kind: 'freeze', at: 2 * CHUNK + MiB, ms: 1000 });
          await pickFile(page, 'element', file.path);
          await frozen;
          await page.evaluate(() => window.harness.pause(), null);
          const { fileId } = (await harnessLog(page))[0];
          assert.ok(
            (await harnessLog(page)).some((e) => e.type === 'upload-pause'),
            'the element paused',
          );
          await new Promise((r) => setTimeout(r, 1500));
          const res = await fetch(`${rig.server.url}/status`, { headers: { 'X-File-Id': fileId! } });
          const offset = Number(await res.text());
          assert.ok(offset >= 2 * CHUNK, `the server holds ${offset} bytes`);

          await page.reload();
          await mountHarness(page, rig.proxy.url, 'element', client);
          const first = rig.proxy.requests.length;
          await pickFile(page, 'element', file.path);
          const run = await settleHarness(page);
          const posts = rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= first);
          const wire = posts.reduce((n, r) => n + r.received, 0);
          t.diagnostic(`server held ${offset} of ${file.size}; after reload ${wire} B crossed`);
          await assertStored(rig, file, run);
          assert.equal(
            posts[0]?.start,
            offset,
            'the first request after the reload starts at the server offset',
          );
          assert.equal(wire, file.size - offset, 'nothing the server held was sent again');
        } finally {
          await page.close();
        }
      },
    );

    describe('with a server killed mid-upload', () => {
      let crashRig: Rig<ServerProcess>;
      before(async () => {
        crashRig = await startRig({ server: (dir) => startServerProcess(dir), browser: NO_BROWSER });
      });
      after(() => crashRig?.close());

      test('resumes from what reached the disk once the server is back', TIMEOUT, async (t) => {
        const chunk = 4 * MiB;
        const file = await crashRig.file(12 * MiB + 777);
        const at = chunk + 3 * MiB + 5;
        let killed = false;
        const frozen = crashRig.proxy.inject({ kind: 'freeze', at });
        const run = await upload(crashRig, driver, file, {
          chunkSize: chunk,
          retryDelays: [0, 250, 500, 1000, 2000, 3000, 5000],
          during: async (page) => {
            await frozen;
            const fileId = (await harnessLog(page))[0].fileId!;
            const deadline = performance.now() + 5000;
            while ((await partialSize(crashRig.server.dir, fileId)) < at && performance.now() < deadline)
              await new Promise((r) => setTimeout(r, 20));
            await crashRig.server.kill();
            killed = true;
            await new Promise((r) => setTimeout(r, 500));
            await crashRig.server.restart();
          },
        });
        describeRun(t, file, run);
        assert.ok(killed, 'the server was killed');
        await assertStored(crashRig, file, run);
        assertWire(run, file, chunk, 1);
        const resumed = run.posts.find((p) => p.status === 200 && (p.start ?? 0) >= chunk);
        assert.equal(
          resumed?.start,
          at,
          'the restarted server kept every byte it had written before the kill',
        );
      });
    });

    describe('behind nginx with request buffering and client_max_body_size 1m', () => {
      let nginxRig: Rig;
      before(async () => {
        nginxRig = await startRig({
          browser: NO_BROWSER,
          front: (upstreamPort, tmp) =>
            startNginx(`${tmp}/nginx`, { upstreamPort, maxBody: '1m', requestBuffering: true }),
        });
      });
      after(() => nginxRig?.close());

      test('its 413s shrink the chunk until it passes, and the upload completes', TIMEOUT, async (t) => {
        const file = await nginxRig.file(8 * MiB + 1234);
        const chunk = 4 * MiB;
        const run = await upload(nginxRig, driver, file, { ...client, chunkSize: chunk });
        describeRun(t, file, run);
        await assertStored(nginxRig, file, run);
        const refused = run.posts.filter((p) => p.status !== 200).length;
        assert.ok(refused >= 2, `${refused} refused requests`);
        assertWire(run, file, chunk, 2);
        assert.ok(
          run.posts.filter((p) => p.status === 200).every((p) => p.contentLength <= MiB),
          'only bodies within the limit got through',
        );
      });
    });
  });
}
