// One uploader per file across tabs, request by request, for tus and IETF. Two Uploaders in one page play
// two tabs: Web Locks and BroadcastChannel work between them as between the tabs of one origin, and one
// URL memory stands for the origin's localStorage. The second tab sends nothing while the first uploads,
// completes with it (even when the news comes after the lock), and takes over on the upload the first
// created: remembered in the shared storage, or with no storage (`storage: null`) from the URL the first
// tab told it. (test/e2e/two-tabs.test.ts runs the same in real tabs against the real server.)
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { UploadStatus, Uploader, ietf, tus, type UploadItem } from '../../src/engine/index.js';
import { EventLog } from '../support/engine-events.js';
import { makeFile } from '../support/files.js';
import {
  ScriptedServer,
  realDelay,
  startMockServer,
  stopMockServer,
  type ScriptedRequest,
} from '../support/scripted-server.js';
import { MemoryStorage } from '../support/url-storage.js';

const KiB = 1024;
const CHUNK = 4 * KiB;

/** How each protocol's requests look and are answered, as far as these tests need. */
const WIRE = {
  tus: {
    protocol: tus,
    created: { 'Tus-Resumable': '1.0.0' },
    appended: (offset: number) => ({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset) }),
    head: {
      status: 200,
      headers: (offset: number) => ({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset) }),
    },
  },
  ietf: {
    protocol: ietf,
    created: { 'Upload-Complete': '?0' },
    appended: (offset: number) => ({ 'Upload-Offset': String(offset) }),
    head: {
      status: 204,
      headers: (offset: number) => ({ 'Upload-Offset': String(offset), 'Upload-Complete': '?0' }),
    },
  },
} as const;

/** Polls (real time) until the item shows another tab's upload. */
async function followsElsewhere(item: UploadItem): Promise<void> {
  for (let i = 0; i < 100 && !item.elsewhere; i++) await realDelay(10);
  expect(item.elsewhere, 'the second tab follows the first').to.equal(true);
}

