// `persist` in the engine, against a scripted server: what a reloaded page restores from each source
// (a file handle, an OPFS copy, nothing), and how each storage failure degrades to a plain upload with a
// warning. A "reload" is a second Uploader over the same entries.
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { Persistence, persistence } from '../../src/engine/persist.js';
import { openStore, type PersistEntry, type PersistStore } from '../../src/engine/persist-store.js';
import { UploadStatus, Uploader, type UploadItem } from '../../src/engine/index.js';
import { EventLog } from '../support/engine-events.js';
import { scriptedUploader, type Harness } from '../support/engine-harness.js';
import { articleId, makeFile, sourceBytes } from '../support/files.js';
import { startMockServer, stopMockServer } from '../support/scripted-server.js';

const KiB = 1024;

// What each engine's platform gives persist (README: which browser gets which). A handle a user can pick
// exists only where showOpenFilePicker does (Chromium); OPFS where there is a StorageManager (Chromium,
// Firefox; not WebKitGTK's MiniBrowser, where persist can only ask for the file again: the tests with
// fake handles and no copy cover that path in every engine).
const picksHandles = 'showOpenFilePicker' in globalThis;
const hasOpfs = typeof navigator.storage?.getDirectory === 'function';

/** navigator.storage.estimate answers `quota`; where the engine has no StorageManager, a stand-in does. */
function stubEstimate(quota: number): void {
  if (navigator.storage) {
    sinon.stub(navigator.storage, 'estimate').resolves({ quota, usage: 0 });
    return;
  }
  Object.defineProperty(navigator, 'storage', {
    configurable: true,
    value: { estimate: () => Promise.resolve({ quota, usage: 0 }) },
  });
  standIn = true;
}
let standIn = false;

/** Entries in a Map: what IndexedDB would hold, readable by the test. */
class MapStore implements PersistStore {
  readonly map = new Map<string, PersistEntry>();
  all = () => Promise.resolve([...this.map.values()].map((e) => ({ ...e })));
  put = (e: PersistEntry) => Promise.resolve(void this.map.set(e.key, { ...e }));
  delete = (key: string) => Promise.resolve(void this.map.delete(key));
}

/** The uploader keeps its entries in `store`, with or without OPFS. */
function using(uploader: Uploader, store: PersistStore, opfs: boolean): Persistence {
  const p = new Persistence(uploader, { store, opfs });
  uploader.persisted = () => Promise.resolve(p);
  return p;
}

/** A FileSystemFileHandle as a page would find it after a reload: its permission and its file. */
function fakeHandle(file: File, permission: PermissionState, onRequest: PermissionState = permission) {
  return {
    kind: 'file',
    name: file.name,
    queryPermission: () => Promise.resolve(permission),
    requestPermission: sinon.fake.resolves(onRequest),
    getFile: () => Promise.resolve(file),
  } as unknown as FileSystemFileHandle & { requestPermission: sinon.SinonSpy };
}

const until = async (f: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(f(), what).to.equal(true);
};

