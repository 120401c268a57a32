// The fault list of network-cut, server-crash, offline, reload-resume and nginx, as scenarios any
// protocol and any back end run (see protocols-*.test.ts). Each ends byte-identical, within one chunk of
// wire bytes per fault, and (tus, IETF) on the one upload it created: a fault never starts it over.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { eventLog, mount, pause, pick, remembered, settle, type ProtocolName } from './browser.js';
import { MiB } from './files.js';
import type { RequestRecord } from './proxy.js';
import {
  assertStored,
  assertWire as assertWireOnly,
  browserResends,
  describeRequests,
  describeRun,
  lostByServer,
  upload,
  uploadUrlOf,
  type Rig,
  type UploadRun,
} from './rig.js';
import { partialSize, type ServerHandle, type ServerProcess } from './server.js';

const RETRY = [0, 100, 300, 500, 1000];
const isOk = (r: RequestRecord) => r.status !== null && r.status >= 200 && r.status <= 299;

/** tus/IETF creations among `requests` (a POST to the endpoint). */
export const creations = (requests: readonly RequestRecord[]) =>
  requests.filter((r) => r.method === 'POST' && /^\/files\/?(\?|$)/.test(r.path)).length;

/** Stored byte-identical, and a tus/IETF upload was created once: every fault was resumed, not restarted. */
async function assertResumed(
  rig: Rig<ServerHandle>,
  file: Parameters<typeof assertStored>[1],
  run: UploadRun,
  protocol: ProtocolName,
): Promise<void> {
  await assertStored(rig, file, run);
  if (protocol !== 'status-upload') {
    assert.ok(run.uploadUrl, 'the run had an upload URL');
    assert.equal(creations(run.requests), 1, 'the upload was created once');
  }
}

/**
 * assertWire, allowing what the server lost of broken requests where it may lose some, and the browser's
 * own re-sends a server provokes (see ServerHandle). Ours may do neither: after every break the upload
 * goes on exactly from the last byte that reached the server, within one chunk per fault.
 */
function assertWire(
  rig: Rig<ServerHandle>,
  run: UploadRun,
  file: Parameters<typeof assertWireOnly>[1],
  chunkSize: number,
  faults: number,
): void {
  const lost = lostByServer(run);
  if (!rig.server.losesBufferedBytes)
    assert.equal(lost, 0, `the server kept every byte that reached it: ${describeRequests(run.requests)}`);
  // The first re-send is within the fault's chunk; the ones after it are the server's doing.
  const resent = browserResends(run)
    .slice(1)
    .reduce((n, r) => n + r.received, 0);
  assertWireOnly(run, file, chunkSize, faults, 0, lost + (rig.server.provokesResends ? resent : 0));
}

/** The offset a tus or IETF HEAD answers for `uploadUrl`, asked of the server itself. */
export async function headOffset(
  server: ServerHandle,
  protocol: 'tus' | 'ietf',
  uploadUrl: string,
): Promise<number> {
  const headers: Record<string, string> =
    protocol === 'tus' ? { 'Tus-Resumable': '1.0.0' } : { 'Upload-Draft-Interop-Version': '8' };
  const res = await fetch(new URL(new URL(uploadUrl).pathname, server.url), { method: 'HEAD', headers });
  assert.equal(res.status, protocol === 'tus' ? 200 : 204, `HEAD ${uploadUrl} answered ${res.status}`);
  return Number(/^\d+/.exec(res.headers.get('Upload-Offset') ?? '')?.[0] ?? NaN);
}

/** Polls `read` every 50 ms until `done(value)`; fails after `ms` with the last value. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, ms = 10_000) {
  const deadline = performance.now() + ms;
  for (let v = await read(); ; v = await read()) {
    if (done(v)) return v;
    if (performance.now() > deadline) assert.fail(`${what}: still ${String(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SIZE = 6 * MiB + 12345;
const CHUNK = 2 * MiB;

export type ScenarioName =
  | 'cut at the first byte'
  | 'cut inside a chunk'
  | "cut at a chunk's last byte"
  | "cut at the file's last byte"
  | 'lost acknowledgement'
  | '503 after a cut'
  | 'server killed'
  | 'offline'
  | 'reload and pick again';

export interface Scenario {
  /** The test's title: the behaviour a user relies on. */
  title: string;
  /** Rigs whose server can be killed and restarted: 'server killed' needs one. */
  run(rig: Rig<ServerProcess>, protocol: ProtocolName, t: TestContext): Promise<void>;
}

