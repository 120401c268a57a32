// `integrity` request by request, for each protocol: the digests each request carries where the server
// asked for them (and none where it did not), the body a server refuses as damaged sent again alone, and
// the SHA-256 the complete event carries. The digests are checked against WebCrypto's of the same bytes.
import { expect } from '@open-wc/testing';
import { Uploader, ietf, tus, type UploaderOptions } from '../../src/engine/index.js';
import { EventLog } from '../support/engine-events.js';
import { articleId, makeFile, sha256Hex, sourceBytes } from '../support/files.js';
import { ScriptedServer, startMockServer, stopMockServer } from '../support/scripted-server.js';
import { MemoryStorage } from '../support/url-storage.js';

const KiB = 1024;
const CHUNK = 64 * KiB;
const WANT = { 'Want-Content-Digest': 'sha-256=10', 'Want-Repr-Digest': 'sha-256=10' };

async function b64(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))));
}
/** RFC 9530 field of the file's bytes `start` to `end`. */
const field = async (file: File, start = 0, end = file.size) =>
  `sha-256=:${await b64(sourceBytes(file).slice(start, end))}:`;

describe('integrity', () => {
  let server: ScriptedServer;
  let uploaders: Uploader[];

  before(startMockServer);
  after(stopMockServer);
  beforeEach(() => {
    server = new ScriptedServer();
    uploaders = [];
  });
  afterEach(() => {
    for (const u of uploaders) u.clear();
    server.close();
  });

  function start(options: Partial<UploaderOptions> = {}) {
    const uploader = new Uploader({
      statusUrl: server.statusUrl,
      uploadUrl: server.uploadUrl,
      endpoint: server.endpoint,
      chunkSize: CHUNK,
      integrity: true,
      ...options,
    });
    uploaders.push(uploader);
    return { uploader, log: new EventLog(uploader) };
  }

  describe('status-upload', () => {
    it('sends Content-Digest on every POST and Repr-Digest on the last; complete carries the agreed SHA-256', async () => {
      const { uploader, log } = start();
      const file = makeFile(150 * KiB);
      uploader.add([file]);
      (await server.next()).expectStatus(articleId(file)).respond(200, '0', WANT);
      for (const [at, end] of [
        [0, CHUNK],
        [CHUNK, 2 * CHUNK],
      ]) {
        const r = (await server.next()).expectChunk(file, articleId(file), at, end);
        r.expectHeaders({ 'Content-Digest': await field(file, at, end), 'Repr-Digest': null });
        r.respond(200, String(end));
      }
      const last = (await server.next()).expectChunk(file, articleId(file), 2 * CHUNK, file.size);
      last.expectHeaders({
        'Content-Digest': await field(file, 2 * CHUNK),
        'Repr-Digest': await field(file),
      });
      last.respond(200, String(file.size), { 'Repr-Digest': await field(file) });
      const done = await log.next('upload-complete');
      expect(done.sha256).to.equal(await sha256Hex(sourceBytes(file)));
      expect(done.verified).to.equal(true);
      await server.expectNoRequest();
    });

    it('a body refused as damaged (409) is sent again alone, from the offset status answers', async () => {
      const { uploader, log } = start();
      const file = makeFile(3 * CHUNK);
      uploader.add([file]);
      (await server.next()).expectStatus(articleId(file)).respond(200, '0', WANT);
      (await server.next()).expectChunk(file, articleId(file), 0, CHUNK).respond(200, String(CHUNK));
      (await server.next())
        .expectChunk(file, articleId(file), CHUNK, 2 * CHUNK)
        .respond(409, 'Content-Digest does not match the body: nothing of it was kept (65536 bytes stored)');
      (await server.next()).expectStatus(articleId(file)).respond(200, String(CHUNK), WANT);
      const again = (await server.next()).expectChunk(file, articleId(file), CHUNK, 2 * CHUNK);
      again.expectHeaders({ 'Content-Digest': await field(file, CHUNK, 2 * CHUNK) });
      again.respond(200, String(2 * CHUNK));
      (await server.next())
        .expectChunk(file, articleId(file), 2 * CHUNK, file.size)
        .expectHeaders({ 'Repr-Digest': await field(file) })
        .respond(200, String(file.size), { 'Repr-Digest': await field(file) });
      expect((await log.next('upload-complete')).verified).to.equal(true);
      const posted = server.log.filter((r) => r.method === 'POST').map((r) => r.header('X-Start-Byte'));
      expect(posted, 'only the damaged body twice').to.deep.equal(['0', '65536', '65536', '131072']);
      expect(log.of('upload-retry'), 'no retry spent').to.deep.equal([]);
    });

    it("the article's server asks for no digest: none is sent, and it completes unverified", async () => {
      const { uploader, log } = start({ chunkSize: 0 });
      const file = makeFile(100 * KiB);
      uploader.add([file]);
      (await server.next()).expectStatus(articleId(file)).respond(200, '0');
      const post = (await server.next()).expectChunk(file, articleId(file), 0, file.size);
      post.expectHeaders({ 'Content-Digest': null, 'Repr-Digest': null });
      post.respond(200, 'ok');
      (await server.next()).expectStatus(articleId(file)).respond(200, String(file.size));
      const done = await log.next('upload-complete');
      expect(done.sha256, 'still computed').to.equal(await sha256Hex(sourceBytes(file)));
      expect(done.verified).to.equal(false);
    });

    it('without integrity nothing is digested or sent', async () => {
      const { uploader, log } = start({ integrity: false });
      const file = makeFile(10 * KiB);
      uploader.add([file]);
      (await server.next()).expectStatus(articleId(file)).respond(200, '0', WANT);
      (await server.next())
        .expectChunk(file, articleId(file), 0, file.size)
        .expectHeaders({ 'Content-Digest': null, 'Repr-Digest': null })
        .respond(200, String(file.size));
      const done = await log.next('upload-complete');
      expect([done.sha256, done.verified]).to.deep.equal([null, false]);
    });
  });

  describe('tus', () => {
    it('asks OPTIONS, sends Upload-Checksum and, last, Repr-Digest; a 460 resends that body alone', async () => {
      const { uploader, log } = start({ protocol: tus({ storage: new MemoryStorage() }) });
      const file = makeFile(2 * CHUNK + 100);
      uploader.add([file]);
      const url = `${server.endpoint}t1`;
      (await server.next()).expectRequest('OPTIONS', server.endpoint).respond(204, '', {
        'Tus-Resumable': '1.0.0',
        'Tus-Extension': 'creation,checksum',
        'Tus-Checksum-Algorithm': 'sha1,sha256',
        'Want-Repr-Digest': 'sha-256=10',
      });
      (await server.next())
        .expectRequest('POST', server.endpoint)
        .respond(201, '', { Location: url, 'Tus-Resumable': '1.0.0' });
      const sum = async (s: number, e: number) => `sha256 ${await b64(sourceBytes(file).slice(s, e))}`;
      (await server.next())
        .expectRequest('PATCH', url)
        .expectBody(file, 0, CHUNK)
        .expectHeaders({ 'Upload-Checksum': await sum(0, CHUNK), 'Repr-Digest': null })
        .respond(204, '', { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(CHUNK) });
      (await server.next())
        .expectRequest('PATCH', url)
        .expectBody(file, CHUNK, 2 * CHUNK)
        .respond(460, 'Checksum mismatch: nothing of this request was kept', { 'Tus-Resumable': '1.0.0' });
      (await server.next())
        .expectRequest('HEAD', url)
        .respond(200, '', { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(CHUNK) });
      (await server.next())
        .expectRequest('PATCH', url)
        .expectBody(file, CHUNK, 2 * CHUNK)
        .expectHeaders({ 'Upload-Checksum': await sum(CHUNK, 2 * CHUNK) })
        .respond(204, '', { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(2 * CHUNK) });
      (await server.next())
        .expectRequest('PATCH', url)
        .expectBody(file, 2 * CHUNK, file.size)
        .expectHeaders({
          'Upload-Checksum': await sum(2 * CHUNK, file.size),
          'Repr-Digest': await field(file),
        })
        .respond(204, '', {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': String(file.size),
          'Repr-Digest': await field(file),
        });
      const done = await log.next('upload-complete');
      expect([done.sha256, done.verified]).to.deep.equal([await sha256Hex(sourceBytes(file)), true]);
      expect(log.of('upload-retry'), 'the 460 spent no retry').to.deep.equal([]);
      const patched = server.log.filter((r) => r.method === 'PATCH').map((r) => r.header('Upload-Offset'));
      expect(patched, 'only the damaged body twice').to.deep.equal(['0', '65536', '65536', '131072']);
    });

    it('a tus server without checksums (@tus/server) gets no digest headers and completes', async () => {
      const { uploader, log } = start({ protocol: tus({ storage: new MemoryStorage() }), chunkSize: 0 });
      const file = makeFile(20 * KiB);
      uploader.add([file]);
      const url = `${server.endpoint}t2`;
      (await server.next())
        .expectRequest('OPTIONS', server.endpoint)
        .respond(204, '', { 'Tus-Resumable': '1.0.0', 'Tus-Extension': 'creation,termination' });
      (await server.next())
        .expectRequest('POST', server.endpoint)
        .respond(201, '', { Location: url, 'Tus-Resumable': '1.0.0' });
      (await server.next())
        .expectRequest('PATCH', url)
        .expectHeaders({ 'Upload-Checksum': null, 'Repr-Digest': null })
        .respond(204, '', { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(file.size) });
      expect((await log.next('upload-complete')).verified).to.equal(false);
    });
  });

  describe('ietf', () => {
    it('sends Content-Digest and Repr-Digest where asked; a digest problem resends that body alone', async () => {
      const { uploader, log } = start({ protocol: ietf({ storage: new MemoryStorage() }) });
      const file = makeFile(CHUNK + 500);
      uploader.add([file]);
      const url = `${server.endpoint}i1`;
      (await server.next())
        .expectRequest('POST', server.endpoint)
        .respond(201, '', { Location: url, 'Upload-Offset': '0', ...WANT });
      (await server.next())
        .expectRequest('PATCH', url)
        .expectBody(file, 0, CHUNK)
        .expectHeaders({ 'Content-Digest': await field(file, 0, CHUNK), 'Repr-Digest': null })
        .respond(204);
      const problem = JSON.stringify({
        type: 'about:blank',
        title: 'Content-Digest does not match the content: nothing of it was kept',
        status: 400,
      });
      (await server.next())
        .expectRequest('PATCH', url)
        .expectBody(file, CHUNK, file.size)
        .respond(400, problem, { 'Content-Type': 'application/problem+json' });
      (await server.next())
        .expectRequest('HEAD', url)
        .respond(204, '', { 'Upload-Offset': String(CHUNK), 'Upload-Complete': '?0' });
      (await server.next())
        .expectRequest('PATCH', url)
        .expectBody(file, CHUNK, file.size)
        .expectHeaders({ 'Content-Digest': await field(file, CHUNK), 'Repr-Digest': await field(file) })
        .respond(200, '', {
          'Upload-Offset': String(file.size),
          'Upload-Complete': '?1',
          'Repr-Digest': await field(file),
        });
      expect((await log.next('upload-complete')).verified).to.equal(true);
      expect(log.of('upload-retry'), 'the digest problem spent no retry').to.deep.equal([]);
    });

    it('a server answering another Repr-Digest fails the upload with an integrity error', async () => {
      const { uploader, log } = start({ protocol: ietf({ storage: new MemoryStorage() }) });
      const file = makeFile(1000);
      uploader.add([file]);
      const url = `${server.endpoint}i2`;
      (await server.next())
        .expectRequest('POST', server.endpoint)
        .respond(201, '', { Location: url, ...WANT });
      (await server.next()).expectRequest('PATCH', url).respond(200, '', {
        'Upload-Offset': String(file.size),
        'Upload-Complete': '?1',
        'Repr-Digest': `sha-256=:${await b64(new Uint8Array([1]))}:`,
      });
      const failed = await log.next('upload-error');
      expect(failed.error.kind).to.equal('integrity');
      expect(log.of('upload-complete')).to.deep.equal([]);
    });
  });
});
