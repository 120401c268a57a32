// The tus 1.0 client, request by request (tus-js-client's own test style): creation, PATCH, HEAD to
// resume, DELETE on cancel, and what each failure leads to. Fake clock for retry delays.
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import {
  Uploader,
  UploadStatus,
  tus,
  type TusOptions,
  type UploaderOptions,
} from '../../src/engine/index.js';
import { EventLog, onlyItem } from '../support/engine-events.js';
import { articleId, makeFile } from '../support/files.js';
import {
  ScriptedServer,
  startMockServer,
  stopMockServer,
  type ScriptedRequest,
} from '../support/scripted-server.js';
import { MemoryStorage, brokenStorage } from '../support/url-storage.js';

const KiB = 1024;
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const OCTETS = 'application/offset+octet-stream';
const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

describe('tus protocol', () => {
  let server: ScriptedServer;
  let storage: MemoryStorage;
  let uploaders: Uploader[];
  let clock: sinon.SinonFakeTimers;

  before(startMockServer);
  after(stopMockServer);
  beforeEach(() => {
    server = new ScriptedServer();
    storage = new MemoryStorage();
    uploaders = [];
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
    sinon.stub(Math, 'random').returns(0.5);
  });
  afterEach(() => {
    for (const u of uploaders) u.clear();
    server.close();
    sinon.restore();
  });

  function start(options: Partial<UploaderOptions> = {}, tusOptions: TusOptions = {}) {
    const uploader = new Uploader({
      protocol: tus({ storage, ...tusOptions }),
      endpoint: server.endpoint,
      ...options,
    });
    uploaders.push(uploader);
    return { uploader, log: new EventLog(uploader) };
  }

  const url = (id: string) => `${server.endpoint}${id}`;
  const key = (file: File) =>
    `resumable-upload:tus:${new URL(server.endpoint, location.href).href}:${articleId(file)}`;
  const remember = (file: File, id: string, expiresAt = NOW + 3600_000) =>
    storage.setItem(
      key(file),
      JSON.stringify({ url: new URL(url(id), location.href).href, createdAt: NOW, expiresAt }),
    );

  function expectCreation(
    r: ScriptedRequest,
    file: File,
    metadata = `filename ${b64(file.name)}`,
  ): ScriptedRequest {
    return r.expectRequest('POST', server.endpoint).expectHeaders({
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(file.size),
      'Upload-Metadata': metadata,
      'Content-Type': null,
      'Upload-Offset': null,
    });
  }

  function expectPatch(
    r: ScriptedRequest,
    id: string,
    file: File,
    startAt: number,
    end: number,
  ): ScriptedRequest {
    return r
      .expectRequest('PATCH', url(id))
      .expectHeaders({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(startAt), 'Content-Type': OCTETS })
      .expectBody(file, startAt, end);
  }

  const expectHead = (r: ScriptedRequest, id: string) =>
    r.expectRequest('HEAD', url(id)).expectHeaders({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': null });

  /** Quiet for `delay - 1` ms, then the next attempt at `delay`. */
  async function expectQuietFor(delay: number): Promise<void> {
    if (delay > 0) {
      await clock.tickAsync(delay - 1);
      await server.expectNoRequest();
    }
    await clock.tickAsync(1);
  }

  it('creates with POST (length, filename, filetype, metadata), PATCHes the file, completes and forgets the URL', async () => {
    const { uploader, log } = start({ metadata: { album: 'Été 2026' } });
    const file = new File([new Uint8Array(10)], 'holiday.mov', { type: 'video/quicktime', lastModified: 1 });
    uploader.add([file]);

    const create = await server.next();
    expectCreation(
      create,
      file,
      `filename ${b64('holiday.mov')},filetype ${b64('video/quicktime')},album ${b64('Été 2026')}`,
    );
    expect(create.body.byteLength, 'creation body').to.equal(0);
    create.respond(201, '', { Location: url('a1'), 'Tus-Resumable': '1.0.0' });
    const next = await server.next();
    expect(
      storage.entries().map((e) => e.url),
      'remembered after creation',
    ).to.deep.equal([new URL(url('a1'), location.href).href]);
    const patch = next
      .expectRequest('PATCH', url('a1'))
      .expectHeaders({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': OCTETS });
    expect(patch.body.byteLength).to.equal(10);
    patch.respond(204, '', { 'Upload-Offset': '10' });

    await log.first('upload-complete');
    expect(onlyItem(uploader).bytesUploaded).to.equal(10);
    expect(storage.items.size, 'forgotten on completion').to.equal(0);
    await server.expectNoRequest();
  });

  it('sends chunkSize PATCHes, each from the Upload-Offset the server answered', async () => {
    const { uploader, log } = start({ chunkSize: 64 * KiB });
    const file = makeFile(150 * KiB);
    uploader.add([file]);

    expectCreation(await server.next(), file).respond(201, '', { Location: url('c') });
    expectPatch(await server.next(), 'c', file, 0, 65536).respond(204, '', { 'Upload-Offset': '65536' });
    // The server kept less than was sent: go on from what it says.
    expectPatch(await server.next(), 'c', file, 65536, 131072).respond(204, '', {
      'Upload-Offset': '100000',
    });
    expectPatch(await server.next(), 'c', file, 100000, file.size).respond(204, '', {
      'Upload-Offset': String(file.size),
    });
    await log.first('upload-complete');
    await server.expectNoRequest();
  });

  it('completes a zero-byte file with the creation alone', async () => {
    const { uploader, log } = start();
    const file = makeFile(0, 'empty.txt');
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('z') });
    await log.first('upload-complete');
    await server.expectNoRequest();
  });

  it('resumes a remembered upload URL (a reload, the same file picked again) with HEAD, not a new upload', async () => {
    const file = makeFile(100 * KiB);
    // The first page: created, then the connection is lost for good.
    const first = start({ retryDelays: [] });
    first.uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('r1') });
    expectPatch(await server.next(), 'r1', file, 0, file.size).networkError();
    await first.log.first('upload-error');

    // The reloaded page, same storage.
    const second = start();
    second.uploader.add([file]);
    expectHead(await server.next(), 'r1').respond(200, '', {
      'Upload-Offset': '40000',
      'Upload-Length': String(file.size),
      'Cache-Control': 'no-store',
    });
    expectPatch(await server.next(), 'r1', file, 40000, file.size).respond(204, '', {
      'Upload-Offset': String(file.size),
    });
    await second.log.first('upload-complete');
    await server.expectNoRequest();
  });

  it('completes at once when HEAD says the remembered upload is whole', async () => {
    const file = makeFile(1000);
    remember(file, 'w');
    const { uploader, log } = start();
    uploader.add([file]);
    expectHead(await server.next(), 'w').respond(200, '', {
      'Upload-Offset': '1000',
      'Upload-Length': '1000',
    });
    await log.first('upload-complete');
    await server.expectNoRequest();
  });

  for (const status of [404, 410]) {
    it(`creates a new upload when HEAD on the remembered URL answers ${status}`, async () => {
      const file = makeFile(1000);
      remember(file, 'gone');
      const { uploader, log } = start({ retryDelays: [] });
      uploader.add([file]);
      expectHead(await server.next(), 'gone').respond(status);
      expectCreation(await server.next(), file).respond(201, '', { Location: url('new') });
      expectPatch(await server.next(), 'new', file, 0, 1000).respond(204, '', { 'Upload-Offset': '1000' });
      await log.first('upload-complete');
      expect(log.of('upload-retry'), 'no retry spent').to.have.length(0);
    });

    it(`creates a new upload when a PATCH answers ${status} (the server expired it meanwhile)`, async () => {
      const file = makeFile(1000);
      const { uploader, log } = start({ retryDelays: [] });
      uploader.add([file]);
      expectCreation(await server.next(), file).respond(201, '', { Location: url('old') });
      expectPatch(await server.next(), 'old', file, 0, 1000).respond(status);
      expectCreation(await server.next(), file).respond(201, '', { Location: url('new') });
      expectPatch(await server.next(), 'new', file, 0, 1000).respond(204, '', { 'Upload-Offset': '1000' });
      await log.first('upload-complete');
    });
  }

  it('does not use a remembered URL past its expiry (the Upload-Expires the server gave)', async () => {
    const file = makeFile(1000);
    const first = start({ retryDelays: [] });
    first.uploader.add([file]);
    const expires = new Date(NOW + 60_000).toUTCString();
    expectCreation(await server.next(), file).respond(201, '', {
      Location: url('e1'),
      'Upload-Expires': expires,
    });
    expectPatch(await server.next(), 'e1', file, 0, 1000).respond(403, 'no');
    await first.log.first('upload-error');
    expect(storage.entries()[0].expiresAt).to.equal(Date.parse(expires));

    await clock.tickAsync(61_000);
    const second = start();
    second.uploader.add([file]);
    // No HEAD to the expired URL: a new upload.
    expectCreation(await server.next(), file).respond(201, '', { Location: url('e2') });
    expectPatch(await server.next(), 'e2', file, 0, 1000).respond(204, '', { 'Upload-Offset': '1000' });
    await second.log.first('upload-complete');
  });

  it('on 409 asks HEAD and goes on from the server offset without spending a retry', async () => {
    const { uploader, log } = start({ retryDelays: [] });
    const file = makeFile(50 * KiB);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('k') });
    expectPatch(await server.next(), 'k', file, 0, file.size).respond(409, 'Upload-Offset conflict\n');
    expectHead(await server.next(), 'k').respond(200, '', {
      'Upload-Offset': '20000',
      'Upload-Length': String(file.size),
    });
    expectPatch(await server.next(), 'k', file, 20000, file.size).respond(204, '', {
      'Upload-Offset': String(file.size),
    });
    await log.first('upload-complete');
    expect(log.of('upload-retry')).to.have.length(0);
  });

  it('retries 423 (locked) after the backoff delay, asking HEAD first', async () => {
    const { uploader, log } = start({ retryDelays: [1000] });
    const file = makeFile(1000);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('l') });
    expectPatch(await server.next(), 'l', file, 0, 1000).respond(423, 'locked');
    const retry = await log.first('upload-retry');
    expect([retry.error.status, retry.delay]).to.deep.equal([423, 1000]);
    await expectQuietFor(1000);
    expectHead(await server.next(), 'l').respond(200, '', { 'Upload-Offset': '0', 'Upload-Length': '1000' });
    expectPatch(await server.next(), 'l', file, 0, 1000).respond(204, '', { 'Upload-Offset': '1000' });
    await log.first('upload-complete');
  });

  it('honours Retry-After on a 503 PATCH', async () => {
    const { uploader, log } = start({ retryDelays: [10] });
    const file = makeFile(1000);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('ra') });
    expectPatch(await server.next(), 'ra', file, 0, 1000).respond(503, 'busy', { 'Retry-After': '4' });
    expect((await log.first('upload-retry')).delay).to.equal(4000);
    await expectQuietFor(4000);
    expectHead(await server.next(), 'ra').respond(200, '', { 'Upload-Offset': '0', 'Upload-Length': '1000' });
    expectPatch(await server.next(), 'ra', file, 0, 1000).respond(204, '', { 'Upload-Offset': '1000' });
    await log.first('upload-complete');
  });

  it('after a connection cut mid-PATCH: HEAD, then PATCH from what the server kept; progress falls back', async () => {
    const { uploader, log } = start({ retryDelays: [500] });
    const file = makeFile(100 * KiB);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('cut') });
    expectPatch(await server.next(), 'cut', file, 0, file.size).networkError();
    const retry = await log.first('upload-retry');
    expect([retry.error.kind, retry.bytesUploaded]).to.deep.equal(['network', 0]);
    await expectQuietFor(500);
    expectHead(await server.next(), 'cut').respond(200, '', {
      'Upload-Offset': '30000',
      'Upload-Length': String(file.size),
    });
    expectPatch(await server.next(), 'cut', file, 30000, file.size).respond(204, '', {
      'Upload-Offset': String(file.size),
    });
    await log.first('upload-complete');
    await server.expectNoRequest();
  });

  it('on 413 sends smaller PATCHes at the same offset', async () => {
    const { uploader, log } = start({ minChunkSize: 256 * KiB });
    const file = makeFile(700 * KiB);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('big') });
    expectPatch(await server.next(), 'big', file, 0, file.size).respond(413);
    expectPatch(await server.next(), 'big', file, 0, 350 * KiB).respond(204, '', {
      'Upload-Offset': String(350 * KiB),
    });
    expectPatch(await server.next(), 'big', file, 350 * KiB, file.size).respond(204, '', {
      'Upload-Offset': String(file.size),
    });
    await log.first('upload-complete');
  });

  it('cancel() aborts the PATCH and DELETEs the upload, forgetting its URL', async () => {
    const { uploader, log } = start();
    const file = makeFile(1000);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('d') });
    const patch = expectPatch(await server.next(), 'd', file, 0, 1000);
    uploader.cancel(onlyItem(uploader));
    (await server.next())
      .expectRequest('DELETE', url('d'))
      .expectHeaders({ 'Tus-Resumable': '1.0.0' })
      .respond(204);
    patch.respond(204, '', { 'Upload-Offset': '1000' });
    await log.first('upload-cancel');
    expect(storage.items.size).to.equal(0);
    await server.expectNoRequest();
  });

  it('pause() keeps the upload (no DELETE); resume() asks HEAD and goes on', async () => {
    const { uploader, log } = start();
    const file = makeFile(1000);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('p') });
    const patch = expectPatch(await server.next(), 'p', file, 0, 1000);
    uploader.pause();
    await server.expectNoRequest();
    patch.networkError();
    expect(onlyItem(uploader).status).to.equal(UploadStatus.paused);
    uploader.resume();
    expectHead(await server.next(), 'p').respond(200, '', {
      'Upload-Offset': '600',
      'Upload-Length': '1000',
    });
    expectPatch(await server.next(), 'p', file, 600, 1000).respond(204, '', { 'Upload-Offset': '1000' });
    await log.first('upload-complete');
  });

  it('with creationWithUpload, the POST carries the first bytes and its Upload-Offset is taken', async () => {
    const { uploader, log } = start({ chunkSize: 600 }, { creationWithUpload: true });
    const file = makeFile(1000);
    uploader.add([file]);
    (await server.next())
      .expectRequest('POST', server.endpoint)
      .expectHeaders({
        'Tus-Resumable': '1.0.0',
        'Upload-Length': '1000',
        'Upload-Metadata': `filename ${b64(file.name)}`,
        'Content-Type': OCTETS,
      })
      .expectBody(file, 0, 600)
      .respond(201, '', { Location: url('cw'), 'Upload-Offset': '600' });
    expectPatch(await server.next(), 'cw', file, 600, 1000).respond(204, '', { 'Upload-Offset': '1000' });
    await log.first('upload-complete');
  });

  describe('discover (OPTIONS once per endpoint)', () => {
    const expectOptions = (r: ScriptedRequest) =>
      r.expectRequest('OPTIONS', server.endpoint).expectHeaders({ 'Tus-Resumable': null });

    it('fails before sending when the file is over Tus-Max-Size', async () => {
      const { uploader, log } = start({}, { discover: true });
      uploader.add([makeFile(2000)]);
      expectOptions(await server.next()).respond(204, '', {
        'Tus-Version': '1.0.0',
        'Tus-Extension': 'creation,termination',
        'Tus-Max-Size': '1000',
      });
      const { error } = await log.first('upload-error');
      expect(error.kind).to.equal('client');
      expect(error.message).to.contain('at most 1000');
      await server.expectNoRequest();
    });

    it('uses creation-with-upload when announced, and asks OPTIONS only once for two files', async () => {
      const { uploader, log } = start({ concurrency: 1 }, { discover: true });
      const a = makeFile(100, 'a.bin');
      const b = makeFile(200, 'b.bin');
      uploader.add([a, b]);
      expectOptions(await server.next()).respond(204, '', {
        'Tus-Version': '1.0.0',
        'Tus-Extension': 'creation,creation-with-upload,termination',
      });
      (await server.next())
        .expectRequest('POST', server.endpoint)
        .expectHeaders({ 'Content-Type': OCTETS, 'Upload-Length': '100' })
        .expectBody(a, 0, 100)
        .respond(201, '', { Location: url('a'), 'Upload-Offset': '100' });
      (await server.next())
        .expectRequest('POST', server.endpoint)
        .expectHeaders({ 'Content-Type': OCTETS, 'Upload-Length': '200' })
        .expectBody(b, 0, 200)
        .respond(201, '', { Location: url('b'), 'Upload-Offset': '200' });
      await log.first('queue-complete');
      await server.expectNoRequest();
    });

    it('sends Upload-Checksum (sha256, base64) on each PATCH when the server announces checksum', async () => {
      // A fresh endpoint: the OPTIONS answer of the others is kept for the page.
      server.close();
      server = new ScriptedServer();
      const { uploader, log } = start({}, { discover: true });
      const file = makeFile(5000);
      uploader.add([file]);
      expectOptions(await server.next()).respond(204, '', {
        'Tus-Version': '1.0.0',
        'Tus-Extension': 'creation,checksum',
        'Tus-Checksum-Algorithm': 'md5,sha1,sha256',
      });
      expectCreation(await server.next(), file).respond(201, '', { Location: url('s') });
      const patch = expectPatch(await server.next(), 's', file, 0, 5000);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', patch.body.slice()));
      expect(patch.header('Upload-Checksum')).to.equal(`sha256 ${btoa(String.fromCharCode(...digest))}`);
      patch.respond(204, '', { 'Upload-Offset': '5000' });
      await log.first('upload-complete');
    });
  });

  it('works without memory where storage throws (private mode, quota)', async () => {
    const uploader = new Uploader({ protocol: tus({ storage: brokenStorage }), endpoint: server.endpoint });
    uploaders.push(uploader);
    const log = new EventLog(uploader);
    const file = makeFile(1000);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('pm') });
    expectPatch(await server.next(), 'pm', file, 0, 1000).respond(204, '', { 'Upload-Offset': '1000' });
    await log.first('upload-complete');
  });
});