describe('tabs: one uploader per file', () => {
  before(startMockServer);
  after(stopMockServer);

  for (const name of ['tus', 'ietf'] as const) {
    describe(name, () => {
      const wire = WIRE[name];
      let server: ScriptedServer;
      let storage: MemoryStorage | null;
      let uploaders: Uploader[];
      let serial = 0;

      beforeEach(() => {
        server = new ScriptedServer();
        storage = new MemoryStorage();
        uploaders = [];
      });
      afterEach(() => {
        for (const u of uploaders) u.clear();
        server.close();
        sinon.restore();
      });

      /** One tab's uploader; every tab of the origin shares `storage`, as they share localStorage. */
      function tab() {
        const uploader = new Uploader({
          protocol: wire.protocol({ storage }),
          endpoint: server.endpoint,
          chunkSize: CHUNK,
          retryDelays: [60_000],
        });
        uploaders.push(uploader);
        return { uploader, log: new EventLog(uploader) };
      }

      const url = (id: string) => `${server.endpoint}${id}`;

      /** The first tab creates the upload and sends the first chunk; the second, picked now, follows. */
      async function twoTabs(size: number) {
        const file = makeFile(size, `tabs-${name}-${++serial}.bin`);
        const a = tab();
        const b = tab();
        a.uploader.add([file]);
        const create = (await server.next()).expectRequest('POST', server.endpoint);
        expect(create.body.byteLength, 'creation body').to.equal(0);
        const [itemB] = b.uploader.add([file]);
        await followsElsewhere(itemB);
        create.respond(201, '', { Location: url('t1'), ...wire.created });
        (await server.next())
          .expectRequest('PATCH', url('t1'))
          .expectHeaders({ 'Upload-Offset': '0' })
          .expectBody(file, 0, CHUNK)
          .respond(204, '', wire.appended(CHUNK));
        return { file, a, b, itemB };
      }

      /** The first tab creates the upload and sends its first chunk; the second tab exists, with no file yet. */
      async function twoTabsLate(size: number) {
        const file = makeFile(size, `tabs-${name}-${++serial}.bin`);
        const a = tab();
        const b = tab();
        a.uploader.add([file]);
        (await server.next())
          .expectRequest('POST', server.endpoint)
          .respond(201, '', { Location: url('t1'), ...wire.created });
        (await server.next())
          .expectRequest('PATCH', url('t1'))
          .expectBody(file, 0, CHUNK)
          .respond(204, '', wire.appended(CHUNK));
        return { file, a, b };
      }

      it('the second tab sends nothing and completes with the first, though the news is slower than the lock', async () => {
        // The completion reaches the other tab only after the lock does (the browser orders neither).
        const post = BroadcastChannel.prototype.postMessage;
        sinon.stub(BroadcastChannel.prototype, 'postMessage').callsFake(function (this: BroadcastChannel, m) {
          void realDelay(100).then(() => {
            try {
              post.call(this, m);
            } catch {
              // The channel closed meanwhile: the news is lost, as a tab that closes loses it.
            }
          });
        });
        const { file, a, b, itemB } = await twoTabs(2 * CHUNK + 100);
        (await server.next())
          .expectRequest('PATCH', url('t1'))
          .expectBody(file, CHUNK, 2 * CHUNK)
          .respond(204, '', wire.appended(2 * CHUNK));
        (await server.next())
          .expectRequest('PATCH', url('t1'))
          .expectBody(file, 2 * CHUNK, file.size)
          .respond(200, 'stored', wire.appended(file.size));
        await a.log.first('upload-complete');
        const done = await b.log.first('upload-complete');
        expect([done.response, itemB.status, itemB.elsewhere]).to.deep.equal([
          'stored',
          UploadStatus.complete,
          false,
        ]);
        await server.expectNoRequest(150);
        expect(server.log.length, "requests: the first tab's only").to.equal(4);
        expect(storage?.items.size, 'the completed upload is forgotten').to.equal(0);
      });

      /** After the first tab stopped: the second asks `t1` (HEAD) and sends the rest from `offset`. */
      async function goesOn(file: File, b: ReturnType<typeof tab>, itemB: UploadItem, offset: number) {
        const head = await server.next();
        head.expectRequest('HEAD', url('t1'));
        expect(itemB.elsewhere, 'the second tab uploads now').to.equal(false);
        head.respond(wire.head.status, '', wire.head.headers(offset));
        const rest: ScriptedRequest[] = [];
        for (let at = offset; at < file.size; at = Math.min(file.size, at + CHUNK)) {
          const r = (await server.next())
            .expectRequest('PATCH', url('t1'))
            .expectHeaders({ 'Upload-Offset': String(at) })
            .expectBody(file, at, Math.min(file.size, at + CHUNK));
          r.respond(204, '', wire.appended(Math.min(file.size, at + CHUNK)));
          rest.push(r);
        }
        await b.log.first('upload-complete');
        expect(
          server.log.filter((r) => r.method === 'POST'),
          'one creation, by the first tab',
        ).to.have.length(1);
        return rest;
      }

      /** Pauses the first tab: it lets the lock go as a closed one does (and, closed, cancels nothing). */
      function close(a: ReturnType<typeof tab>) {
        a.uploader.pause();
        // A closed tab cancels nothing afterwards: it is left out of the clean-up (whose cancel would DELETE).
        uploaders.splice(uploaders.indexOf(a.uploader), 1);
      }

      for (const memory of ['shared storage', 'no storage'] as const) {
        it(`the first tab stops mid-way: the second goes on with the upload it created, from its offset (${memory})`, async () => {
          if (memory === 'no storage') storage = null;
          const { file, b, a, itemB } = await twoTabs(3 * CHUNK);
          // Its PATCH is never answered.
          (await server.next()).expectRequest('PATCH', url('t1')).expectBody(file, CHUNK, 2 * CHUNK);
          close(a);
          const rest = await goesOn(file, b, itemB, CHUNK + 10);
          expect(rest.length, 'the rest, in chunks from the offset').to.equal(2);
        });
      }

      it('a tab that took over tells a third tab its progress and upload URL, and that one takes over in turn (no storage)', async () => {
        storage = null;
        const { file, a, b, itemB } = await twoTabs(3 * CHUNK);
        (await server.next()).expectRequest('PATCH', url('t1'));
        close(a);
        const head = await server.next();
        head.expectRequest('HEAD', url('t1')).respond(wire.head.status, '', wire.head.headers(CHUNK));
        // Never answered: the second tab closes while it sends.
        (await server.next()).expectRequest('PATCH', url('t1')).expectBody(file, CHUNK, 2 * CHUNK);
        expect(itemB.elsewhere).to.equal(false);
        const c = tab();
        const [itemC] = c.uploader.add([file]);
        await followsElsewhere(itemC);
        for (let i = 0; i < 100 && itemC.bytesUploaded !== CHUNK; i++) await realDelay(10);
        expect(itemC.bytesUploaded, "the second tab's bytes, shown in the third").to.equal(CHUNK);
        close(b);
        (await server.next())
          .expectRequest('HEAD', url('t1'))
          .respond(wire.head.status, '', wire.head.headers(2 * CHUNK));
        (await server.next())
          .expectRequest('PATCH', url('t1'))
          .expectHeaders({ 'Upload-Offset': String(2 * CHUNK) })
          .expectBody(file, 2 * CHUNK, file.size)
          .respond(204, '', wire.appended(file.size));
        await c.log.first('upload-complete');
        expect(
          server.log.filter((r) => r.method === 'POST'),
          'one creation, by the first tab',
        ).to.have.length(1);
      });

      it("the first tab's upload is gone when the second takes over: it creates anew, as for a remembered URL (no storage)", async () => {
        storage = null;
        const { file, a, b } = await twoTabs(2 * CHUNK);
        (await server.next()).expectRequest('PATCH', url('t1'));
        close(a);
        (await server.next()).expectRequest('HEAD', url('t1')).respond(404, 'expired');
        (await server.next())
          .expectRequest('POST', server.endpoint)
          .respond(201, '', { Location: url('t2'), ...wire.created });
        for (const at of [0, CHUNK])
          (await server.next())
            .expectRequest('PATCH', url('t2'))
            .expectHeaders({ 'Upload-Offset': String(at) })
            .expectBody(file, at, at + CHUNK)
            .respond(204, '', wire.appended(at + CHUNK));
        await b.log.first('upload-complete');
      });

      it("a tab paused on an upload of its own takes over the other tab's, not its own older one (no storage)", async () => {
        storage = null;
        const file = makeFile(3 * CHUNK, `tabs-${name}-${++serial}.bin`);
        const b = tab();
        const [itemB] = b.uploader.add([file]);
        (await server.next())
          .expectRequest('POST', server.endpoint)
          .respond(201, '', { Location: url('t0'), ...wire.created });
        (await server.next()).expectRequest('PATCH', url('t0'));
        b.uploader.pause();
        // With nothing remembered, the other tab starts an upload of its own, and gets further.
        const a = tab();
        a.uploader.add([file]);
        (await server.next())
          .expectRequest('POST', server.endpoint)
          .respond(201, '', { Location: url('t1'), ...wire.created });
        (await server.next()).expectRequest('PATCH', url('t1')).respond(204, '', wire.appended(CHUNK));
        (await server.next()).expectRequest('PATCH', url('t1'));
        b.uploader.resume();
        await followsElsewhere(itemB);
        // The other tab's answer to its ask: the bytes shown are that tab's, not its own.
        for (let i = 0; i < 100 && itemB.bytesUploaded !== CHUNK; i++) await realDelay(10);
        expect(itemB.bytesUploaded, "the other tab's bytes").to.equal(CHUNK);
        close(a);
        const head = await server.next();
        head.expectRequest('HEAD', url('t1'));
        head.respond(wire.head.status, '', wire.head.headers(CHUNK));
        for (const at of [CHUNK, 2 * CHUNK])
          (await server.next())
            .expectRequest('PATCH', url('t1'))
            .expectHeaders({ 'Upload-Offset': String(at) })
            .expectBody(file, at, at + CHUNK)
            .respond(204, '', wire.appended(at + CHUNK));
        await b.log.first('upload-complete');
        expect(
          server.log.filter((r) => r.method === 'POST'),
          'one creation per tab, none at the takeover',
        ).to.have.length(2);
      });

      it('a tab that starts following while the first waits to retry learns its upload URL (no storage)', async () => {
        storage = null;
        const { file, a, b } = await twoTabsLate(3 * CHUNK);
        const [itemA] = a.uploader.items;
        (await server.next()).expectRequest('PATCH', url('t1')).respond(500, 'busy');
        for (let i = 0; i < 100 && itemA.status !== UploadStatus.retrying; i++) await realDelay(10);
        expect(itemA.status, 'the first tab waits a minute to retry').to.equal(UploadStatus.retrying);
        // Its last progress went out: the second tab hears nothing more unless it asks.
        await realDelay(150);
        const [itemB] = b.uploader.add([file]);
        await followsElsewhere(itemB);
        for (let i = 0; i < 100 && itemB.bytesUploaded !== CHUNK; i++) await realDelay(10);
        expect(itemB.bytesUploaded, "the first tab's bytes, shown at once").to.equal(CHUNK);
        close(a);
        await goesOn(file, b, itemB, CHUNK);
      });
    });
  }
});