function cut(where: string, at: number): Scenario {
  return {
    title: `resumes when the connection is cut ${where}`,
    async run(rig, protocol, t) {
      const file = await rig.file(SIZE);
      void rig.proxy.inject({ kind: 'cut', at });
      const run = await upload(rig, file, { chunkSize: CHUNK, retryDelays: RETRY, protocol });
      t.diagnostic(describeRun(file, run));
      assert.equal(rig.proxy.pendingFaults, 0, 'the cut happened');
      await assertResumed(rig, file, run, protocol);
      assertWire(rig, run, file, CHUNK, 1);
    },
  };
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  'cut at the first byte': cut('at the first byte', 0),
  'cut inside a chunk': cut('inside a chunk', CHUNK + 700 * 1024 + 17),
  "cut at a chunk's last byte": cut("at a chunk's last byte", 2 * CHUNK - 1),
  "cut at the file's last byte": cut("at the file's last byte", SIZE - 1),

  'lost acknowledgement': {
    title: 'a response lost after the server stored the chunk costs at most that chunk again',
    async run(rig, protocol, t) {
      const file = await rig.file(SIZE);
      void rig.proxy.inject({ kind: 'drop-response' });
      const run = await upload(rig, file, { chunkSize: CHUNK, retryDelays: RETRY, protocol });
      t.diagnostic(describeRun(file, run));
      assert.equal(rig.proxy.pendingFaults, 0, 'a response was dropped');
      await assertResumed(rig, file, run, protocol);
      assertWire(rig, run, file, CHUNK, 1);
    },
  },

  '503 after a cut': {
    title: 'resumes when the request after a cut answers 503',
    async run(rig, protocol, t) {
      const file = await rig.file(SIZE);
      // Deep into the chunk, so the server keeps a part: the offset request that follows (the engine's,
      // or after the browser's own re-send got 409) is answered 503.
      void rig.proxy.inject({ kind: 'cut', at: CHUNK + 700 * 1024 });
      void rig.proxy.inject({ kind: 'status-503' });
      const run = await upload(rig, file, { chunkSize: CHUNK, retryDelays: RETRY, protocol });
      t.diagnostic(describeRun(file, run));
      assert.equal(rig.proxy.pendingFaults, 0, 'every fault happened');
      await assertResumed(rig, file, run, protocol);
      assertWire(rig, run, file, CHUNK, 1);
      const statuses = run.log.filter((e) => e.type === 'upload-retry').map((e) => e.error?.status);
      assert.ok(statuses.includes(503), `the 503 was retried (retries: ${statuses.join(', ')})`);
    },
  },

  'server killed': {
    title: 'resumes from what reached the disk when the server is killed mid-write and restarted',
    async run(rig, protocol, t) {
      const chunk = 4 * MiB;
      const file = await rig.file(12 * MiB + 777);
      const at = chunk + 3 * MiB + 5;
      let killedAt = 0;
      // The proxy stops mid-chunk; once the server has written what it got (not yet fsynced), it dies.
      const frozen = rig.proxy.inject({ kind: 'freeze', at });
      const run = await upload(rig, file, {
        chunkSize: chunk,
        retryDelays: [0, 250, 500, 1000, 2000, 3000, 5000],
        protocol,
        during: async (page) => {
          await frozen;
          const url = uploadUrlOf(rig.proxy.requests);
          const fileId = (await eventLog(page))[0].fileId!;
          const onDisk = () =>
            url
              ? stat(rig.server.uploadPath(url, 'partial')).then(
                  (s) => s.size,
                  () => 0,
                )
              : partialSize(rig.server.dir, fileId);
          await until(onDisk, (n) => n >= at, 'bytes on disk before the kill', 5000);
          await rig.server.kill();
          killedAt = performance.now();
          // Down for a while: the browser's requests meanwhile are refused.
          await new Promise((r) => setTimeout(r, 500));
          await rig.server.restart();
          t.diagnostic(`server down for ${Math.round(performance.now() - killedAt)} ms`);
        },
      });
      t.diagnostic(describeRun(file, run));
      assert.ok(killedAt > 0, 'the server was killed');
      await assertResumed(rig, file, run, protocol);
      assertWire(rig, run, file, chunk, 1);
      const resumed = run.posts.find((p) => isOk(p) && (p.start ?? 0) >= chunk);
      assert.equal(resumed?.start, at, 'the restarted server kept every byte it had written before the kill');
    },
  },

  offline: {
    title: 'waits offline for the network instead of spending its retries, then finishes',
    async run(rig, protocol, t) {
      const file = await rig.file(10 * MiB + 99);
      const offlineMs = 3000;
      // A modest link, so the tab goes offline with a request on the wire.
      rig.proxy.throttle({ bytesPerSecond: 4 * MiB });
      try {
        const run = await upload(rig, file, {
          chunkSize: CHUNK,
          retryDelays: [0, 100, 300],
          stallTimeout: 20_000,
          protocol,
          during: async (page, context) => {
            await page.waitForFunction((n) => window.harness.uploaded() >= n, 2 * CHUNK + MiB / 2, {
              polling: 20,
            });
            await context.setOffline(true);
            await new Promise((r) => setTimeout(r, offlineMs));
            await context.setOffline(false);
          },
        });
        t.diagnostic(describeRun(file, run));
        await assertResumed(rig, file, run, protocol);
        assertWire(rig, run, file, CHUNK, 1);
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
    },
  },

  'reload and pick again': {
    title: 'after pause, reload and the same pick, resumes from the server offset (the remembered URL)',
    async run(rig, protocol, t) {
      assert.notEqual(protocol, 'status-upload', 'reload-resume.test.ts covers status-upload');
      const p = protocol as 'tus' | 'ietf';
      const file = await rig.file(12 * MiB + 5);
      const options = { chunkSize: CHUNK, retryDelays: RETRY, protocol };
      const context = await rig.browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${rig.proxy.url}/index.html`);
        await mount(page, rig.proxy.url, 'element', options);
        // Hold the third chunk mid-body, and pause there, as a user would mid-upload.
        const frozen = rig.proxy.inject({ kind: 'freeze', at: 2 * CHUNK + MiB, ms: 1000 });
        await pick(page, 'element', file.path);
        await frozen;
        await pause(page);
        const held = rig.proxy.requests.find((r) => r.fault === 'freeze' && !r.closed)!;
        const urls = Object.entries(await remembered(page)).filter(([k]) =>
          k.startsWith(`resumable-upload:${p}:`),
        );
        assert.equal(urls.length, 1, `one upload URL remembered (${JSON.stringify(urls)})`);
        const url = urls[0][1];

        // What the server holds once the paused request is over: all that crossed before the freeze (or,
        // from a server that may lose buffered bytes, what it answers twice in a row).
        await until(async () => held.closed, Boolean, 'the paused request ended');
        const sent = held.start! + held.forwarded;
        let previous = -1;
        const offset = await until(
          () => headOffset(rig.server, p, url),
          (n) => {
            const settled = n === sent || (!!rig.server.losesBufferedBytes && n === previous);
            previous = n;
            return settled;
          },
          `the offset the server answers (${sent} B reached it)`,
        );
        assert.ok(offset > 2 * CHUNK && offset <= sent, `the server holds ${offset} bytes`);

        await page.reload();
        await mount(page, rig.proxy.url, 'element', options);
        const first = rig.proxy.requests.length;
        await pick(page, 'element', file.path);
        const run = await settle(page);
        const requests = rig.proxy.requests.slice(first);
        const appends = rig.proxy.uploads().filter((r) => requests.includes(r));
        const wire = appends.reduce((n, r) => n + r.received, 0);
        t.diagnostic(
          `server held ${offset} of ${file.size}; after reload ${wire} B crossed (size - offset = ${file.size - offset}); ` +
            requests.map((r) => `${r.method} ${r.start ?? ''}+${r.received}:${r.status ?? '-'}`).join(' '),
        );
        assert.equal(creations(requests), 0, 'no new upload was created after the reload');
        await assertStored(rig, file, { ...run, uploadUrl: url });
        assert.equal(
          appends[0]?.start,
          offset,
          'the first append after the reload starts at the server offset',
        );
        assert.equal(wire, file.size - offset, 'nothing the server held was sent again');
        assert.deepEqual(await remembered(page), {}, 'the completed upload is forgotten');
      } finally {
        await context.close();
      }
    },
  },
};

/** Behind nginx with request buffering and `client_max_body_size 1m` (nginx.test.ts's first rig). */
export async function nginxBodyLimit(
  rig: Rig<ServerHandle>,
  protocol: ProtocolName,
  t: TestContext,
): Promise<void> {
  const file = await rig.file(8 * MiB + 1234);
  const chunk = 4 * MiB;
  const run = await upload(rig, file, { chunkSize: chunk, retryDelays: RETRY, protocol });
  t.diagnostic(describeRun(file, run));
  await assertResumed(rig, file, run, protocol);
  const refused = run.posts.filter((p) => !isOk(p)).length;
  // 4 MiB -> 2 MiB -> 1 MiB: two refusals, each costing at most the chunk it carried.
  assert.ok(refused >= 2, `${refused} refused requests`);
  assertWire(rig, run, file, chunk, 2);
  assert.ok(
    run.posts.filter(isOk).every((p) => p.contentLength <= MiB),
    'only bodies within the limit got through',
  );
}
