// diagnose(), request by request: what it asks the server, what it leaves behind, and the report it makes
// of each answer. Bounds are tiny (1 KiB to 8 KiB) so each body probe is one scripted request.
import { expect } from '@open-wc/testing';
import { Uploader, tus, type DiagnosisReport } from '../../src/engine/index.js';
import {
  ScriptedServer,
  startMockServer,
  stopMockServer,
  type ScriptedRequest,
} from '../support/scripted-server.js';
import { MemoryStorage } from '../support/url-storage.js';

const KiB = 1024;
const BOUNDS = { minBody: KiB, maxBody: 8 * KiB, samples: 2, streamWait: 300 };
const nginx413 =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';

/** id -> ok of every finding, streaming left out (whether this browser can stream to MSW is not the point). */
const verdicts = (r: DiagnosisReport) =>
  Object.fromEntries(r.findings.filter((f) => f.id !== 'streaming').map((f) => [f.id, f.ok]));

describe('diagnose()', () => {
  let server: ScriptedServer;

  before(startMockServer);
  after(stopMockServer);
  beforeEach(() => (server = new ScriptedServer()));
  afterEach(() => server.close());

  /** Answers every request of the streaming probe (it may or may not come) until `done` settles. */
  async function answerRest(done: Promise<unknown>, answer: (r: ScriptedRequest) => void): Promise<void> {
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      const r = await server.next(2000).catch(() => null);
      if (r) answer(r);
    }
  }

  describe('status-upload', () => {
    const uploader = () => new Uploader({ statusUrl: server.statusUrl, uploadUrl: server.uploadUrl });

    it('against a server that takes everything: every finding ok, chunk size 0, nothing named after a real file', async () => {
      const done = uploader().diagnose(BOUNDS);
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const r = (await server.next()).expectRequest('GET', server.statusUrl);
        ids.add(r.header('X-File-Id')!);
        r.respond(200, '0');
      }
      const post = (await server.next()).expectRequest('POST', server.uploadUrl);
      expect(post.header('X-Start-Byte')).to.equal('0');
      // Without X-File-Size the probe never completes, so no completion hook runs for it.
      expect(post.header('X-File-Size')).to.equal(null);
      expect(post.body.byteLength).to.equal(8 * KiB);
      ids.add(post.header('X-File-Id')!);
      post.respond(200, String(8 * KiB));
      await answerRest(done, (r) => r.respond(200, r.method === 'GET' ? '0' : '16'));
      const report = await done;
      for (const id of ids) expect(id).to.match(/^resumable-upload-diagnose-/);
      expect(verdicts(report)).to.deep.equal({
        reachable: true,
        protocol: true,
        'round-trip': true,
        cors: true,
        'body-limit': true,
      });
      expect(report.ok).to.equal(report.findings.every((f) => f.ok));
      expect([report.largestBody, report.chunkSize, report.crossOrigin]).to.deep.equal([8 * KiB, 0, false]);
      expect(report.roundTripMs).to.be.a('number');
      expect(report.findings.find((f) => f.id === 'protocol')!.detail).to.contain('answers a byte count (0)');
    });

    it("behind a proxy's body limit: binary search below the bound, and the fix names the chunk size", async () => {
      const done = uploader().diagnose(BOUNDS);
      for (let i = 0; i < 3; i++)
        (await server.next()).expectRequest('GET', server.statusUrl).respond(200, '0');
      const sent: number[] = [];
      // 8 KiB refused (nginx's page), 2 KiB passes, 4 KiB refused: the largest is 2 KiB.
      for (const [length, status] of [
        [8 * KiB, 413],
        [2 * KiB, 200],
        [4 * KiB, 413],
      ] as const) {
        const r = (await server.next()).expectRequest('POST', server.uploadUrl);
        sent.push(r.body.byteLength);
        expect(r.body.byteLength).to.equal(length);
        if (status === 413) r.respond(413, nginx413, { 'Content-Type': 'text/html' });
        else r.respond(200, String(length));
      }
      await answerRest(done, (r) => r.respond(200, r.method === 'GET' ? '0' : '16'));
      const report = await done;
      expect([report.largestBody, report.chunkSize]).to.deep.equal([2 * KiB, 2 * KiB]);
      const limit = report.findings.find((f) => f.id === 'body-limit')!;
      expect(limit.ok).to.equal(false);
      expect(limit.detail).to.contain('The largest body that passes is 2 KiB');
      expect(limit.detail).to.contain('A 4 KiB body got 413: Request Entity Too Large (from a proxy)');
      expect(limit.fix).to.contain('chunk-size="2048"');
      expect(report.ok).to.equal(false);
    });

    it('a status URL that answers HTML: not an upload endpoint, and nothing is uploaded', async () => {
      const done = uploader().diagnose(BOUNDS);
      (await server.next())
        .expectRequest('GET', server.statusUrl)
        .respond(200, '<!doctype html><title>Shop</title>', { 'Content-Type': 'text/html' });
      const report = await done;
      await server.expectNoRequest();
      const protocol = report.findings.find((f) => f.id === 'protocol')!;
      expect(protocol.ok).to.equal(false);
      expect(protocol.detail).to.contain(
        'answered a web page (200), not the protocol: not an upload endpoint',
      );
      expect(protocol.fix).to.contain('status-url');
      expect(report.findings.map((f) => f.id)).to.deep.equal(['reachable', 'protocol']);
    });

    it('no answer at all: not reachable, and the fix names the URLs to check', async () => {
      const done = uploader().diagnose(BOUNDS);
      (await server.next()).networkError();
      const report = await done;
      expect(report.findings).to.have.length(1);
      const [reachable] = report.findings;
      expect([reachable.id, reachable.ok]).to.deep.equal(['reachable', false]);
      expect(reachable.fix).to.contain('status-url, upload-url');
      expect(report.roundTripMs).to.equal(null);
    });
  });

  describe('tus', () => {
    const uploader = () =>
      new Uploader({ protocol: tus({ storage: new MemoryStorage() }), endpoint: server.endpoint });
    const TUS = { 'Tus-Resumable': '1.0.0' };

    it('asks OPTIONS for Tus-Version, probes a throwaway upload that never completes, and deletes it', async () => {
      const done = uploader().diagnose(BOUNDS);
      for (let i = 0; i < 3; i++)
        (await server.next())
          .expectRequest('OPTIONS', server.endpoint)
          .respond(204, '', { ...TUS, 'Tus-Version': '1.0.0' });
      const create = (await server.next()).expectRequest('POST', server.endpoint);
      // One byte more than is sent: never complete.
      expect(create.header('Upload-Length')).to.equal(String(8 * KiB + 1));
      create.respond(201, '', { ...TUS, Location: `${server.endpoint}probe1` });
      const patch = (await server.next()).expectRequest('PATCH', `${server.endpoint}probe1`);
      expect([patch.header('Upload-Offset'), patch.body.byteLength]).to.deep.equal(['0', 8 * KiB]);
      patch.respond(204, '', { ...TUS, 'Upload-Offset': String(8 * KiB) });
      (await server.next()).expectRequest('DELETE', `${server.endpoint}probe1`).respond(204, '', TUS);
      // The streaming probe, where this browser can send one, makes (and deletes) one more.
      const created: string[] = [];
      const deleted: string[] = [];
      await answerRest(done, (r) => {
        if (r.method === 'POST') {
          created.push(`${server.endpoint}probe2`);
          r.respond(201, '', { ...TUS, Location: `${server.endpoint}probe2` });
        } else {
          if (r.method === 'DELETE') deleted.push(r.url);
          r.respond(204, '', { ...TUS, 'Upload-Offset': '0' });
        }
      });
      const report = await done;
      expect(deleted, 'every throwaway upload is deleted').to.deep.equal(created);
      expect(verdicts(report)).to.deep.equal({
        reachable: true,
        protocol: true,
        'round-trip': true,
        cors: true,
        'body-limit': true,
      });
      expect(report.findings.find((f) => f.id === 'protocol')!.detail).to.contain('Tus-Version: 1.0.0');
    });

    it('an endpoint whose OPTIONS has no Tus-Version is not a tus server', async () => {
      const done = uploader().diagnose(BOUNDS);
      (await server.next())
        .expectRequest('OPTIONS', server.endpoint)
        .respond(204, '', { Allow: 'GET, POST' });
      const report = await done;
      const protocol = report.findings.find((f) => f.id === 'protocol')!;
      expect(protocol.ok).to.equal(false);
      expect(protocol.detail).to.contain('without Tus-Version');
      await server.expectNoRequest();
    });
  });
});
