// How long the engine waits after a fault: Retry-After, jittered retryDelays, a stalled request, and no
// retries spent while offline (fake clock; Math.random pinned so jitter is known).
import { expect } from '@open-wc/testing';
import type sinon from 'sinon';
import { UploadStatus } from '../../src/engine/index.js';
import { onlyItem, stubOnLine } from '../support/engine-events.js';
import { scriptedUploader, type Harness } from '../support/engine-harness.js';
import { articleId, makeFile } from '../support/files.js';
import { KiB, NOW, faultsFixture } from './support-faults.js';

describe('engine faults', () => {
  let h: Harness;
  let clock: sinon.SinonFakeTimers;
  let random: sinon.SinonStub;
  const { expectQuietFor } = faultsFixture(
    () => h,
    (s) => ({ clock, random } = s),
  );

  describe('Retry-After', () => {
    it('in seconds, wins over retryDelays', async () => {
      h = scriptedUploader({ retryDelays: [10] });
      const file = makeFile(1000);
      const id = articleId(file);
      h.uploader.add([file]);

      (await h.server.next()).expectStatus(id).respond(200, '0');
      (await h.server.next())
        .expectChunk(file, id, 0, 1000)
        .respond(503, 'maintenance', { 'Retry-After': '3' });
      expect((await h.log.first('upload-retry')).delay).to.equal(3000);
      expect(onlyItem(h.uploader).retryAt).to.equal(NOW + 3000);
      await expectQuietFor(3000);
      (await h.server.next()).expectStatus(id).respond(200, '0');
      (await h.server.next()).expectChunk(file, id, 0, 1000).respond(200, '1000');
      await h.log.first('upload-complete');
    });

    it('as an HTTP date, wins over retryDelays', async () => {
      h = scriptedUploader({ retryDelays: [10] });
      const file = makeFile(1000);
      const id = articleId(file);
      h.uploader.add([file]);

      (await h.server.next()).expectStatus(id).respond(200, '0');
      const at = new Date(NOW + 7000).toUTCString();
      (await h.server.next()).expectChunk(file, id, 0, 1000).respond(429, 'slow down', { 'Retry-After': at });
      expect((await h.log.first('upload-retry')).delay).to.equal(7000);
      await expectQuietFor(7000);
      (await h.server.next()).expectStatus(id).respond(200, '0');
      (await h.server.next()).expectChunk(file, id, 0, 1000).respond(200, '1000');
      await h.log.first('upload-complete');
    });
  });

  it('adds ±20% jitter to retryDelays', async () => {
    h = scriptedUploader({ retryDelays: [1000, 1000] });
    const file = makeFile(1000);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    random.returns(0);
    (await h.server.next()).expectChunk(file, id, 0, 1000).respond(500);
    expect((await h.log.nth('upload-retry', 1)).delay).to.equal(800);
    await expectQuietFor(800);
    random.returns(0.999999);
    (await h.server.next()).expectStatus(id).respond(500);
    expect((await h.log.nth('upload-retry', 2)).delay).to.equal(1200);
    await expectQuietFor(1200);
    (await h.server.next()).expectStatus(id).respond(200, '1000');
    await h.log.first('upload-complete');
  });

  it('aborts a request that makes no progress for stallTimeout once the server says it holds nothing new, then resumes', async () => {
    h = scriptedUploader({ stallTimeout: 5000, retryDelays: [0] });
    const file = makeFile(100 * KiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, file.size); // never answered
    await clock.tickAsync(4999);
    expect(h.log.of('upload-retry'), 'no stall before stallTimeout').to.have.length(0);
    expect(onlyItem(h.uploader).status).to.equal(UploadStatus.uploading);
    await clock.tickAsync(1);
    // XHR may call a body sent while it still sits in socket buffers: only the server knows it still moves.
    (await h.server.next()).expectStatus(id).respond(200, '1000');
    await h.server.expectNoRequest(); // lets the answer reach the page, in real time
    await clock.tickAsync(4999);
    expect(h.log.of('upload-retry'), 'the server got more bytes: no stall').to.have.length(0);
    await clock.tickAsync(1);
    (await h.server.next()).expectStatus(id).respond(200, '1000');
    const retry = await h.log.first('upload-retry');
    expect([retry.error.kind, retry.delay]).to.deep.equal(['stall', 0]);
    await expectQuietFor(0);
    (await h.server.next()).expectStatus(id).respond(200, '2000');
    (await h.server.next()).expectChunk(file, id, 2000, file.size).respond(200, String(file.size));
    await h.log.first('upload-complete');
  });

  describe('offline', () => {
    let online: ReturnType<typeof stubOnLine>;
    afterEach(() => online.restore());

    it('waits for the online event instead of spending retries, then resumes from the server offset', async () => {
      online = stubOnLine(true);
      // No retries at all: waiting for the network must not spend any.
      h = scriptedUploader({ chunkSize: 64 * KiB, retryDelays: [] });
      const file = makeFile(100 * KiB);
      const id = articleId(file);
      h.uploader.add([file]);

      (await h.server.next()).expectStatus(id).respond(200, '0');
      const lost = (await h.server.next()).expectChunk(file, id, 0, 65536);
      online.set(false);
      lost.networkError();
      await h.server.expectNoRequest();
      await clock.tickAsync(10 * 60 * 1000);
      await h.server.expectNoRequest();
      const item = onlyItem(h.uploader);
      expect([item.status, item.waitingForNetwork]).to.deep.equal([UploadStatus.retrying, true]);

      online.set(true);
      (await h.server.next()).expectStatus(id).respond(200, '10000');
      (await h.server.next()).expectChunk(file, id, 10000, 10000 + 65536).respond(200, String(10000 + 65536));
      (await h.server.next()).expectChunk(file, id, 10000 + 65536, file.size).respond(200, String(file.size));
      await h.log.first('upload-complete');
      expect(h.log.of('upload-retry')).to.have.length(0);
    });

    it('added while offline, sends nothing until the network is back', async () => {
      online = stubOnLine(false);
      h = scriptedUploader();
      const file = makeFile(1000);
      const id = articleId(file);
      h.uploader.add([file]);

      await h.server.expectNoRequest();
      expect(onlyItem(h.uploader).waitingForNetwork).to.equal(true);
      online.set(true);
      (await h.server.next()).expectStatus(id).respond(200, '0');
      (await h.server.next()).expectChunk(file, id, 0, 1000).respond(200, '1000');
      await h.log.first('upload-complete');
    });
  });
});
