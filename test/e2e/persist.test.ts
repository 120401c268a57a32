// `persist`: an upload interrupted at ~40% by a reload, or by the whole browser closing, goes on by itself
// when the page opens again: no second pick, only the bytes the server lacks cross the wire, and the
// stored file is byte-identical. Files picked through the input give no handle in Chromium, so those
// runs take the OPFS-copy path; a picked or dropped file's handle is kept instead of a copy.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { eventLog, firstRow, mount, openPage, pick, settle, type ClientOptions } from './support/browser.js';
import { MiB, type SourceFile } from './support/files.js';
import { assertStored, startRig, uploadUrlOf, type Rig } from './support/rig.js';
import { creations, headOffset } from './support/scenarios.js';

const CHUNK = 2 * MiB;
const SIZE = 12 * MiB + 5;

/** What persist keeps in the page's origin: IndexedDB entries, and OPFS copy folders. */
function kept(
  page: Page,
): Promise<{ entries: { name: string; copy?: { complete: boolean } }[]; dirs: string[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('resumable-upload', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('uploads', { keyPath: 'key' });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const entries = await new Promise<{ name: string; copy?: { complete: boolean } }[]>((resolve) => {
      const req = db.transaction('uploads').objectStore('uploads').getAll();
      req.onsuccess = () => resolve(req.result);
    });
    db.close();
    const dirs: string[] = [];
    try {
      const top = await (await navigator.storage.getDirectory()).getDirectoryHandle('resumable-upload');
      for await (const name of (top as unknown as { keys(): AsyncIterable<string> }).keys()) dirs.push(name);
    } catch {
      // No copies were ever made.
    }
    return { entries, dirs };
  });
}

/** Writes the file into the page's OPFS; the page's picker and drop items then hand out its handle. */
async function handOutHandle(page: Page, file: SourceFile): Promise<void> {
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), {
      type: 'file',
      id: 'source',
      hidden: true,
    });
    document.body.append(input);
  });
  await page.locator('#source').setInputFiles(file.path);
  await page.evaluate(async () => {
    const picked = (document.querySelector('#source') as HTMLInputElement).files![0];
    const handle = await (
      await navigator.storage.getDirectory()
    ).getFileHandle(picked.name, { create: true });
    const writable = await handle.createWritable();
    await writable.write(picked);
    await writable.close();
    Object.assign(window, { pickedHandle: handle });
  });
  // A script, not a function: tsx's helpers (__name) do not exist in the page.
  await page.addScriptTag({
    content:
      'window.showOpenFilePicker = async () => [window.pickedHandle];' +
      'DataTransferItem.prototype.getAsFileSystemHandle = async () => window.pickedHandle;',
  });
}

/** Drops the handle's file on the element's drop zone, as a drag from the desktop would. */
async function dropHandle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const handle = (window as unknown as { pickedHandle: FileSystemFileHandle }).pickedHandle;
    const data = new DataTransfer();
    data.items.add(await handle.getFile());
    const zone = document
      .querySelector('resumable-upload')!
      .shadowRoot!.querySelector('[part~="drop-zone"]')!;
    zone.dispatchEvent(
      new DragEvent('drop', { dataTransfer: data, bubbles: true, composed: true, cancelable: true }),
    );
  });
}

/** persist's IndexedDB entries: the file's name, and whether a handle or a copy keeps it. */
function keptHandles(page: Page): Promise<{ name: string; handle: boolean; copy: boolean }[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('resumable-upload', 1);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const entries = await new Promise<{ name: string; handle?: unknown; copy?: unknown }[]>((resolve) => {
      const req = db.transaction('uploads').objectStore('uploads').getAll();
      req.onsuccess = () => resolve(req.result);
    });
    db.close();
    return entries.map((e) => ({ name: e.name, handle: !!e.handle, copy: !!e.copy }));
  });
}

