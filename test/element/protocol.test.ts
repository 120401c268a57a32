// The protocol, endpoint and metadata of the element reach the engine: the first request says which.
import { expect, html, oneEvent } from '@open-wc/testing';
import sinon from 'sinon';
import { makeFile, mount, recordRequests } from './helpers.js';

/** The sink answers 404 here: enough to see the creation request and an upload-error. */
const ENDPOINT = '/__sink/files/';
const ABSOLUTE = new URL(ENDPOINT, location.href).href;
const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

describe('<resumable-upload> protocol', () => {
  afterEach(() => {
    sinon.restore();
    for (const key of Object.keys(localStorage))
      if (key.startsWith('resumable-upload:')) localStorage.removeItem(key);
  });

  it('defaults to status-upload and /files/, reflecting nothing', async () => {
    const el = await mount(html`<resumable-upload></resumable-upload>`);
    expect([el.protocol, el.endpoint]).to.deep.equal(['status-upload', '/files/']);
    expect(el.getAttributeNames()).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('protocol="tus" creates at endpoint with Tus-Resumable and the metadata property', async () => {
    const sent = recordRequests();
    const el = await mount(html`<resumable-upload protocol="tus" endpoint=${ENDPOINT}></resumable-upload>`);
    el.metadata = { owner: 'ana' };
    await el.updateComplete;
    el.addFiles([makeFile(100, 'a.txt', 'text/plain')]);
    const { error } = await oneEvent(el, 'upload-error').then((e) => e.detail);
    expect(error.status).to.equal(404);
    expect(sent.map((r) => `${r.method} ${r.url}`)).to.deep.equal([`POST ${ABSOLUTE}`]);
    expect(sent[0].headers).to.include({
      'tus-resumable': '1.0.0',
      'upload-length': '100',
      'upload-metadata': `filename ${b64('a.txt')},filetype ${b64('text/plain')},owner ${b64('ana')}`,
    });
  });

  it('protocol="ietf" creates with an empty POST carrying Upload-Complete: ?0', async () => {
    const sent = recordRequests();
    const el = await mount(html`<resumable-upload protocol="ietf" endpoint=${ENDPOINT}></resumable-upload>`);
    el.addFiles([makeFile(100)]);
    await oneEvent(el, 'upload-error');
    expect(sent.map((r) => `${r.method} ${r.url} ${r.bodySize}`)).to.deep.equal([`POST ${ABSOLUTE} 0`]);
    expect(sent[0].headers).to.include({
      'upload-draft-interop-version': '8',
      'upload-complete': '?0',
      'upload-length': '100',
    });
  });

  it('a bad protocol warns once, naming the attribute and the accepted values, and status-upload applies', async () => {
    const warn = sinon.stub(console, 'warn');
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload
        protocol="tus2"
        status-url="/__sink/status"
        upload-url="/__sink/upload"
      ></resumable-upload>`,
    );
    el.chunkSize = 50;
    await el.updateComplete;
    el.addFiles([makeFile(100, 'bad-protocol.bin')]);
    await oneEvent(el, 'upload-complete');
    const messages = warn.args.map((a) => String(a[0]));
    expect(messages).to.have.length(1);
    expect(messages[0])
      .to.contain('protocol="tus2"')
      .and.contain('status-upload, tus, ietf')
      .and.contain('status-upload.');
    expect(sent[0].method).to.equal('GET');
    expect(() => el.setAttribute('protocol', '')).not.to.throw();
  });
});
