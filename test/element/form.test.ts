import { expect, html, oneEvent } from '@open-wc/testing';
import { STATUS, UPLOAD, makeFile, mount, part } from './helpers.js';

describe('<resumable-upload> in a form', () => {
  it("keeps the form from submitting while an upload is unfinished, then submits the done files' ids", async () => {
    const el = await mount(
      html`<form>
        <resumable-upload
          name="attachments"
          manual
          multiple
          status-url=${STATUS}
          upload-url=${UPLOAD}
        ></resumable-upload>
      </form>`,
    );
    const form = el.form!;
    expect(form.checkValidity(), 'empty and not required').to.equal(true);

    const [a, b] = [makeFile(100, 'a.pdf'), makeFile(100, 'b.pdf')];
    el.addFiles([a, b]);
    expect(form.checkValidity()).to.equal(false);
    expect(el.validity.customError).to.equal(true);
    expect(el.validationMessage).to.equal('Uploads are still in progress');
    expect(new FormData(form).getAll('attachments')).to.deep.equal([]);

    el.start();
    await oneEvent(el, 'queue-complete');
    expect(form.checkValidity()).to.equal(true);
    expect(new FormData(form).getAll('attachments')).to.deep.equal(el.items.map((i) => i.fileId));
    expect(el.items.map((i) => i.file.name)).to.deep.equal(['a.pdf', 'b.pdf']);
  });

  it('keeps the form from submitting while an upload has failed', async () => {
    const el = await mount(
      html`<form>
        <resumable-upload name="f" status-url=${STATUS} upload-url="${UPLOAD}?fail=403"></resumable-upload>
      </form>`,
    );
    el.addFiles([makeFile(10)]);
    await oneEvent(el, 'upload-error');
    expect(el.form!.checkValidity()).to.equal(false);
    expect(el.validationMessage).to.equal('An upload failed: retry or remove it');
    el.cancel(el.items[0]);
    expect(el.form!.checkValidity()).to.equal(true);
  });

  it('required: valueMissing until an upload completes', async () => {
    const el = await mount(
      html`<form>
        <resumable-upload name="f" required status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>
      </form>`,
    );
    expect(el.form!.checkValidity()).to.equal(false);
    expect(el.validity.valueMissing).to.equal(true);
    el.addFiles([makeFile(10)]);
    await oneEvent(el, 'upload-complete');
    expect(el.validity.valid).to.equal(true);
    expect(el.checkValidity()).to.equal(true);
  });

  it('form.reset() empties the list and the value, canceling what is unfinished', async () => {
    const el = await mount(
      html`<form>
        <resumable-upload name="f" multiple status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>
      </form>`,
    );
    el.addFiles([makeFile(10)]);
    await oneEvent(el, 'upload-complete');
    el.manual = true;
    await el.updateComplete;
    el.addFiles([makeFile(10)]);
    expect(new FormData(el.form!).getAll('f')).to.have.length(1);
    el.form!.reset();
    await el.updateComplete;
    expect(el.items).to.have.length(0);
    expect(new FormData(el.form!).getAll('f')).to.deep.equal([]);
    expect(el.form!.checkValidity()).to.equal(true);
    expect(part(el, 'file-list').hidden).to.equal(true);
  });

  it('a disabled fieldset disables the element, and enabling it gives it back', async () => {
    const el = await mount(
      html`<form>
        <fieldset disabled><resumable-upload manual></resumable-upload></fieldset>
      </form>`,
    );
    const zone = part<HTMLButtonElement>(el, 'drop-zone');
    await el.updateComplete;
    expect(zone.disabled).to.equal(true);
    el.closest('fieldset')!.disabled = false;
    await el.updateComplete;
    expect(zone.disabled).to.equal(false);
    expect(el.disabled, 'the attribute stays the page author’s').to.equal(false);
  });
});