async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await f();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: never happened; last ${JSON.stringify(await f())}`);
}

describe('persist: reload and browser restart', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  after(() => rig?.close());
  afterEach(() => rig.proxy.throttle(null));

  /** Uploads until ~40% in `page`, with its copy kept; returns the file id. */
  async function interruptAt40(page: Page, file: SourceFile): Promise<string> {
    // Slow enough that the copy is whole well before 40% even on a loaded machine.
    rig.proxy.throttle({ bytesPerSecond: 1.5 * MiB });
    await pick(page, 'element', file.path);
    await until(
      'the copy is whole',
      () => kept(page),
      (k) => !!k.entries[0]?.copy?.complete,
    );
    await until(
      '~40% uploaded',
      () => firstRow(page),
      (r) => (r?.bytes ?? 0) >= 0.4 * file.size,
    );
    return (await eventLog(page))[0].fileId!;
  }

  /** What the server holds once every request of the dropped page is over. */
  async function serverOffset(fileId: string, options: ClientOptions, from: number): Promise<number> {
    await until(
      'the dropped requests are over',
      async () => rig.proxy.uploads().filter((r) => rig.proxy.requests.indexOf(r) >= from),
      (rs) => rs.every((r) => r.status !== null || r.closed),
    );
    if (!options.protocol) {
      const res = await fetch(`${rig.server.url}/status`, { headers: { 'X-File-Id': fileId } });
      return Number(await res.text());
    }
    const url = uploadUrlOf(rig.proxy.requests.slice(from))!;
    return headOffset(rig.server, options.protocol as 'tus' | 'ietf', new URL(url, rig.server.url).href);
  }

  /** Opens the page again, no pick: the element must list the file and finish it. */
  async function goesOnByItself(page: Page, file: SourceFile, options: ClientOptions, offset: number) {
    const first = rig.proxy.requests.length;
    await mount(page, rig.proxy.url, 'element', options);
    const listed = await (
      await page.waitForFunction(() => {
        const el = document.querySelector('resumable-upload')!;
        const f = el.items[0]?.file as File | undefined;
        return f ? { name: f.name, size: f.size } : null;
      })
    ).jsonValue();
    assert.deepEqual(listed, { name: file.name, size: file.size }, 'the row is listed again');
    const run = await settle(page, 60_000);
    const requests = rig.proxy.requests.slice(first);
    const posts = rig.proxy.uploads().filter((r) => requests.includes(r));
    const wire = posts.reduce((n, r) => n + r.received, 0);
    await assertStored(rig, file, { ...run, uploadUrl: options.protocol ? uploadUrlOf(requests) : null });
    assert.equal(posts[0]?.start, offset, 'the first request after reopening starts at the server offset');
    assert.equal(wire, file.size - offset, 'only the bytes the server lacked crossed the wire');
    if (options.protocol) assert.equal(creations(requests), 0, 'it went on with the upload it had');
    const left = await until(
      'entries and copies are cleaned up',
      () => kept(page),
      (k) => !k.entries.length && !k.dirs.length,
    );
    assert.deepEqual(left, { entries: [], dirs: [] });
    return { wire };
  }

  for (const protocol of [undefined, 'tus', 'ietf'] as const) {
    test(`reload at ~40% (${protocol ?? 'status-upload'}): goes on by itself, only the missing bytes sent`, async (t) => {
      const file = await rig.file(SIZE);
      const options: ClientOptions = {
        chunkSize: CHUNK,
        retryDelays: [0, 100, 300],
        persist: '',
        ...(protocol && { protocol }),
      };
      const context = await rig.browser.newContext();
      try {
        const page = await openPage(context, rig.proxy.url, 'element', options);
        const from = rig.proxy.requests.length;
        const fileId = await interruptAt40(page, file);
        await page.reload();
        rig.proxy.throttle(null);
        const offset = await serverOffset(fileId, options, from);
        const { wire } = await goesOnByItself(page, file, options, offset);
        t.diagnostic(`server held ${offset} of ${file.size} at the reload; ${wire} B crossed after it`);
      } finally {
        await context.close();
      }
    });
  }

  // The native picker and a drop from the desktop cannot be driven here; an OPFS file handle is a real
  // FileSystemFileHandle, so the page's showOpenFilePicker and DataTransferItem.getAsFileSystemHandle
  // hand one out, and everything after that (the element's click and drop wiring, IndexedDB, the
  // permission check and the read after the reload) is the shipped code.
  for (const how of ['picked with showOpenFilePicker', 'dropped'] as const) {
    test(`a file ${how} is read again from its handle after a reload: no copy, no pick`, async (t) => {
      const file = await rig.file(SIZE);
      const options: ClientOptions = { chunkSize: CHUNK, retryDelays: [0, 100, 300], persist: '' };
      const context = await rig.browser.newContext();
      try {
        const page = await openPage(context, rig.proxy.url, 'element', options);
        await handOutHandle(page, file);
        // persist loads on demand; until it is there, the zone's click opens the plain input instead.
        await page.waitForFunction(
          () =>
            (
              document.querySelector('resumable-upload') as unknown as {
                _persisted?: { _persistence: unknown };
              }
            )._persisted?._persistence,
        );
        const from = rig.proxy.requests.length;
        rig.proxy.throttle({ bytesPerSecond: 1.5 * MiB });
        if (how === 'dropped') await dropHandle(page);
        else await page.locator('resumable-upload').locator('[part~="drop-zone"]').click();
        await until(
          '~40% uploaded',
          () => firstRow(page),
          (r) => (r?.bytes ?? 0) >= 0.4 * file.size,
        );
        const held = await keptHandles(page);
        assert.deepEqual(held, [{ name: file.name, handle: true, copy: false }], 'a handle is kept, no copy');
        assert.deepEqual((await kept(page)).dirs, [], 'no OPFS copy folder');
        const fileId = (await eventLog(page))[0].fileId!;
        await page.reload();
        rig.proxy.throttle(null);
        const offset = await serverOffset(fileId, options, from);
        const { wire } = await goesOnByItself(page, file, options, offset);
        t.diagnostic(`server held ${offset} of ${file.size} at the reload; ${wire} B crossed after it`);
      } finally {
        await context.close();
      }
    });
  }

  test('the whole browser closed at ~40% and started again on the same profile: same', async (t) => {
    const file = await rig.file(SIZE);
    const options: ClientOptions = { chunkSize: CHUNK, retryDelays: [0, 100, 300], persist: '' };
    const profile = join(rig.tmp, 'profile');
    const launch = () =>
      chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: chromiumArgs });
    let context: BrowserContext = await launch();
    try {
      const page = await openPage(context, rig.proxy.url, 'element', options);
      const from = rig.proxy.requests.length;
      const fileId = await interruptAt40(page, file);
      await context.close();
      rig.proxy.throttle(null);
      const offset = await serverOffset(fileId, options, from);
      context = await launch();
      const again = context.pages()[0] ?? (await context.newPage());
      await again.goto(`${rig.proxy.url}/index.html`);
      const { wire } = await goesOnByItself(again, file, options, offset);
      t.diagnostic(
        `server held ${offset} of ${file.size} when the browser closed; ${wire} B crossed after the restart`,
      );
    } finally {
      await context.close();
    }
  });
});
