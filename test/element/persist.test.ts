// `persist` as a user meets it: a second element on the page plays the reloaded page, over the same
// IndexedDB entries and OPFS copies, against the wtr upload sink.
import { expect, html, oneEvent } from '@open-wc/testing';
import sinon from 'sinon';
import { STATUS, UPLOAD, makeFile, mount, part, parts, sha256, storedSha256 } from './helpers.js';
import type { ResumableUpload } from '../../src/element/resumable-upload.js';
import { Uploader } from '../../src/engine/queue.js';

/** Empties persist's IndexedDB store, so each test starts with no saved uploads. */
async function clearSaved(): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('resumable-upload', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('uploads', { keyPath: 'key' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  await new Promise((resolve) => {
    const req = db.transaction('uploads', 'readwrite').objectStore('uploads').clear();
    req.onsuccess = resolve;
  });
  db.close();
}

/** Waits until `n` entries are saved (with a whole copy, when `copied`). */
const saved = async (n: number, copied = false) => {
  for (let i = 0; i < 300; i++) {
    const count = await new Promise<number>((resolve) => {
      const open = indexedDB.open('resumable-upload', 1);
      open.onsuccess = () => {
        const req = open.result.transaction('uploads').objectStore('uploads').getAll();
        req.onsuccess = () => {
          open.result.close();
          const entries = req.result as { copy?: { complete: boolean } }[];
          resolve(entries.filter((e) => (copied ? e.copy?.complete : true)).length);
        };
      };
    });
    if (count === n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never ${n} saved entries`);
};

/** The first page: `file` added with persist but held (manual), as if the page closed before it went on. */
async function firstPage(file: File, copied: boolean): Promise<void> {
  const el = await mount(
    html`<resumable-upload persist manual status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
  );
  el.addFiles([file]);
  await saved(1, copied);
}

async function waitFor(f: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(f()).to.equal(true);
}

const reopened = () =>
  mount(html`<resumable-upload persist status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`);

// OPFS exists where there is a StorageManager (Chromium, Firefox; not WebKitGTK's MiniBrowser, where the
// no-copy path below is the only one).
const hasOpfs = typeof navigator.storage?.getDirectory === 'function';

describe('<resumable-upload persist>', () => {
  beforeEach(clearSaved);

  if (hasOpfs)
    it('a reopened page lists the file and finishes it by itself, no pick (the OPFS copy)', async () => {
      const file = makeFile(300 * 1024);
      await firstPage(file, true);
      const el = await reopened();
      const { detail } = await oneEvent(el, 'upload-complete');
      expect(detail.file.name).to.equal('report.pdf');
      expect(await storedSha256(detail.fileId)).to.equal(await sha256(file));
      await el.updateComplete;
      expect(part(el, 'status').textContent?.trim()).to.equal('Done');
      await saved(0);
    });

  it('with no copy (no OPFS): the row asks for the file; Resume opens the picker; the file picked goes to that row', async () => {
    if (hasOpfs)
      sinon.stub(navigator.storage, 'getDirectory').rejects(new DOMException('denied', 'SecurityError'));
    const warn = sinon.stub(console, 'warn');
    const file = makeFile(200 * 1024);
    await firstPage(file, false);
    const el: ResumableUpload = await reopened();
    await waitFor(() => el.items.length === 1);
    await el.updateComplete;
    expect(el.items[0].needs).to.equal('file');
    expect(part(el, 'status').textContent?.trim()).to.equal('Interrupted: choose the file again to go on');
    expect(part(el, 'file-name').textContent).to.equal('report.pdf');
    const resume = part<HTMLButtonElement>(el, 'resume-button');
    expect(resume.getAttribute('aria-label')).to.equal('Resume report.pdf');
    await expect(el).to.be.accessible();
    const click = sinon.stub(HTMLInputElement.prototype, 'click');
    resume.click();
    expect(click.callCount, 'the file picker opened').to.equal(1);
    el.addFiles([file]);
    expect(el.items).to.have.length(1);
    const { detail } = await oneEvent(el, 'upload-complete');
    expect(await storedSha256(detail.fileId)).to.equal(await sha256(file));
    expect(parts(el, 'file')).to.have.length(1);
    expect(warn.called).to.equal(false);
  });

  it('persist="false", "off" or "0" keeps nothing and warns nothing; persist="true" is on, as a bare persist', async () => {
    const warn = sinon.stub(console, 'warn');
    const persisted = sinon.spy(Uploader.prototype, 'persisted');
    const page = (value: string) =>
      mount(
        html`<resumable-upload
          persist=${value}
          manual
          status-url=${STATUS}
          upload-url=${UPLOAD}
        ></resumable-upload>`,
      );
    for (const value of ['false', 'off', '0']) {
      const el = await page(value);
      el.addFiles([makeFile(100)]);
      expect(el.items, value).to.have.length(1);
      expect(persisted.called, `persist="${value}" turned persistence on`).to.equal(false);
    }
    const on = await page('true');
    on.addFiles([makeFile(100)]);
    expect(persisted.called, 'persist="true" turned it on').to.equal(true);
    await saved(1, hasOpfs);
    expect(warn.called, String(warn.args[0])).to.equal(false);
  });

  // The size is read where a copy is kept: only where there is OPFS.
  if (hasOpfs)
    it('a persist value that means nothing warns once, naming it, and keeps the default size', async () => {
      const warn = sinon.stub(console, 'warn');
      const el = await mount(
        html`<resumable-upload
          persist="forever"
          manual
          status-url=${STATUS}
          upload-url=${UPLOAD}
        ></resumable-upload>`,
      );
      el.addFiles([makeFile(100)]);
      await saved(1, true);
      expect(warn.args.map((a) => String(a[0]))).to.deep.equal([
        '<resumable-upload> persist: persist="forever" is not a size; use no value, or e.g. "2GB" or "500MiB". Using the default, 2 GiB',
      ]);
    });
});
