// The tus 1.0 client when a request fails: 409 asks HEAD, 423 and 503 wait (Retry-After), a cut PATCH
// resumes from what the server kept, 413 shrinks the PATCH. Fake clock for retry delays.
import { expect } from '@open-wc/testing';
import { makeFile } from '../support/files.js';
import type { ScriptedServer } from '../support/scripted-server.js';
import { KiB, tusFixture } from './support-tus.js';

describe('tus protocol', () => {
  let server: ScriptedServer;
  // Each test's fresh server; the fixture reads it back, as a test may replace it.
  const { start, url, expectCreation, expectPatch, expectHead, expectQuietFor } = tusFixture(
    () => server,
    (s) => ({ server } = s),
  );

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
});
