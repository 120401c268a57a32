// The element in tus and IETF mode against our own server, through the fault proxy, with the fault list
// of the status-upload scenarios. tus runs every fault. IETF runs the faults where its client differs
// from tus's: the offset after a cut inside a chunk (a 2xx append names no offset in interop 8), the
// final append (`Upload-Complete: ?1`) cut, a lost acknowledgement, a 503 on the offset request (HEAD
// answers 204), the remembered URL (expiry from `Upload-Limit: max-age`) across a reload, and nginx's
// 413s. It skips the rest to keep the suite short: the other cuts are the same offset arithmetic, and
// SIGKILL and offline exercise the server's store and the engine's network wait, which tus covers on
// the same server and engine (both protocols share the server's upload namespace and store).
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startNginx } from './support/nginx.js';
import { startRig, type Rig } from './support/rig.js';
import { SCENARIOS, nginxBodyLimit, type ScenarioName } from './support/scenarios.js';
import { startServer, startServerProcess, type ServerProcess } from './support/server.js';

const MATRIX: Record<'tus' | 'ietf', ScenarioName[]> = {
  tus: Object.keys(SCENARIOS) as ScenarioName[],
  ietf: [
    'cut inside a chunk',
    "cut at the file's last byte",
    'lost acknowledgement',
    '503 after a cut',
    'reload and pick again',
  ],
};

describe('tus and IETF against our server', () => {
  let browser: Browser;
  before(async () => (browser = await launchBrowser()));
  after(() => browser?.close());

  describe('direct (the CLI, so it can be killed)', () => {
    let rig: Rig<ServerProcess>;
    before(async () => (rig = await startRig({ server: (dir) => startServerProcess(dir), browser })));
    after(() => rig?.close());

    for (const protocol of ['tus', 'ietf'] as const)
      for (const name of MATRIX[protocol])
        test(`${protocol}: ${SCENARIOS[name].title}`, (t) => SCENARIOS[name].run(rig, protocol, t));
  });

  describe('behind nginx with request buffering and client_max_body_size 1m', () => {
    let rig: Rig;
    before(
      async () =>
        (rig = await startRig({
          server: (dir) => startServer(dir),
          front: (upstreamPort, tmp) =>
            startNginx(`${tmp}/nginx`, { upstreamPort, maxBody: '1m', requestBuffering: true }),
          browser,
        })),
    );
    after(() => rig?.close());

    for (const protocol of ['tus', 'ietf'] as const)
      test(`${protocol}: nginx's 413s shrink the appends until they pass, and the upload completes`, (t) =>
        nginxBodyLimit(rig, protocol, t));
  });
});