describe('engine: persist', () => {
  let h: Harness;
  let reloaded: Uploader | null = null;
  let warn: sinon.SinonStub;

  before(startMockServer);
  after(stopMockServer);
  beforeEach(() => (warn = sinon.stub(console, 'warn')));
  afterEach(() => {
    h?.dispose();
    reloaded?.clear();
    reloaded = null;
    sinon.restore();
    if (standIn) delete (navigator as { storage?: unknown }).storage;
    standIn = false;
  });

  /** The first page: `file` started with persist, then the page went away (paused: nothing canceled). */
  async function savedBy(store: MapStore, file: File, handle?: FileSystemFileHandle, opfs = false) {
    h = scriptedUploader({ persist: true });
    const p = using(h.uploader, store, opfs);
    if (handle) p.offer(file, handle);
    h.uploader.add([file]);
    await h.server.next();
    await until(() => store.map.size === 1, 'the entry is saved');
    h.uploader.pause();
    return [...store.map.values()][0];
  }

  /** The page again: a new Uploader over the same server and entries. */
  function reload(store: PersistStore, opfs = false): { uploader: Uploader; log: EventLog; p: Persistence } {
    const uploader = new Uploader({
      statusUrl: h.server.statusUrl,
      uploadUrl: h.server.uploadUrl,
      persist: true,
    });
    reloaded = uploader;
    return { uploader, log: new EventLog(uploader), p: using(uploader, store, opfs) };
  }

  it('a handle that still reads the same file: the reloaded page goes on by itself from the server offset', async () => {
    const store = new MapStore();
    const file = makeFile(150 * KiB);
    const id = articleId(file);
    await savedBy(store, file, fakeHandle(file, 'granted'));
    const page = reload(store);
    const [item] = await page.uploader.restore();
    expect(item.file.name).to.equal(file.name);
    (await h.server.next()).expectStatus(id).respond(200, '100000');
    (await h.server.next()).expectChunk(file, id, 100000, file.size).respond(200, String(file.size));
    await page.log.first('upload-complete');
    await until(() => store.map.size === 0, 'the finished entry is deleted');
  });

  if (picksHandles)
    it('a real FileSystemFileHandle kept in IndexedDB is read again after a reload (an OPFS handle stands in for a picked one)', async () => {
      const source = makeFile(150 * KiB);
      const root = await navigator.storage.getDirectory();
      const handle = await root.getFileHandle('picked.bin', { create: true });
      const w = await handle.createWritable();
      await w.write(sourceBytes(source));
      await w.close();
      const picked = await handle.getFile();
      const id = articleId(picked);
      const store = await openStore();
      h = scriptedUploader({ persist: true });
      using(h.uploader, store, false).offer(picked, handle);
      h.uploader.add([picked]);
      await h.server.next();
      for (let i = 0; i < 200 && !(await store.all()).length; i++)
        await new Promise((r) => setTimeout(r, 10));
      h.uploader.pause();
      const [entry] = await store.all();
      expect(entry.handle, 'the handle went through structured clone').to.be.instanceOf(FileSystemFileHandle);
      const page = reload(store);
      const [item] = await page.uploader.restore();
      (await h.server.next()).expectStatus(id).respond(200, '65536');
      (await h.server.next()).expectChunk(source, id, 65536, source.size).respond(200, String(source.size));
      await page.log.first('upload-complete');
      expect(item.file.name).to.equal('picked.bin');
      for (let i = 0; i < 200 && (await store.all()).length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await store.all()).to.deep.equal([]);
      await root.removeEntry('picked.bin');
    });

  it('a handle whose file changed (size or lastModified): warns, lists nothing, drops the entry', async () => {
    for (const changed of [makeFile(150 * KiB + 1), makeFile(150 * KiB, 'photo.bin', 1)]) {
      const store = new MapStore();
      const file = makeFile(150 * KiB);
      const entry = await savedBy(store, file, fakeHandle(file, 'granted'));
      store.map.set(entry.key, { ...entry, handle: fakeHandle(changed, 'granted') });
      const page = reload(store);
      expect(await page.uploader.restore()).to.deep.equal([]);
      expect(page.uploader.items).to.have.length(0);
      expect(store.map.size).to.equal(0);
      expect(String(warn.lastCall?.args[0])).to.match(/photo\.bin changed or is gone/);
      await h.server.expectNoRequest();
      h.dispose();
    }
  });

  it('lost permission: the row waits paused with the server offset; one click asks and goes on', async () => {
    const store = new MapStore();
    const file = makeFile(150 * KiB);
    const id = articleId(file);
    await savedBy(store, file);
    const handle = fakeHandle(file, 'prompt', 'granted');
    const [key] = store.map.keys();
    store.map.set(key, { ...store.map.get(key)!, handle });
    const { uploader, log, p } = reload(store);
    const [item] = await uploader.restore();
    expect([item.status, item.needs, item.bytesTotal]).to.deep.equal([
      UploadStatus.paused,
      'permission',
      file.size,
    ]);
    // Asked, never trusted from storage; nothing created, nothing sent.
    (await h.server.next()).expectStatus(id).respond(200, '65536');
    await until(() => item.bytesUploaded === 65536, 'the row shows the server offset');
    uploader.resume(item);
    await h.server.expectNoRequest();
    expect(await p.obtain(item)).to.equal(true);
    expect(handle.requestPermission.callCount).to.equal(1);
    (await h.server.next()).expectStatus(id).respond(200, '65536');
    (await h.server.next()).expectChunk(file, id, 65536, file.size).respond(200, String(file.size));
    await log.first('upload-complete');
  });

  it('permission denied at the click: the row asks for the file, and the same file picked again goes on', async () => {
    const store = new MapStore();
    const file = makeFile(150 * KiB);
    const id = articleId(file);
    await savedBy(store, file);
    const [key] = store.map.keys();
    store.map.set(key, { ...store.map.get(key)!, handle: fakeHandle(file, 'prompt', 'denied') });
    const { uploader, log, p } = reload(store);
    const [item] = await uploader.restore();
    (await h.server.next()).expectStatus(id).respond(200, '0');
    expect(await p.obtain(item)).to.equal(false);
    expect(item.needs).to.equal('file');
    expect(p.match([makeFile(10), file])).to.have.length(1);
    // The offset asked at the restore may still be the fresh one (WebKit gets here before the upload has
    // taken it in): the upload then sends from it at once, else it asks again.
    let next = await h.server.next();
    if (next.method === 'GET') {
      next.expectStatus(id).respond(200, '0');
      next = await h.server.next();
    }
    next.expectChunk(file, id, 0, file.size).respond(200, String(file.size));
    await log.first('upload-complete');
  });

  it('private mode (no OPFS, no handle): the row asks for the file once and matches it by id', async () => {
    const store = new MapStore();
    const file = makeFile(150 * KiB);
    await savedBy(store, file);
    expect([...store.map.values()][0].copy, 'no copy without OPFS').to.equal(undefined);
    const { uploader, p } = reload(store);
    const [item] = await uploader.restore();
    expect(item.needs).to.equal('file');
    (await h.server.next()).expectStatus(articleId(file)).respond(200, '0');
    expect(p.match([file])).to.deep.equal([]);
    expect(item.needs).to.equal(null);
  });

  it('no IndexedDB at all (private mode): one warning, and the upload goes on as without persist', async () => {
    sinon.stub(indexedDB, 'open').throws(new DOMException('denied', 'SecurityError'));
    h = scriptedUploader({ persist: true });
    expect(await persistence(h.uploader)).to.equal(null);
    expect(String(warn.lastCall.args[0])).to.match(/keeps no IndexedDB/);
    const file = makeFile(100 * KiB);
    h.uploader.add([file]);
    (await h.server.next()).expectStatus(articleId(file)).respond(200, '0');
    (await h.server.next()).expectChunk(file, articleId(file), 0, file.size).respond(200, String(file.size));
    await h.log.first('upload-complete');
  });

  it('a store that fails every write (quota): warns, and the upload goes on', async () => {
    const store = new MapStore();
    store.put = () => Promise.reject(new DOMException('full', 'QuotaExceededError'));
    h = scriptedUploader({ persist: true });
    using(h.uploader, store, true);
    const file = makeFile(100 * KiB);
    h.uploader.add([file]);
    (await h.server.next()).expectStatus(articleId(file)).respond(200, '0');
    (await h.server.next()).expectChunk(file, articleId(file), 0, file.size).respond(200, String(file.size));
    await h.log.first('upload-complete');
    expect(String(warn.firstCall.args[0])).to.match(/could not save photo\.bin .*QuotaExceededError/);
  });

  for (const [what, persist, quota] of [
    ['persist="1kB" is smaller than the file', '1kB', 1e12],
    ["the origin's quota is used up", true, 50 * KiB],
  ] as const)
    it(`quota exhaustion (${what}): no copy, a warning, the upload goes on`, async () => {
      stubEstimate(quota);
      const store = new MapStore();
      h = scriptedUploader({ persist });
      using(h.uploader, store, true);
      const file = makeFile(100 * KiB);
      h.uploader.add([file]);
      (await h.server.next()).expectStatus(articleId(file)).respond(200, '0');
      await until(() => warn.called, 'a warning');
      expect(String(warn.firstCall.args[0])).to.match(/no room to keep a copy of photo\.bin/);
      expect([...store.map.values()][0].copy).to.equal(undefined);
      (await h.server.next())
        .expectChunk(file, articleId(file), 0, file.size)
        .respond(200, String(file.size));
      await h.log.first('upload-complete');
    });

  if (hasOpfs)
    it('the OPFS copy: written in a Worker, read back byte for byte after a reload, deleted on cancel', async () => {
      const store = new MapStore();
      const file = makeFile(9 * 1024 * KiB + 7);
      const id = articleId(file);
      await savedBy(store, file, undefined, true);
      await until(() => [...store.map.values()][0]?.copy?.complete === true, 'the copy is whole');
      const { uploader } = reload(store, true);
      const [item] = (await uploader.restore()) as UploadItem[];
      const restored = new Uint8Array(await item.file.arrayBuffer());
      expect(restored.length).to.equal(file.size);
      expect(
        restored.every((b, i) => b === sourceBytes(file)[i]),
        'the copy is byte-identical',
      ).to.equal(true);
      (await h.server.next()).expectStatus(id);
      const dir = [...store.map.values()][0].copy!.dir;
      uploader.cancel(item);
      await until(() => store.map.size === 0, 'the entry goes on cancel');
      const top = await (await navigator.storage.getDirectory()).getDirectoryHandle('resumable-upload');
      let gone = false;
      for (let i = 0; i < 100 && !gone; i++) {
        gone = await top.getDirectoryHandle(dir).then(
          () => false,
          () => true,
        );
        if (!gone) await new Promise((r) => setTimeout(r, 20));
      }
      expect(gone, 'the copy folder is deleted').to.equal(true);
    });
});
