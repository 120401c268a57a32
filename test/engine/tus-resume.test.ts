// The tus 1.0 client resuming: a remembered upload URL asked with HEAD after a reload, a new upload when
// the server forgot it or it expired, and no memory at all where storage throws. Fake clock for expiry.
import { expect } from '@open-wc/testing';
import type sinon from 'sinon';
import { Uploader, tus } from '../../src/engine/index.js';
import { EventLog } from '../support/engine-events.js';
import { makeFile } from '../support/files.js';
import type { ScriptedServer } from '../support/scripted-server.js';
import { brokenStorage, type MemoryStorage } from '../support/url-storage.js';
import { KiB, NOW, tusFixture } from './support-tus.js';

describe('tus protocol', () => {
  let server: ScriptedServer;
  let storage: MemoryStorage;
  let uploaders: Uploader[];
  let clock: sinon.SinonFakeTimers;
  // Each test's fresh state; the fixture reads `server` back, as a test may replace it.
  const { start, url, remember, expectCreation, expectPatch, expectHead } = tusFixture(
    () => server,
    (s) => ({ server, storage, uploaders, clock } = s),
  );

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
