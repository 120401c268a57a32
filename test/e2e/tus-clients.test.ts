// Real clients no one here wrote, in real Chromium, through the fault proxy to our server: tus-js-client
// (tus 1.0 and the IETF draft) and Uppy with @uppy/tus. Each upload must end byte-identical.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { ClientOptions } from './fixtures/tus-clients/types.js';
import { MiB, sha256File, type SourceFile } from './support/files.js';
import { startRig, type Rig } from './support/rig.js';
import { startServer } from './support/server.js';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/tus-clients');
const SIZE = 12 * MiB + 4321;
const CHUNK = 4 * MiB;
const RETRY = [0, 100, 300, 500, 1000];

/** The server keeps uploads in <tmp>/store; bundles go to <tmp>/www, served before the fixtures. */
const wwwOf = (store: string): string => join(store, '..', 'www');

describe('tus clients in Chromium against our server', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ server: (dir) => startServer(dir, { static: [wwwOf(dir)] }) });
    // One build per entry; the page finds them at /tus-clients/build/.
    await build({
      entryPoints: [join(FIXTURE, 'tus-js-client.ts'), join(FIXTURE, 'uppy.ts')],
      outdir: join(wwwOf(rig.server.dir), 'tus-clients', 'build'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'warning',
    });
  });
  after(() => rig?.close());

  /** Picks `file` in a fresh page and uploads it with `client`; resolves with the upload URL. */
  async function uploadWith(
    client: 'tusJsClient' | 'uppyTus',
    file: SourceFile,
    options: Omit<ClientOptions, 'endpoint' | 'retryDelays'>,
  ): Promise<string> {
    const context = await rig.browser.newContext();
    try {
      const page: Page = await context.newPage();
      page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
      const res = await page.goto(`${rig.proxy.url}/tus-clients/index.html`);
      assert.ok(res?.ok(), `the test page answered ${res?.status()}`);
      await page.waitForFunction(() => 'tusJsClient' in window && 'uppyTus' in window);
      await page.locator('#picker').setInputFiles(file.path);
      const opts: ClientOptions = { endpoint: `${rig.proxy.url}/files/`, retryDelays: RETRY, ...options };
      return await page.evaluate(([name, o]) => window[name](o), [client, opts] as const);
    } finally {
      await context.close();
    }
  }

  /** The server completed the upload at `url` and holds exactly the source's bytes. */
  async function assertStored(url: string, file: SourceFile): Promise<void> {
    const id = new URL(url).pathname.split('/').pop()!;
    assert.equal(
      await sha256File(rig.server.storedPath(id)),
      file.sha256,
      'the stored file differs from the source',
    );
  }

  const cases: Array<[string, 'tusJsClient' | 'uppyTus', ClientOptions['protocol']]> = [
    ['tus-js-client (tus 1.0)', 'tusJsClient', 'tus-v1'],
    ['tus-js-client (IETF draft-05)', 'tusJsClient', 'ietf-draft-05'],
    ['Uppy + @uppy/tus', 'uppyTus', undefined],
  ];
  for (const [name, client, protocol] of cases) {
    test(`${name} resumes after a cut at an exact byte and stores the file byte-identical`, async (t) => {
      const file = await rig.file(SIZE);
      const first = rig.proxy.requests.length;
      const at = CHUNK + 1234567;
      const cut = rig.proxy.inject({ kind: 'cut', at });
      const url = await uploadWith(client, file, { chunkSize: CHUNK, ...(protocol ? { protocol } : {}) });
      await cut;
      t.diagnostic(
        rig.proxy.requests
          .slice(first)
          .filter((r) => r.path.startsWith('/files'))
          .map((r) => `${r.method} ${r.start ?? ''}+${r.received}:${r.status ?? '-'}`)
          .join(' '),
      );
      await assertStored(url, file);
      // Chromium may re-send the cut PATCH by itself (409: the server kept its first part); the client then
      // asks HEAD and goes on from the kept bytes, never from 0 again.
      const appends = rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= first);
      const cutAt = appends.findIndex((r) => r.fault === 'cut');
      assert.ok(cutAt > 0 && appends.length > SIZE / CHUNK, `several appends (${appends.length})`);
      const resumed = appends.slice(cutAt + 1).find((r) => r.status !== 409)!;
      assert.ok(
        resumed.start! > CHUNK && resumed.start! <= at,
        `the append after the cut starts at ${resumed.start}, inside what crossed before byte ${at}`,
      );
    });
  }
});
