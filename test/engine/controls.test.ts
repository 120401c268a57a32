// The user's controls and the queue: pause, resume, cancel of one or all, and concurrency.
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { UploadStatus } from '../../src/engine/index.js';
import { onlyItem } from '../support/engine-events.js';
import { scriptedUploader, type Harness } from '../support/engine-harness.js';
import { articleId, makeFile } from '../support/files.js';
import { startMockServer, stopMockServer, type ScriptedRequest } from '../support/scripted-server.js';

const KiB = 1024;

describe('engine controls and queue', () => {
  let h: Harness;

  before(startMockServer);
  after(stopMockServer);
  afterEach(() => {
    h?.dispose();
    sinon.restore();
  });

  /** The next `n` requests, whatever order the uploads sent them in, sorted by file id. */
  async function nextRequests(n: number): Promise<ScriptedRequest[]> {
    const got: ScriptedRequest[] = [];
    for (let i = 0; i < n; i++) got.push(await h.server.next());
    return got.sort((a, b) => String(a.header('X-File-Id')).localeCompare(String(b.header('X-File-Id'))));
  }

  it('pause() aborts the request in flight; resume() asks the status and goes on from there', async () => {
    h = scriptedUploader({ chunkSize: 64 * KiB });
    const file = makeFile(150 * KiB);
    const id = articleId(file);
    const abort = sinon.spy(XMLHttpRequest.prototype, 'abort');
    h.uploader.add([file]);
    const item = onlyItem(h.uploader);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 65536).respond(200, '65536');
    const held = (await h.server.next()).expectChunk(file, id, 65536, 131072);
    h.uploader.pause(item);
    expect(abort.callCount, 'XMLHttpRequest.abort() calls').to.equal(1);
    expect([item.status, item.bytesUploaded]).to.deep.equal([UploadStatus.paused, 65536]);
    expect((await h.log.first('upload-pause')).item).to.equal(item);
    held.respond(200, '131072'); // too late: nobody listens any more
    await h.server.expectNoRequest();
    expect(item.status).to.equal(UploadStatus.paused);

    h.uploader.resume(item);
    await h.log.first('upload-resume');
    (await h.server.next()).expectStatus(id).respond(200, '100000');
    (await h.server.next()).expectChunk(file, id, 100000, file.size).respond(200, String(file.size));
    await h.log.first('upload-complete');
    expect(h.log.types()).to.deep.equal([
      'upload-add',
      'upload-start',
      'upload-pause',
      'upload-resume',
      'upload-start',
      'upload-complete',
      'queue-complete',
    ]);
  });

  it('pause() from an upload-progress listener leaves the upload paused and resumable', async () => {
    h = scriptedUploader({ chunkSize: 64 * KiB });
    const file = makeFile(100 * KiB);
    const id = articleId(file);
    h.uploader.addEventListener('upload-progress', (e) => {
      if (e.detail.bytesUploaded === 65536 && !h.log.of('upload-pause').length)
        h.uploader.pause(e.detail.item);
    });
    h.uploader.add([file]);
    const item = onlyItem(h.uploader);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 65536).respond(200, '65536');
    await h.log.first('upload-pause');
    await h.server.expectNoRequest();
    expect(item.status).to.equal(UploadStatus.paused);

    h.uploader.resume(item);
    (await h.server.next()).expectStatus(id).respond(200, '65536');
    (await h.server.next()).expectChunk(file, id, 65536, file.size).respond(200, String(file.size));
    await h.log.first('upload-complete');
  });

  it('cancel() aborts the request in flight and forgets the file', async () => {
    h = scriptedUploader();
    const file = makeFile(10 * KiB);
    const id = articleId(file);
    const abort = sinon.spy(XMLHttpRequest.prototype, 'abort');
    h.uploader.add([file]);
    const item = onlyItem(h.uploader);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    const held = (await h.server.next()).expectChunk(file, id, 0, file.size);
    h.uploader.cancel(item);
    expect(abort.callCount, 'XMLHttpRequest.abort() calls').to.equal(1);
    expect((await h.log.first('upload-cancel')).item).to.equal(item);
    expect(item.status).to.equal(UploadStatus.canceled);
    expect(h.uploader.items).to.deep.equal([]);
    held.respond(200, String(file.size));
    await h.server.expectNoRequest();
    expect(h.log.of('upload-complete')).to.have.length(0);
  });

  it('pause() and resume() without an item act on every upload', async () => {
    h = scriptedUploader();
    const [a, b] = [makeFile(1000, 'a.bin'), makeFile(1000, 'b.bin')];
    h.uploader.add([a, b]);

    const first = await nextRequests(2);
    first[0].expectStatus(articleId(a));
    first[1].expectStatus(articleId(b));
    h.uploader.pause();
    expect(h.uploader.items.map((i) => i.status)).to.deep.equal([UploadStatus.paused, UploadStatus.paused]);
    expect(h.log.of('upload-pause')).to.have.length(2);
    await h.server.expectNoRequest();

    h.uploader.resume();
    expect(h.log.of('upload-resume')).to.have.length(2);
    const again = await nextRequests(2);
    again[0].expectStatus(articleId(a)).respond(200, '0');
    again[1].expectStatus(articleId(b)).respond(200, '1000');
    (await h.server.next()).expectChunk(a, articleId(a), 0, 1000).respond(200, '1000');
    await h.log.first('queue-complete');
    expect(h.uploader.items.map((i) => i.status)).to.deep.equal([
      UploadStatus.complete,
      UploadStatus.complete,
    ]);
  });

  it('cancel() without an item aborts and forgets every upload', async () => {
    h = scriptedUploader();
    h.uploader.add([makeFile(1000, 'a.bin'), makeFile(1000, 'b.bin'), makeFile(1000, 'c.bin')]);
    await nextRequests(2);
    h.uploader.cancel();
    expect(h.log.of('upload-cancel')).to.have.length(3);
    expect(h.uploader.items).to.deep.equal([]);
    await h.server.expectNoRequest();
  });

  it('retry() without an item restarts every failed upload from its server offset', async () => {
    h = scriptedUploader();
    const [a, b] = [makeFile(1000, 'a.bin'), makeFile(1000, 'b.bin')];
    h.uploader.add([a, b]);
    for (const r of await nextRequests(2)) r.respond(401, 'Session expired');
    await h.log.first('queue-complete');
    expect(h.uploader.items.map((i) => i.error?.status)).to.deep.equal([401, 401]);

    h.uploader.retry();
    const [sa, sb] = await nextRequests(2);
    sa.expectStatus(articleId(a)).respond(200, '1000');
    sb.expectStatus(articleId(b)).respond(200, '1000');
    await h.log.nth('queue-complete', 2);
    expect(h.uploader.items.map((i) => i.status)).to.deep.equal([
      UploadStatus.complete,
      UploadStatus.complete,
    ]);
  });

  it('uploads three files two at a time: the third starts when one finishes', async () => {
    h = scriptedUploader();
    const [a, b, c] = ['a.bin', 'b.bin', 'c.bin'].map((name) => makeFile(1000, name));
    h.uploader.add([a, b, c]);

    const [sa, sb] = await nextRequests(2);
    sa.expectStatus(articleId(a));
    sb.expectStatus(articleId(b));
    await h.server.expectNoRequest();
    expect(h.uploader.items.map((i) => i.status)).to.deep.equal([
      UploadStatus.checking,
      UploadStatus.checking,
      UploadStatus.queued,
    ]);

    sa.respond(200, '0');
    (await h.server.next()).expectChunk(a, articleId(a), 0, 1000).respond(200, '1000');
    await h.log.first('upload-complete');
    (await h.server.next()).expectStatus(articleId(c)).respond(200, '0');
    (await h.server.next()).expectChunk(c, articleId(c), 0, 1000).respond(200, '1000');
    sb.respond(200, '0');
    (await h.server.next()).expectChunk(b, articleId(b), 0, 1000).respond(200, '1000');

    await h.log.first('queue-complete');
    expect(h.server.maxInFlight, 'requests in flight at once').to.equal(2);
    expect(h.log.of('upload-complete').map((d) => d.file.name)).to.deep.equal(['a.bin', 'c.bin', 'b.bin']);
    expect(h.log.of('queue-complete')).to.have.length(1);
  });

  it('a paused upload frees its slot for the next queued one', async () => {
    h = scriptedUploader({ concurrency: 1 });
    const [a, b] = [makeFile(1000, 'a.bin'), makeFile(1000, 'b.bin')];
    h.uploader.add([a, b]);
    const [itemA] = h.uploader.items;

    const heldA = (await h.server.next()).expectStatus(articleId(a));
    await h.server.expectNoRequest();
    h.uploader.pause(itemA);
    heldA.respond(200, '0'); // aborted: answered only so it stops counting as in flight
    (await h.server.next()).expectStatus(articleId(b)).respond(200, '0');
    (await h.server.next()).expectChunk(b, articleId(b), 0, 1000).respond(200, '1000');
    await h.log.first('upload-complete');

    h.uploader.resume(itemA);
    (await h.server.next()).expectStatus(articleId(a)).respond(200, '0');
    (await h.server.next()).expectChunk(a, articleId(a), 0, 1000).respond(200, '1000');
    await h.log.nth('upload-complete', 2);
    expect(h.server.maxInFlight).to.equal(1);
  });
});
