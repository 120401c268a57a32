// What the engine does to its chunk size when the network or the server fails: a 413 halves it down to
// minChunkSize, a lost connection does not, two fruitless cuts at one offset do.
import { expect } from '@open-wc/testing';
import type sinon from 'sinon';
import { UploadStatus } from '../../src/engine/index.js';
import { onlyItem } from '../support/engine-events.js';
import { scriptedUploader, type Harness } from '../support/engine-harness.js';
import { articleId, makeFile } from '../support/files.js';
import { KiB, MiB, faultsFixture } from './support-faults.js';

describe('engine faults', () => {
  let h: Harness;
  let clock: sinon.SinonFakeTimers;
  const { expectQuietFor } = faultsFixture(
    () => h,
    (s) => ({ clock } = s),
  );

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

  it('counts a conflict after a fruitless cut as no second cut: the chunk keeps its size', async () => {
    h = scriptedUploader({ chunkSize: 1 * MiB, minChunkSize: 256 * KiB, retryDelays: [0] });
    const file = makeFile(1.5 * MiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 1 * MiB).networkError();
    await h.log.first('upload-retry');
    await expectQuietFor(0);
    (await h.server.next()).expectStatus(id).respond(200, '0');
    // Another request (a browser's re-send, another tab) got in first: ask again, at the same offset.
    (await h.server.next()).expectChunk(file, id, 0, 1 * MiB).respond(409, 'Expected start 0');
    (await h.server.next()).expectStatus(id).respond(200, '0');
    // One cut so far: the same size again, not half.
    (await h.server.next()).expectChunk(file, id, 0, 1 * MiB).respond(200, String(1 * MiB));
    (await h.server.next()).expectChunk(file, id, 1 * MiB, file.size).respond(200, String(file.size));
    await h.log.first('upload-complete');
    expect(h.log.of('upload-retry')).to.have.length(1);
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
});
