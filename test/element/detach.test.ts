import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import { STATUS, UPLOAD, makeFile, mount, sha256, storedSha256 } from './helpers.js';

// A framework that unmounts the element (React, Vue, Svelte, Angular, Solid, Preact) takes it out of the
// document and drops it: the upload must not go on unseen. test/frameworks/pages.test.ts proves it in
// each framework against the real server; these pin the element's own behaviour.
describe('<resumable-upload> taken out of the document', () => {
  it('pauses its running upload, aborting the request, and resumes it when put back', async () => {
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${`${UPLOAD}?hold`}></resumable-upload>`,
    );
    const file = makeFile(3000);
    const aborted = sinon.spy(XMLHttpRequest.prototype, 'abort');
    const paused = sinon.spy();
    el.addEventListener('upload-pause', paused);
    const [item] = el.addFiles([file]);
    await waitUntil(() => item.status === 'uploading', 'the upload never started');

    const parent = el.parentElement!;
    el.remove();
    await Promise.resolve();
    expect(item.status).to.equal('paused');
    expect(paused.calledOnce).to.equal(true);
    expect(aborted.calledOnce, 'the held request was aborted').to.equal(true);

    // Put back, it asks the server where to go on: the sink no longer holds this time.
    el.uploadUrl = UPLOAD;
    const completed = oneEvent(el, 'upload-complete');
    parent.append(el);
    expect(item.status).to.equal('queued');
    await completed;
    expect(await storedSha256(item.fileId)).to.equal(await sha256(file));
  });

  it('pauses nothing when moved (out and back in before the next microtask)', async () => {
    const el = await mount(
      html`<div>
        <resumable-upload status-url=${STATUS} upload-url=${`${UPLOAD}?hold`}></resumable-upload>
      </div>`,
    );
    const paused = sinon.spy();
    el.addEventListener('upload-pause', paused);
    const [item] = el.addFiles([makeFile(3000)]);
    await waitUntil(() => item.status === 'uploading', 'the upload never started');

    const other = document.createElement('div');
    el.parentElement!.after(other);
    other.append(el);
    await Promise.resolve();
    expect(paused.called).to.equal(false);
    expect(item.status).to.equal('uploading');
  });

  it('leaves an upload the user paused paused when put back', async () => {
    const el = await mount(
      html`<resumable-upload manual status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    const [item] = el.addFiles([makeFile(3000)]);
    el.pause(item);
    const parent = el.parentElement!;
    el.remove();
    await Promise.resolve();
    parent.append(el);
    expect(item.status).to.equal('paused');
  });
});
