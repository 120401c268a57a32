// What the engine does when the network or the server fails: the exact requests after each fault, which
// statuses it retries and which end in upload-error. Chunk sizes and waits: faults-*.test.ts.
import { expect } from '@open-wc/testing';
import { UploadStatus } from '../../src/engine/index.js';
import { onlyItem } from '../support/engine-events.js';
import { scriptedUploader, type Harness } from '../support/engine-harness.js';
import { articleId, makeFile } from '../support/files.js';
import { KiB, faultsFixture } from './support-faults.js';

describe('engine faults', () => {
  let h: Harness;
  const { expectQuietFor } = faultsFixture(() => h);

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
