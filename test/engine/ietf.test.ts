// The IETF Resumable Uploads client (interop 8), request by request: an empty creation POST, PATCH
// appends with Upload-Complete, HEAD to resume, DELETE on cancel, Upload-Limit obeyed before the first 413.
import { expect } from '@open-wc/testing';
import type sinon from 'sinon';
import { Uploader, ietf, type IetfOptions, type UploaderOptions } from '../../src/engine/index.js';
import { EventLog, onlyItem } from '../support/engine-events.js';
import { articleId, makeFile } from '../support/files.js';
import type { ScriptedRequest, ScriptedServer } from '../support/scripted-server.js';
import type { MemoryStorage } from '../support/url-storage.js';
import { KiB, NOW, protocolHooks } from './support-tus.js';

const PARTIAL = 'application/partial-upload';

describe('ietf protocol', () => {
  let server: ScriptedServer;
  let storage: MemoryStorage;
  let uploaders: Uploader[];
  let clock: sinon.SinonFakeTimers;

  protocolHooks(
    () => server,
    (state) => ({ server, storage, uploaders, clock } = state),
  );

  function start(options: Partial<UploaderOptions> = {}, ietfOptions: IetfOptions = {}) {
    const uploader = new Uploader({
      protocol: ietf({ storage, ...ietfOptions }),
      endpoint: server.endpoint,
      ...options,
    });
    uploaders.push(uploader);
    return { uploader, log: new EventLog(uploader) };
  }

  const url = (id: string) => `${server.endpoint}${id}`;
  const key = (file: File) =>
    `resumable-upload:ietf:${new URL(server.endpoint, location.href).href}:${articleId(file)}`;

  const expectCreation = (r: ScriptedRequest, file: File, interop = '8') => {
    r.expectRequest('POST', server.endpoint).expectHeaders({
      'Upload-Draft-Interop-Version': interop,
      'Upload-Complete': '?0',
      'Upload-Length': String(file.size),
      'Upload-Offset': null,
      'Tus-Resumable': null,
    });
    expect(r.body.byteLength, 'creation body').to.equal(0);
    return r;
  };

  const expectAppend = (r: ScriptedRequest, id: string, file: File, startAt: number, end: number) =>
    r
      .expectRequest('PATCH', url(id))
      .expectHeaders({
        'Upload-Draft-Interop-Version': '8',
        'Content-Type': PARTIAL,
        'Upload-Offset': String(startAt),
        'Upload-Complete': end === file.size ? '?1' : '?0',
        'Upload-Length': String(file.size),
      })
      .expectBody(file, startAt, end);

  const expectHead = (r: ScriptedRequest, id: string) =>
    r.expectRequest('HEAD', url(id)).expectHeaders({
      'Upload-Draft-Interop-Version': '8',
      'Upload-Offset': null,
      'Upload-Complete': null,
    });

  async function expectQuietFor(delay: number): Promise<void> {
    if (delay > 0) {
      await clock.tickAsync(delay - 1);
      await server.expectNoRequest();
    }
    await clock.tickAsync(1);
  }

  it('creates with an empty POST (Upload-Complete: ?0), appends the file with ?1, completes, forgets the URL', async () => {
    const { uploader, log } = start();
    const file = makeFile(100 * KiB);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', {
      Location: url('u1'),
      'Upload-Complete': '?0',
      'Upload-Limit': 'max-size=1000000000, max-age=3600',
    });
    const append = await server.next();
    const [entry] = storage.entries();
    expect([entry.key, entry.expiresAt], 'remembered for max-age').to.deep.equal([key(file), NOW + 3600_000]);
    expectAppend(append, 'u1', file, 0, file.size).respond(200, 'stored', {
      'Upload-Complete': '?1',
    });
    const done = await log.first('upload-complete');
    expect(done.response).to.equal('stored');
    expect(storage.items.size).to.equal(0);
    await server.expectNoRequest();
  });

  it('sizes appends by max-append-size from the start, ?0 until the last', async () => {
    const { uploader, log } = start();
    const file = makeFile(250 * KiB);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', {
      Location: url('m'),
      'Upload-Limit': `max-append-size=${100 * KiB}`,
    });
    // Interop 8 answers 204 without Upload-Offset: the whole body was taken.
    expectAppend(await server.next(), 'm', file, 0, 100 * KiB).respond(204, '', { 'Upload-Complete': '?0' });
    expectAppend(await server.next(), 'm', file, 100 * KiB, 200 * KiB).respond(204, '', {
      'Upload-Complete': '?0',
      'Upload-Offset': String(200 * KiB),
    });
    expectAppend(await server.next(), 'm', file, 200 * KiB, file.size).respond(200, '', {
      'Upload-Complete': '?1',
    });
    await log.first('upload-complete');
    await server.expectNoRequest();
  });

  it('fails before sending bytes when the file is over max-size', async () => {
    const { uploader, log } = start();
    const file = makeFile(5000);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', {
      Location: url('x'),
      'Upload-Limit': 'max-size=4000',
    });
    const { error } = await log.first('upload-error');
    expect([error.kind, error.message]).to.deep.equal([
      'client',
      'The file is 5000 bytes; the server takes at most 4000',
    ]);
    await server.expectNoRequest();
  });

  it('on 413 carrying Upload-Limit, the next append obeys its max-append-size', async () => {
    const { uploader, log } = start();
    const file = makeFile(300 * KiB);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('t') });
    expectAppend(await server.next(), 't', file, 0, file.size).respond(413, 'too big', {
      'Upload-Limit': `max-append-size=${64 * KiB}`,
    });
    expectAppend(await server.next(), 't', file, 0, 64 * KiB).respond(204, '', { 'Upload-Complete': '?0' });
    expectAppend(await server.next(), 't', file, 64 * KiB, 128 * KiB).respond(204);
    expectAppend(await server.next(), 't', file, 128 * KiB, 192 * KiB).respond(204);
    expectAppend(await server.next(), 't', file, 192 * KiB, 256 * KiB).respond(204);
    expectAppend(await server.next(), 't', file, 256 * KiB, file.size).respond(200, '', {
      'Upload-Complete': '?1',
    });
    await log.first('upload-complete');
  });

  it('after a cut mid-PATCH: HEAD, then append from Upload-Offset', async () => {
    const { uploader, log } = start({ retryDelays: [500] });
    const file = makeFile(100 * KiB);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('c') });
    expectAppend(await server.next(), 'c', file, 0, file.size).networkError();
    expect((await log.first('upload-retry')).bytesUploaded).to.equal(0);
    await expectQuietFor(500);
    expectHead(await server.next(), 'c').respond(204, '', {
      'Upload-Offset': '40000;p=1',
      'Upload-Complete': '?0',
      'Upload-Length': String(file.size),
      'Upload-Limit': 'min-size=0',
    });
    expectAppend(await server.next(), 'c', file, 40000, file.size).respond(200, '', {
      'Upload-Complete': '?1',
    });
    await log.first('upload-complete');
  });

  it('on 409 asks HEAD and goes on without spending a retry', async () => {
    const { uploader, log } = start({ retryDelays: [] });
    const file = makeFile(1000);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('k') });
    expectAppend(await server.next(), 'k', file, 0, 1000).respond(409, '', {
      'Upload-Offset': '300',
      'Upload-Complete': '?0',
    });
    expectHead(await server.next(), 'k').respond(204, '', {
      'Upload-Offset': '300',
      'Upload-Complete': '?0',
    });
    expectAppend(await server.next(), 'k', file, 300, 1000).respond(200, '', { 'Upload-Complete': '?1' });
    await log.first('upload-complete');
  });

  it('resumes a remembered URL with HEAD; a 404 there creates anew', async () => {
    const file = makeFile(1000);
    storage.setItem(
      key(file),
      JSON.stringify({ url: new URL(url('old'), location.href).href, createdAt: NOW, expiresAt: NOW + 1000 }),
    );
    const { uploader, log } = start({ retryDelays: [] });
    uploader.add([file]);
    expectHead(await server.next(), 'old').respond(404);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('new') });
    expectAppend(await server.next(), 'new', file, 0, 1000).respond(200, '', { 'Upload-Complete': '?1' });
    await log.first('upload-complete');
  });

  it('cancel() DELETEs the upload', async () => {
    const { uploader, log } = start();
    const file = makeFile(1000);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('d') });
    const append = expectAppend(await server.next(), 'd', file, 0, 1000);
    uploader.cancel(onlyItem(uploader));
    (await server.next())
      .expectRequest('DELETE', url('d'))
      .expectHeaders({ 'Upload-Draft-Interop-Version': '8' })
      .respond(204);
    append.networkError();
    await log.first('upload-cancel');
    expect(storage.items.size).to.equal(0);
    await server.expectNoRequest();
  });

  it('completes a zero-byte file with an empty ?1 append', async () => {
    const { uploader, log } = start();
    const file = makeFile(0);
    uploader.add([file]);
    expectCreation(await server.next(), file).respond(201, '', { Location: url('z') });
    expectAppend(await server.next(), 'z', file, 0, 0).respond(200, '', { 'Upload-Complete': '?1' });
    await log.first('upload-complete');
  });

  it('speaks interop 6 when asked (its limit says expires, not max-age)', async () => {
    const { uploader, log } = start({}, { interopVersion: 6 });
    const file = makeFile(10);
    uploader.add([file]);
    expectCreation(await server.next(), file, '6').respond(201, '', {
      Location: url('six'),
      'Upload-Offset': '0',
      'Upload-Limit': 'expires=60',
    });
    const append = await server.next();
    expect(storage.entries()[0].expiresAt, 'remembered for expires').to.equal(NOW + 60_000);
    append
      .expectRequest('PATCH', url('six'))
      .expectHeaders({
        'Upload-Draft-Interop-Version': '6',
        'Content-Type': PARTIAL,
        'Upload-Complete': '?1',
      })
      .respond(201, '', { 'Upload-Offset': '10', 'Upload-Complete': '?1' });
    await log.first('upload-complete');
  });
});
