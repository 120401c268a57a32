import { expect } from '@open-wc/testing';
import { LitElement, html } from 'lit';
import { FormValueController } from '../../../src/element/controllers/form-value.js';
import type { UploadItem } from '../../../src/engine/upload.js';
import type { UploadStatus } from '../../../src/engine/state.js';

class FormHost extends LitElement {
  static formAssociated = true;
  name = 'files';
  required = false;
  items: UploadItem[] = [];
  readonly form = new FormValueController(this, () => ({
    uploadFailed: 'failed',
    stillUploading: 'uploading',
    required: 'required',
  }));
  protected override render() {
    return html`<button type="button">Pick</button>`;
  }
}
customElements.define('form-value-test-host', FormHost);

const item = (fileId: string, status: UploadStatus) => ({ fileId, status }) as UploadItem;

describe('FormValueController', () => {
  it('submits the completed uploads’ ids under the name, and holds the form while any is unfinished', async () => {
    const form = document.createElement('form');
    const host = document.createElement('form-value-test-host') as FormHost;
    form.append(host);
    document.body.append(form);
    await host.updateComplete;
    expect(host.form.internals.validity.valid).to.equal(true);

    host.items = [item('a', 'complete'), item('b', 'uploading')];
    host.form.sync();
    expect(host.form.internals.validationMessage).to.equal('uploading');
    expect(new FormData(form).getAll('files')).to.deep.equal(['a']);

    host.items = [item('a', 'complete'), item('b', 'error')];
    host.form.sync();
    expect(host.form.internals.validationMessage).to.equal('failed');

    host.items = [item('a', 'complete'), item('b', 'complete')];
    host.requestUpdate();
    await host.updateComplete;
    expect(host.form.internals.validity.valid, 'synced after a render').to.equal(true);
    expect(new FormData(form).getAll('files')).to.deep.equal(['a', 'b']);
    form.remove();
  });

  it('asks for one completed upload when required', async () => {
    const host = document.createElement('form-value-test-host') as FormHost;
    host.required = true;
    document.body.append(host);
    await host.updateComplete;
    expect(host.form.internals.validity.valueMissing).to.equal(true);
    expect(host.form.internals.validationMessage).to.equal('required');
    host.remove();
  });
});
