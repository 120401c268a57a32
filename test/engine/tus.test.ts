// The tus 1.0 client, request by request (tus-js-client's own test style): creation, PATCH, DELETE on
// cancel, HEAD after a pause, and what OPTIONS discovery changes. Resuming and failures: tus-*.test.ts.
import { expect } from '@open-wc/testing';
import { UploadStatus } from '../../src/engine/index.js';
import { onlyItem } from '../support/engine-events.js';
import { makeFile } from '../support/files.js';
import { ScriptedServer, type ScriptedRequest } from '../support/scripted-server.js';
import type { MemoryStorage } from '../support/url-storage.js';
import { KiB, OCTETS, b64, tusFixture } from './support-tus.js';

describe('tus protocol', () => {
  let server: ScriptedServer;
  let storage: MemoryStorage;
  // Each test's fresh server and storage; the fixture reads `server` back, as a test may replace it.
  const { start, url, expectCreation, expectPatch, expectHead } = tusFixture(
    () => server,
    (s) => ({ server, storage } = s),
  );

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
});
