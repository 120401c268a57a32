// The exact requests of an upload that meets no fault: status, slices, confirmation, ids and headers.
import { expect } from '@open-wc/testing';
import { UploadStatus } from '../../src/engine/index.js';
import { onlyItem } from '../support/engine-events.js';
import { scriptedUploader, type Harness } from '../support/engine-harness.js';
import { articleId, makeFile } from '../support/files.js';
import { startMockServer, stopMockServer, type ScriptedRequest } from '../support/scripted-server.js';

const KiB = 1024;

describe('engine request sequence', () => {
  let h: Harness;

  before(startMockServer);
  after(stopMockServer);
  afterEach(() => h?.dispose());

  it('uploads a new file: asks status, posts it whole, completes with the server body', async () => {
    h = scriptedUploader();
    const file = makeFile(100 * KiB, 'holiday.mov');
    const id = 'holiday.mov-102400-1767225600000';
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, file.size).respond(200, String(file.size));

    const done = await h.log.first('upload-complete');
    expect(done.response).to.equal(String(file.size));
    expect(done.fileId).to.equal(id);
    await h.log.first('queue-complete');
    expect(onlyItem(h.uploader).status).to.equal(UploadStatus.complete);
    expect(onlyItem(h.uploader).bytesUploaded).to.equal(file.size);
    expect(h.log.types()).to.deep.equal(['upload-add', 'upload-start', 'upload-complete', 'queue-complete']);
    await h.server.expectNoRequest();
  });

  it('resumes from the byte count the server already holds', async () => {
    h = scriptedUploader();
    const file = makeFile(100 * KiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '40000');
    (await h.server.next()).expectChunk(file, id, 40000, file.size).respond(200, String(file.size));

    await h.log.first('upload-complete');
    const progress = h.log.of('upload-progress').map((p) => p.bytesUploaded);
    expect(Math.min(...progress), 'progress never below what the server held').to.be.at.least(40000);
    await h.server.expectNoRequest();
  });

  it('sends a big file in chunkSize slices, each from the offset the server confirmed', async () => {
    h = scriptedUploader({ chunkSize: 64 * KiB });
    const file = makeFile(2 * 64 * KiB + 1000);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 65536).respond(200, '65536');
    (await h.server.next()).expectChunk(file, id, 65536, 131072).respond(200, '131072');
    (await h.server.next()).expectChunk(file, id, 131072, file.size).respond(200, String(file.size));

    await h.log.first('upload-complete');
    const confirmed = h.log.of('upload-progress').map((p) => p.bytesUploaded);
    expect(confirmed).to.include.members([65536, 131072, file.size]);
    expect(confirmed, 'progress is monotonic').to.deep.equal([...confirmed].sort((a, b) => a - b));
    await h.server.expectNoRequest();
  });

  it('goes on from the offset the server confirms, even when it kept less than was sent', async () => {
    h = scriptedUploader({ chunkSize: 64 * KiB });
    const file = makeFile(150 * KiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 65536).respond(200, '50000');
    (await h.server.next()).expectChunk(file, id, 50000, 50000 + 65536).respond(200, String(50000 + 65536));
    (await h.server.next()).expectChunk(file, id, 50000 + 65536, file.size).respond(200, String(file.size));

    await h.log.first('upload-complete');
    await h.server.expectNoRequest();
  });

  it('sends the rest of the file in one request when chunkSize is 0', async () => {
    h = scriptedUploader({ chunkSize: 0 });
    const file = makeFile(300 * KiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '1000');
    (await h.server.next()).expectChunk(file, id, 1000, file.size).respond(200, String(file.size));

    await h.log.first('upload-complete');
    await h.server.expectNoRequest();
  });

  it('completes a zero-byte file with one empty POST', async () => {
    h = scriptedUploader();
    const file = makeFile(0, 'empty.txt');
    const id = 'empty.txt-0-1767225600000';
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 0).respond(200, '0');

    const done = await h.log.first('upload-complete');
    expect(done.bytesTotal).to.equal(0);
    await h.server.expectNoRequest();
  });

  it("works with the article's server: a POST answered 'ok' is followed by a status request", async () => {
    h = scriptedUploader({ chunkSize: 64 * KiB });
    const file = makeFile(150 * KiB);
    const id = articleId(file);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(id).respond(200, '0');
    (await h.server.next()).expectChunk(file, id, 0, 65536).respond(200, 'ok');
    (await h.server.next()).expectStatus(id).respond(200, '65536');
    (await h.server.next()).expectChunk(file, id, 65536, 131072).respond(200, 'ok');
    (await h.server.next()).expectStatus(id).respond(200, '131072');
    (await h.server.next()).expectChunk(file, id, 131072, file.size).respond(200, 'ok');
    (await h.server.next()).expectStatus(id).respond(200, String(file.size));

    const done = await h.log.first('upload-complete');
    expect(done.response).to.equal('ok');
    await h.server.expectNoRequest();
  });

  it('completes at once when the server already holds the whole file', async () => {
    h = scriptedUploader();
    const file = makeFile(10 * KiB);
    h.uploader.add([file]);

    (await h.server.next()).expectStatus(articleId(file)).respond(200, String(file.size));

    await h.log.first('upload-complete');
    expect(onlyItem(h.uploader).bytesUploaded).to.equal(file.size);
    await h.server.expectNoRequest();
  });

  describe('file id', () => {
    async function uploadWhole(file: File, headerId: string): Promise<void> {
      (await h.server.next()).expectStatus(headerId).respond(200, '0');
      (await h.server.next()).expectChunk(file, headerId, 0, file.size).respond(200, String(file.size));
      await h.log.first('upload-complete');
    }

    it('sends an ASCII id unchanged, as the article server expects', async () => {
      h = scriptedUploader();
      const file = makeFile(5, 'Q3 report (final) v2.pdf', 1700000000000);
      h.uploader.add([file]);
      await uploadWhole(file, 'Q3 report (final) v2.pdf-5-1700000000000');
    });

    it('percent-encodes a Chinese file name so it can travel in a header', async () => {
      h = scriptedUploader();
      const file = makeFile(5, '报告 2026.pdf');
      h.uploader.add([file]);
      await uploadWhole(file, '%E6%8A%A5%E5%91%8A 2026.pdf-5-1767225600000');
      expect(onlyItem(h.uploader).fileId, 'the app sees the id unencoded').to.equal(
        '报告 2026.pdf-5-1767225600000',
      );
    });

    it('percent-encodes an emoji (a surrogate pair) as its four UTF-8 bytes', async () => {
      h = scriptedUploader();
      const file = makeFile(5, '📦 box.bin');
      h.uploader.add([file]);
      await uploadWhole(file, '%F0%9F%93%A6 box.bin-5-1767225600000');
    });

    it('percent-encodes % itself, so an encoded id cannot collide with a plain one', async () => {
      h = scriptedUploader();
      const file = makeFile(5, '100%E6.txt');
      h.uploader.add([file]);
      await uploadWhole(file, '100%25E6.txt-5-1767225600000');
    });

    it('uses the fileId option instead of name-size-lastModified, still encoded for the header', async () => {
      h = scriptedUploader({ fileId: (f) => `user-7/${f.name}#é` });
      const file = makeFile(5, 'a.txt');
      h.uploader.add([file]);
      await uploadWhole(file, 'user-7/a.txt#%C3%A9');
      expect(onlyItem(h.uploader).fileId).to.equal('user-7/a.txt#é');
    });
  });

  describe('headers option', () => {
    it('adds an object of headers to every request', async () => {
      h = scriptedUploader({ headers: { Authorization: 'Bearer abc', 'X-Tenant': 'acme' } });
      const file = makeFile(5);
      h.uploader.add([file]);

      const status = (await h.server.next()).expectStatus(articleId(file));
      expect([status.header('Authorization'), status.header('X-Tenant')]).to.deep.equal([
        'Bearer abc',
        'acme',
      ]);
      status.respond(200, '0');
      const chunk = (await h.server.next()).expectChunk(file, articleId(file), 0, 5);
      expect([chunk.header('Authorization'), chunk.header('X-Tenant')]).to.deep.equal(['Bearer abc', 'acme']);
      chunk.respond(200, '5');
      await h.log.first('upload-complete');
    });

    it('calls a headers function before every request, with the file (a fresh token each time)', async () => {
      let calls = 0;
      const seen: File[] = [];
      h = scriptedUploader({
        chunkSize: 4,
        headers: async (f) => {
          seen.push(f);
          return { Authorization: `Bearer t${++calls}` };
        },
      });
      const file = makeFile(6);
      const id = articleId(file);
      h.uploader.add([file]);

      const script: [(r: ScriptedRequest) => ScriptedRequest, string][] = [
        [(r) => r.expectStatus(id), '0'],
        [(r) => r.expectChunk(file, id, 0, 4), 'ok'],
        [(r) => r.expectStatus(id), '4'],
        [(r) => r.expectChunk(file, id, 4, 6), '6'],
      ];
      const tokens: (string | null)[] = [];
      for (const [check, answer] of script) {
        const req = check(await h.server.next());
        tokens.push(req.header('Authorization'));
        req.respond(200, answer);
      }
      await h.log.first('upload-complete');
      expect(tokens).to.deep.equal(['Bearer t1', 'Bearer t2', 'Bearer t3', 'Bearer t4']);
      expect(seen.every((f) => f === file)).to.equal(true);
    });
  });
});
