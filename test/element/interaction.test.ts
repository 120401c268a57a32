import { expect, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import sinon from 'sinon';
import type { ResumableUpload } from '../../src/element/resumable-upload.js';
import { STATUS, UPLOAD, makeFile, mount, part, parts, pick } from './helpers.js';

// The space bar as a key value: Firefox's WebDriver BiDi keyboard knows no "Space" name.
const SPACE = ' ';

const focused = (el: ResumableUpload) => el.shadowRoot!.activeElement as HTMLElement | null;

function dataTransfer(files: File[]): DataTransfer {
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  return dt;
}

/** A paste carrying `clipboardData`, as a real one does in every engine. */
function pasteEvent(clipboardData: DataTransfer): ClipboardEvent {
  const paste = new ClipboardEvent('paste', {
    clipboardData,
    bubbles: true,
    composed: true,
    cancelable: true,
  });
  if (paste.clipboardData !== clipboardData) {
    // Gecko's ClipboardEvent constructor ignores `clipboardData` and makes an empty one: hand ours over.
    console.log('[engine] synthetic ClipboardEvent drops clipboardData here: set on the event instead');
    Object.defineProperty(paste, 'clipboardData', { value: clipboardData });
  }
  return paste;
}

describe('<resumable-upload> by keyboard, mouse, drop and paste', () => {
  it('opens the file picker on click, Enter and Space on the drop zone', async () => {
    const el = await mount(html`<resumable-upload></resumable-upload>`);
    const click = sinon.stub(el.shadowRoot!.querySelector('input')!, 'click');
    const zone = part(el, 'drop-zone');
    zone.click();
    expect(click.callCount).to.equal(1);
    zone.focus();
    await sendKeys({ press: 'Enter' });
    expect(click.callCount).to.equal(2);
    await sendKeys({ press: SPACE });
    expect(click.callCount).to.equal(3);
  });

  it('Tab reaches each row button, named with the file, and they work from the keyboard', async () => {
    const el = await mount(
      html`<resumable-upload manual status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    el.addFiles([makeFile(100, 'report.pdf')]);
    await el.updateComplete;
    part(el, 'drop-zone').focus();

    const paused = sinon.spy();
    const canceled = sinon.spy();
    el.addEventListener('upload-pause', paused);
    el.addEventListener('upload-cancel', canceled);

    await sendKeys({ press: 'Tab' });
    expect(focused(el)?.getAttribute('aria-label')).to.equal('Pause report.pdf');
    await sendKeys({ press: 'Enter' });
    expect(paused.calledOnce).to.equal(true);
    await el.updateComplete;
    // The same button, now resuming: focus stays where the person is.
    expect(focused(el)?.getAttribute('aria-label')).to.equal('Resume report.pdf');
    expect(focused(el)?.getAttribute('part')).to.equal('button resume-button');

    await sendKeys({ press: 'Tab' });
    expect(focused(el)?.getAttribute('aria-label')).to.equal('Cancel report.pdf');
    await sendKeys({ press: SPACE });
    expect(canceled.calledOnce).to.equal(true);
    await el.updateComplete;
    expect(el.items).to.have.length(0);
    expect(focused(el)?.getAttribute('part')).to.equal('drop-zone');
  });

  it('takes dropped files and shows the drag-over state while files hover', async () => {
    const el = await mount(html`<resumable-upload manual multiple></resumable-upload>`);
    const zone = part(el, 'drop-zone');
    const files = [makeFile(10, 'a.bin'), makeFile(10, 'b.bin')];

    const over = new DragEvent('dragover', {
      dataTransfer: dataTransfer(files),
      bubbles: true,
      composed: true,
      cancelable: true,
    });
    zone.dispatchEvent(over);
    await el.updateComplete;
    expect(over.defaultPrevented, 'dragover accepted').to.equal(true);
    expect(el.hasAttribute('dragover')).to.equal(true);
    expect(zone.getAttribute('part')).to.equal('drop-zone dragover');

    el.dispatchEvent(
      new DragEvent('dragleave', { bubbles: true, composed: true, relatedTarget: document.body }),
    );
    await el.updateComplete;
    expect(el.hasAttribute('dragover')).to.equal(false);

    zone.dispatchEvent(
      new DragEvent('dragover', { dataTransfer: dataTransfer(files), bubbles: true, composed: true }),
    );
    zone.dispatchEvent(
      new DragEvent('drop', {
        dataTransfer: dataTransfer(files),
        bubbles: true,
        composed: true,
        cancelable: true,
      }),
    );
    await el.updateComplete;
    expect(el.hasAttribute('dragover')).to.equal(false);
    expect(el.items.map((i) => i.file)).to.deep.equal(files);
    expect(parts(el, 'file-name').map((n) => n.textContent)).to.deep.equal(['a.bin', 'b.bin']);
  });

  it('takes pasted files', async () => {
    const el = await mount(html`<resumable-upload manual></resumable-upload>`);
    const file = makeFile(10, 'screenshot.png', 'image/png');
    const paste = pasteEvent(dataTransfer([file]));
    part(el, 'drop-zone').dispatchEvent(paste);
    expect(el.items.map((i) => i.file)).to.deep.equal([file]);
    expect(paste.defaultPrevented).to.equal(true);
  });

  it('lets text pastes through untouched', async () => {
    const el = await mount(html`<resumable-upload manual></resumable-upload>`);
    const dt = new DataTransfer();
    dt.setData('text/plain', 'hello');
    const paste = pasteEvent(dt);
    part(el, 'drop-zone').dispatchEvent(paste);
    expect(paste.defaultPrevented).to.equal(false);
    expect(el.items).to.have.length(0);
  });

  it('the remove button takes a done file off the list', async () => {
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    pick(el, [makeFile(100, 'done.txt')]);
    await oneEvent(el, 'upload-complete');
    await el.updateComplete;
    expect(parts(el, 'pause-button')).to.have.length(0);
    const remove = part(el, 'cancel-button');
    expect(remove.getAttribute('aria-label')).to.equal('Remove done.txt');
    remove.click();
    await el.updateComplete;
    expect(el.items).to.have.length(0);
    expect(part(el, 'file-list').hidden).to.equal(true);
  });
});
