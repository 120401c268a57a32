import { expect, html, oneEvent } from '@open-wc/testing';
import type { UploadItem } from '../../src/engine/index.js';
import { STATUS, UPLOAD, collectEvents, makeFile, mount, pick, sha256, storedSha256 } from './helpers.js';

describe('<resumable-upload> events', () => {
  it('uploads a picked file at once, and the server stores the same bytes', async () => {
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    const file = makeFile(300_000, 'photo.jpg');
    pick(el, [file]);
    const { detail } = await oneEvent(el, 'upload-complete');
    expect(detail.file).to.equal(file);
    expect(await storedSha256(detail.fileId)).to.equal(await sha256(file));
  });

  it('re-dispatches the engine events, bubbling out of the shadow root, with file, id and bytes', async () => {
    const wrapper = await mount(
      html`<div>
        <resumable-upload
          status-url=${STATUS}
          upload-url=${`${UPLOAD}?chunked`}
          chunk-size="1000"
        ></resumable-upload>
      </div>`,
    );
    const host = wrapper.parentElement!;
    const file = makeFile(2500);
    const types = ['upload-add', 'upload-start', 'upload-progress', 'upload-complete', 'queue-complete'];
    const events = collectEvents(host, types, 'queue-complete');
    wrapper.addFiles([file]);
    const seen = await events;

    const order = seen.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
    expect(order).to.deep.equal(types);
    for (const e of seen) {
      expect(e.bubbles && e.composed, e.type).to.equal(true);
      if (e.type === 'queue-complete') continue;
      expect(e.detail.file, e.type).to.equal(file);
      expect(e.detail.fileId, e.type).to.equal(`${file.name}-${file.size}-${file.lastModified}`);
      expect(e.detail.bytesTotal, e.type).to.equal(2500);
      expect(e.detail.item, e.type).to.equal(wrapper.items[0]);
    }
    const progress = seen.filter((e) => e.type === 'upload-progress').map((e) => e.detail.bytesUploaded);
    expect(progress).to.include.members([1000, 2000, 2500]);
    expect(seen.find((e) => e.type === 'upload-complete')!.detail.bytesUploaded).to.equal(2500);
    expect(seen.at(-1)!.detail.items).to.deep.equal(wrapper.items);
  });

  it('fires upload-pause, upload-resume and upload-cancel for the item acted on', async () => {
    const el = await mount(
      html`<resumable-upload
        multiple
        status-url=${STATUS}
        upload-url=${`${UPLOAD}?hold`}
      ></resumable-upload>`,
    );
    const [a, b] = [makeFile(1000, 'a.bin'), makeFile(1000, 'b.bin')];
    el.addFiles([a, b]);
    const [itemA, itemB] = el.items;

    setTimeout(() => el.pause(itemA));
    const paused = await oneEvent(el, 'upload-pause');
    expect(paused.detail.item).to.equal(itemA);
    expect(itemB.status).to.not.equal('paused');

    setTimeout(() => el.resume(itemA));
    expect((await oneEvent(el, 'upload-resume')).detail.file).to.equal(a);

    setTimeout(() => el.cancel(itemB));
    const canceled = await oneEvent(el, 'upload-cancel');
    expect(canceled.detail.file).to.equal(b);
    expect(el.items).to.deep.equal([itemA]);
  });

  it('fires upload-retry for each retry, then upload-error with the server status and reason', async () => {
    const el = await mount(
      html`<resumable-upload
        status-url=${STATUS}
        upload-url=${`${UPLOAD}?fail=503&reason=Disk%20busy`}
        retry-delays="0,0"
      ></resumable-upload>`,
    );
    const events = collectEvents(el, ['upload-retry', 'upload-error'], 'upload-error');
    el.addFiles([makeFile(100)]);
    const seen = await events;
    expect(seen.map((e) => e.type)).to.deep.equal(['upload-retry', 'upload-retry', 'upload-error']);
    expect(seen.map((e) => e.detail.attempt)).to.deep.equal([1, 2, undefined]);
    expect(seen[0].detail.error.status).to.equal(503);
    expect(seen[2].detail.error.responseText).to.equal('Disk busy');
    expect((seen[2].detail.item as UploadItem).status).to.equal('error');
  });

  it('fires file-reject with the file, the reason and a message, and does not add the file', async () => {
    const el = await mount(html`<resumable-upload manual accept=".pdf"></resumable-upload>`);
    const file = makeFile(10, 'notes.txt', 'text/plain');
    setTimeout(() => el.addFiles([file]));
    const { detail, bubbles, composed } = await oneEvent(el, 'file-reject');
    expect(detail).to.deep.equal({ file, reason: 'type', message: 'notes.txt is not an accepted file type' });
    expect(bubbles && composed).to.equal(true);
    expect(el.items).to.have.length(0);
  });
});
