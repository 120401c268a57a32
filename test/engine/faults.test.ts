// What the engine does when the network or the server fails: the exact requests after each fault,
// and how long it waits (fake clock; Math.random pinned so jitter is known).
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { UploadStatus } from '../../src/engine/index.js';
import { onlyItem, stubOnLine } from '../support/engine-events.js';
import { scriptedUploader, type Harness } from '../support/engine-harness.js';
import { articleId, makeFile } from '../support/files.js';
import { startMockServer, stopMockServer } from '../support/scripted-server.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('engine faults', () => {
  let h: Harness;
  let clock: sinon.SinonFakeTimers;
  let random: sinon.SinonStub;

  before(startMockServer);
  after(stopMockServer);
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
    // 0.5 makes the ±20% jitter factor exactly 1.
    random = sinon.stub(Math, 'random').returns(0.5);
  });
  afterEach(() => {
    h?.dispose();
    sinon.restore();
  });

  /** The engine sends nothing for `delay - 1` ms, then asks the status at `delay`. */
  async function expectQuietFor(delay: number): Promise<void> {
    if (delay > 0) {
      await clock.tickAsync(delay - 1);
      expect(onlyItem(h.uploader).status, `status ${delay - 1} ms into a ${delay} ms wait`).to.equal(
        UploadStatus.retrying,
      );
      await h.server.expectNoRequest();
    }
    // fake-timers runs a 0 ms timer set during a tick 1 ms later.
    await clock.tickAsync(1);
  }

  it('retries a 503 after retryDelays[0], asks the status, and goes on from the server offset', async () => {
    h = scriptedUploader({ chunkSize: 64 * KiB, retryDelays: [1000, 2000] });
    const file = makeFile(100 * KiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 65536).respond(503, 'busy\n');
    const retry = await h.log.first('upload-retry');
    expect([retry.attempt, retry.delay, retry.error.status, retry.error.responseText]).to.deep.equal([
      1,
      1000,
      503,
      'busy',
    ]);
    await expectQuietFor(1000);
    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 65536).respond(200, '65536');
    (await h.server.next()).expectChunk(file, id, 65536, file.size).respond(200, String(file.size));

    await h.log.first('upload-complete');
    expect(h.log.types()).to.deep.equal([
      'upload-add',
      'upload-start',
      'upload-retry',
      'upload-complete',
      'queue-complete',
    ]);
    await h.server.expectNoRequest();
  });

  for (const status of [408, 423, 429, 500, 502, 504]) {
    it(`treats ${status} as worth a retry`, async () => {
      h = scriptedUploader({ retryDelays: [100] });
      const file = makeFile(10 * KiB);
      const id = articleId(file);
      h.uploader.add([file]);

      (await h.server.next()).expectStatus(id).respond(200, '0');
      (await h.server.next()).expectChunk(file, id, 0, file.size).respond(status);
      expect((await h.log.first('upload-retry')).error.status).to.equal(status);
      await expectQuietFor(100);
      (await h.server.next()).expectStatus(id).respond(200, '0');
      (await h.server.next()).expectChunk(file, id, 0, file.size).respond(200, String(file.size));
      await h.log.first('upload-complete');
    });
  }

  it('after the connection drops mid-chunk, resumes from the offset the server reports', async () => {
    h = scriptedUploader({ chunkSize: 64 * KiB, retryDelays: [500] });
    const file = makeFile(150 * KiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 65536).networkError();
    const retry = await h.log.first('upload-retry');
    expect([retry.error.kind, retry.delay]).to.deep.equal(['network', 500]);
    expect(retry.bytesUploaded, 'progress falls back to what the server is known to hold').to.equal(0);
    await expectQuietFor(500);
    // The server kept part of the lost chunk.
    (await h.server.next()).expectStatus(id).respond(200, '30000');
    (await h.server.next()).expectChunk(file, id, 30000, 30000 + 65536).respond(200, String(30000 + 65536));
    (await h.server.next()).expectChunk(file, id, 30000 + 65536, file.size).respond(200, String(file.size));

    await h.log.first('upload-complete');
    await h.server.expectNoRequest();
  });

  it('on 409 asks the status and goes on without spending a retry', async () => {
    // No retries at all: a 409 that spent one would end in upload-error.
    h = scriptedUploader({ retryDelays: [] });
    const file = makeFile(50 * KiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, file.size).respond(409, 'expected 20000');
    (await h.server.next()).expectStatus(id).respond(200, '20000');
    (await h.server.next()).expectChunk(file, id, 20000, file.size).respond(200, String(file.size));

    await h.log.first('upload-complete');
    expect(h.log.of('upload-retry')).to.have.length(0);
    await h.server.expectNoRequest();
  });

  describe('413 Payload Too Large', () => {
    it('halves the chunk at the same offset down to minChunkSize, then fails with the server body', async () => {
      h = scriptedUploader({ chunkSize: 1 * MiB, minChunkSize: 300 * KiB });
      const file = makeFile(1 * MiB + 100);
      const id = articleId(file);
      h.uploader.add([file]);

      (await h.server.next()).expectStatus(id).respond(200, '0');
      (await h.server.next()).expectChunk(file, id, 0, 1 * MiB).respond(413, 'too big');
      (await h.server.next()).expectChunk(file, id, 0, 512 * KiB).respond(413, 'too big');
      // Half of 512 KiB is below the floor: the floor is sent.
      (await h.server.next()).expectChunk(file, id, 0, 300 * KiB).respond(413, 'Body limit is 100 KiB');

      const { error } = await h.log.first('upload-error');
      expect([error.status, error.responseText]).to.deep.equal([413, 'Body limit is 100 KiB']);
      expect(h.log.of('upload-retry'), 'shrinking spends no retry').to.have.length(0);
      await h.server.expectNoRequest();
    });

    it('keeps the smaller chunk for the rest of the file; the default floor is 256 KiB', async () => {
      h = scriptedUploader({ chunkSize: 1 * MiB });
      const file = makeFile(700 * KiB);
      const id = articleId(file);
      h.uploader.add([file]);

      (await h.server.next()).expectStatus(id).respond(200, '0');
      (await h.server.next()).expectChunk(file, id, 0, file.size).respond(413);
      (await h.server.next()).expectChunk(file, id, 0, 350 * KiB).respond(413);
      (await h.server.next()).expectChunk(file, id, 0, 256 * KiB).respond(200, String(256 * KiB));
      (await h.server.next()).expectChunk(file, id, 256 * KiB, 512 * KiB).respond(200, String(512 * KiB));
      (await h.server.next()).expectChunk(file, id, 512 * KiB, file.size).respond(200, String(file.size));

      await h.log.first('upload-complete');
      await h.server.expectNoRequest();
    });
  });

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

  it('keeps chunkSize after a lost connection the server kept nothing of: only a 413 shrinks it', async () => {
    h = scriptedUploader({ chunkSize: 1 * MiB, retryDelays: [0] });
    const file = makeFile(1.5 * MiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 1 * MiB).networkError();
    await h.log.first('upload-retry');
    await expectQuietFor(0);
    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 1 * MiB).respond(200, String(1 * MiB));
    (await h.server.next()).expectChunk(file, id, 1 * MiB, file.size).respond(200, String(file.size));
    await h.log.first('upload-complete');
  });

  it('halves the chunk after a second cut the server kept nothing of (a proxy refusing big bodies), renewing the retries', async () => {
    h = scriptedUploader({ chunkSize: 1 * MiB, minChunkSize: 256 * KiB, retryDelays: [0, 0] });
    const file = makeFile(1.5 * MiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 1 * MiB).networkError();
    const retry1 = await h.log.nth('upload-retry', 1);
    await expectQuietFor(0);
    (await h.server.next()).expectStatus(id).respond(200, '0');
    // The first fruitless cut may be a blip: same size again.
    (await h.server.next()).expectChunk(file, id, 0, 1 * MiB).networkError();
    const retry2 = await h.log.nth('upload-retry', 2);
    await expectQuietFor(0);
    (await h.server.next()).expectStatus(id).respond(200, '0');
    // Twice at the same offset with nothing stored: half the size, and the two retries are whole again.
    (await h.server.next()).expectChunk(file, id, 0, 512 * KiB).networkError();
    const retry3 = await h.log.nth('upload-retry', 3);
    await expectQuietFor(0);
    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 256 * KiB).respond(200, String(256 * KiB));
    (await h.server.next()).expectChunk(file, id, 256 * KiB, 512 * KiB).respond(200, String(512 * KiB));
    await clock.tickAsync(1);
    expect(onlyItem(h.uploader).status).to.equal(UploadStatus.uploading);
    expect(h.log.of('upload-error')).to.have.length(0);
    expect([retry1.attempt, retry2.attempt, retry3.attempt]).to.deep.equal([1, 2, 1]);
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

  it('surfaces a final 4xx as upload-error with the status and the server body, without retrying', async () => {
    h = scriptedUploader();
    const file = makeFile(1000);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 1000).respond(403, 'Quota exceeded for user 7\n');

    const { error } = await h.log.first('upload-error');
    expect(error.name).to.equal('UploadError');
    expect([error.status, error.responseText]).to.deep.equal([403, 'Quota exceeded for user 7']);
    expect(onlyItem(h.uploader).error).to.equal(error);
    expect(onlyItem(h.uploader).status).to.equal(UploadStatus.error);
    expect(h.log.types()).to.deep.equal(['upload-add', 'upload-start', 'upload-error', 'queue-complete']);
    await h.server.expectNoRequest();
  });

  it('fails with upload-error once retryDelays are spent, and retry() starts again from the server offset', async () => {
    h = scriptedUploader({ retryDelays: [100, 200] });
    const file = makeFile(1000);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 1000).respond(503);
    expect((await h.log.nth('upload-retry', 1)).attempt).to.equal(1);
    await expectQuietFor(100);
    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 1000).respond(503);
    expect((await h.log.nth('upload-retry', 2)).attempt).to.equal(2);
    await expectQuietFor(200);
    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 1000).respond(503, 'still down');

    const { error } = await h.log.first('upload-error');
    expect([error.status, error.responseText]).to.deep.equal([503, 'still down']);
    expect(h.log.of('upload-retry')).to.have.length(2);
    await h.server.expectNoRequest();

    h.uploader.retry(onlyItem(h.uploader));
    (await h.server.next()).expectStatus(id).respond(200, '400');
    (await h.server.next()).expectChunk(file, id, 400, 1000).respond(200, '1000');
    await h.log.first('upload-complete');
  });

  describe('status answers that are not a byte count', () => {
    it('retries a non-integer or empty status body and never reads it as 0', async () => {
      h = scriptedUploader({ retryDelays: [1000, 1000] });
      const file = makeFile(1000);
      const id = articleId(file);
      h.uploader.add([file]);

      (await h.server.next()).expectStatus(id).respond(200, '<html>Welcome</html>');
      expect((await h.log.nth('upload-retry', 1)).error.kind).to.equal('protocol');
      await expectQuietFor(1000);
      (await h.server.next()).expectStatus(id).respond(200, '');
      await h.log.nth('upload-retry', 2);
      await expectQuietFor(1000);
      (await h.server.next()).expectStatus(id).respond(200, '512');
      (await h.server.next()).expectChunk(file, id, 512, 1000).respond(200, '1000');
      await h.log.first('upload-complete');
    });

    it('retries a status request answered 503, not reading it as 0', async () => {
      h = scriptedUploader({ retryDelays: [1000] });
      const file = makeFile(1000);
      const id = articleId(file);
      h.uploader.add([file]);

      (await h.server.next()).expectStatus(id).respond(503, '0');
      expect((await h.log.first('upload-retry')).error.status).to.equal(503);
      await expectQuietFor(1000);
      (await h.server.next()).expectStatus(id).respond(200, '512');
      (await h.server.next()).expectChunk(file, id, 512, 1000).respond(200, '1000');
      await h.log.first('upload-complete');
    });
  });

  it("completes a zero-byte file on the article's server even when the status after its POST fails once", async () => {
    h = scriptedUploader({ retryDelays: [100] });
    const file = makeFile(0, 'empty.txt');
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 0).respond(200, 'ok');
    (await h.server.next()).expectStatus(id).respond(503);
    await h.log.first('upload-retry');
    await expectQuietFor(100);
    (await h.server.next()).expectStatus(id).respond(200, '0');

    const done = await h.log.first('upload-complete', 1000);
    expect(done.bytesTotal).to.equal(0);
  });
});
