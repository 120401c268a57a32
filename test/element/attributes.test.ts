import { expect, html, oneEvent } from '@open-wc/testing';
import sinon from 'sinon';
import type { FileRejectDetail, ResumableUpload } from '../../src/element/resumable-upload.js';
import { STATUS, UPLOAD, collectEvents, makeFile, mount, part, pick, recordRequests } from './helpers.js';

/** Collects file-reject details while `act` runs. */
function rejections(el: HTMLElement, act: () => void): FileRejectDetail[] {
  const seen: FileRejectDetail[] = [];
  const onReject = (e: CustomEvent<FileRejectDetail>) => seen.push(e.detail);
  el.addEventListener('file-reject', onReject);
  act();
  el.removeEventListener('file-reject', onReject);
  return seen;
}

describe('<resumable-upload> attributes', () => {
  it('asks status-url and posts to upload-url', async () => {
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload
        status-url="${STATUS}?via=attr"
        upload-url="${UPLOAD}?via=attr"
      ></resumable-upload>`,
    );
    el.addFiles([makeFile(100)]);
    await oneEvent(el, 'upload-complete');
    expect(sent.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
      `GET ${STATUS}?via=attr`,
      `POST ${UPLOAD}?via=attr`,
    ]);
  });

  it('defaults to the article URLs, status and upload, without adding attributes', async () => {
    const el = await mount(html`<resumable-upload></resumable-upload>`);
    expect([el.statusUrl, el.uploadUrl]).to.deep.equal(['status', 'upload']);
    expect(el.getAttributeNames()).to.deep.equal([]);
    el.chunkSize = 2048;
    await el.updateComplete;
    expect(el.getAttribute('chunk-size')).to.equal('2048');
  });

  it('chunk-size splits a file into that many POSTs, each starting where the last ended', async () => {
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${UPLOAD} chunk-size="4096"></resumable-upload>`,
    );
    el.addFiles([makeFile(10_000)]);
    await oneEvent(el, 'upload-complete');
    const posts = sent.filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.headers['x-start-byte'], r.bodySize])).to.deep.equal([
      ['0', 4096],
      ['4096', 4096],
      ['8192', 1808],
    ]);
  });

  it('concurrency="1" uploads one file at a time; by default two go at once', async () => {
    const order = async (el: ResumableUpload) => {
      const events = collectEvents(
        el,
        ['upload-start', 'upload-complete', 'queue-complete'],
        'queue-complete',
      );
      el.addFiles([makeFile(1000, 'a.bin'), makeFile(1000, 'b.bin')]);
      return (await events).slice(0, 3).map((e) => `${e.type} ${e.detail.file.name}`);
    };
    const one = await mount(
      html`<resumable-upload
        multiple
        concurrency="1"
        status-url=${STATUS}
        upload-url=${UPLOAD}
      ></resumable-upload>`,
    );
    expect(await order(one)).to.deep.equal([
      'upload-start a.bin',
      'upload-complete a.bin',
      'upload-start b.bin',
    ]);
    const two = await mount(
      html`<resumable-upload multiple status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    // Both start before either completes; which of the two finishes first is a race.
    const both = await order(two);
    expect(both.slice(0, 2)).to.deep.equal(['upload-start a.bin', 'upload-start b.bin']);
    expect(both[2]).to.be.oneOf(['upload-complete a.bin', 'upload-complete b.bin']);
  });

  it('retry-delays sets how many times a failing request is tried again', async () => {
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload
        status-url=${STATUS}
        upload-url="${UPLOAD}?fail=503"
        retry-delays="0,0,0"
      ></resumable-upload>`,
    );
    el.addFiles([makeFile(100)]);
    await oneEvent(el, 'upload-error');
    expect(sent.filter((r) => r.method === 'POST')).to.have.length(4);
  });

  it('stall-timeout gives up on a request that makes no progress', async () => {
    const el = await mount(
      html`<resumable-upload
        status-url=${STATUS}
        upload-url="${UPLOAD}?hold"
        stall-timeout="200"
        retry-delays=""
      ></resumable-upload>`,
    );
    el.addFiles([makeFile(100)]);
    const { detail } = await oneEvent(el, 'upload-error');
    expect(detail.error.kind).to.equal('stall');
  });

  it('with-credentials sends cookies with every request; without it none do', async () => {
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${UPLOAD} with-credentials></resumable-upload>`,
    );
    el.addFiles([makeFile(100)]);
    await oneEvent(el, 'upload-complete');
    el.withCredentials = false;
    await el.updateComplete;
    el.addFiles([makeFile(100)]);
    await oneEvent(el, 'upload-complete');
    expect(sent.map((r) => r.withCredentials)).to.deep.equal([true, true, false, false]);
  });

  it('headers (an object or a function) and fileId (a function) reach every request', async () => {
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${UPLOAD} chunk-size="50"></resumable-upload>`,
    );
    el.headers = { 'X-Tenant': 'acme' };
    el.fileId = (file) => `id-${file.lastModified}`;
    const file = makeFile(100);
    el.addFiles([file]);
    await oneEvent(el, 'upload-complete');
    el.headers = () => ({ Authorization: 'Bearer fresh' });
    await el.updateComplete;
    el.addFiles([makeFile(100)]);
    await oneEvent(el, 'upload-complete');
    expect(sent).to.have.length(6);
    expect(sent.slice(0, 3).map((r) => r.headers['x-tenant'])).to.deep.equal(['acme', 'acme', 'acme']);
    expect(sent.slice(0, 3).map((r) => r.headers['x-file-id'])).to.deep.equal(
      Array(3).fill(`id-${file.lastModified}`),
    );
    expect(sent.slice(3).map((r) => r.headers.authorization)).to.deep.equal(Array(3).fill('Bearer fresh'));
  });

  it('asks the headers function before every request, so each one can carry a fresh token', async () => {
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    let token = 0;
    el.headers = () => ({ Authorization: `Bearer ${++token}` });
    el.addFiles([makeFile(100)]);
    await oneEvent(el, 'upload-complete');
    expect(sent.map((r) => r.headers.authorization)).to.deep.equal(['Bearer 1', 'Bearer 2']);
  });

  it('manual adds files but sends nothing until start()', async () => {
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload manual status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    const started = sinon.spy();
    el.addEventListener('upload-start', started);
    el.addFiles([makeFile(100)]);
    await el.updateComplete;
    expect(started.called).to.equal(false);
    expect(sent).to.have.length(0);
    expect(part(el, 'status').textContent).to.equal('Queued');
    el.start();
    await oneEvent(el, 'upload-complete');
    expect(sent).to.have.length(2);
  });

  it('accept turns away other types with reason "type"', async () => {
    const el = await mount(
      html`<resumable-upload manual multiple accept=".pdf, image/*"></resumable-upload>`,
    );
    const files = [
      makeFile(10, 'notes.txt', 'text/plain'),
      makeFile(10, 'scan.PDF'),
      makeFile(10, 'cat.png', 'image/png'),
      makeFile(10, 'song.mp3', 'audio/mpeg'),
    ];
    const seen = rejections(el, () => el.addFiles(files));
    expect(seen.map((d) => [d.file.name, d.reason])).to.deep.equal([
      ['notes.txt', 'type'],
      ['song.mp3', 'type'],
    ]);
    expect(el.items.map((i) => i.file.name)).to.deep.equal(['scan.PDF', 'cat.png']);
    expect(el.shadowRoot!.querySelector('input')!.accept).to.equal('.pdf, image/*');
  });

  it('max-file-size turns away bigger files with reason "size" and says so on screen', async () => {
    const el = await mount(html`<resumable-upload manual multiple max-file-size="1000"></resumable-upload>`);
    const seen = rejections(el, () => el.addFiles([makeFile(1000, 'ok.bin'), makeFile(1001, 'big.bin')]));
    expect(seen).to.have.length(1);
    expect(seen[0]).to.include({ reason: 'size', message: 'big.bin is larger than 1 kB' });
    expect(el.items.map((i) => i.file.name)).to.deep.equal(['ok.bin']);
    await el.updateComplete;
    expect(part(el, 'message').textContent).to.equal('big.bin is larger than 1 kB');
  });

  it('max-files turns away files past the limit with reason "count", counting files already listed', async () => {
    const el = await mount(html`<resumable-upload manual multiple max-files="2"></resumable-upload>`);
    el.addFiles([makeFile(10, 'one.bin')]);
    const seen = rejections(el, () => el.addFiles([makeFile(10, 'two.bin'), makeFile(10, 'three.bin')]));
    expect(seen.map((d) => [d.file.name, d.reason])).to.deep.equal([['three.bin', 'count']]);
    expect(el.items).to.have.length(2);
  });

  it('without multiple, one pick takes one file; with it, the picker offers many', async () => {
    const el = await mount(html`<resumable-upload manual></resumable-upload>`);
    const input = el.shadowRoot!.querySelector('input')!;
    expect(input.multiple).to.equal(false);
    const seen = rejections(el, () => pick(el, [makeFile(10, 'a.bin'), makeFile(10, 'b.bin')]));
    expect(seen.map((d) => [d.file.name, d.reason])).to.deep.equal([['b.bin', 'count']]);
    el.multiple = true;
    await el.updateComplete;
    expect(input.multiple).to.equal(true);
    pick(el, [makeFile(10, 'c.bin'), makeFile(10, 'd.bin')]);
    expect(el.items.map((i) => i.file.name)).to.deep.equal(['a.bin', 'c.bin', 'd.bin']);
  });

  it('disabled makes the drop zone, drop and paste inert', async () => {
    const el = await mount(html`<resumable-upload manual disabled></resumable-upload>`);
    const input = el.shadowRoot!.querySelector('input')!;
    const click = sinon.stub(input, 'click');
    const zone = part<HTMLButtonElement>(el, 'drop-zone');
    zone.click();
    expect(zone.disabled).to.equal(true);
    expect(click.called).to.equal(false);

    const dt = new DataTransfer();
    dt.items.add(makeFile(10));
    const drop = new DragEvent('drop', { dataTransfer: dt, bubbles: true, composed: true, cancelable: true });
    zone.dispatchEvent(drop);
    zone.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, composed: true, cancelable: true }),
    );
    expect(el.items).to.have.length(0);
    expect(drop.defaultPrevented).to.equal(false);

    el.disabled = false;
    await el.updateComplete;
    zone.click();
    expect(click.calledOnce).to.equal(true);
  });

  it('a bad value warns once, naming the attribute and the accepted form, and the default applies', async () => {
    const warn = sinon.stub(console, 'warn');
    const sent = recordRequests();
    const el = await mount(
      html`<resumable-upload
        status-url=${STATUS}
        upload-url=${UPLOAD}
        chunk-size="abc"
        concurrency="0"
        retry-delays="1,x"
      ></resumable-upload>`,
    );
    const messages = () => warn.args.map((a) => String(a[0]));
    const about = (attribute: string) => messages().filter((m) => m.includes(`${attribute}=`));
    expect(messages()).to.have.length(3);
    expect(about('chunk-size')).to.have.length(1);
    expect(about('chunk-size')[0]).to.contain('chunk-size="abc"').and.contain('a whole number of bytes');
    expect(about('concurrency')[0]).to.contain('concurrency="0"').and.contain('at least 1');
    expect(about('retry-delays')[0]).to.contain('retry-delays="1,x"').and.contain('comma-separated');

    // Another option changing makes the element check them all again: still no second warning.
    el.statusUrl = `${STATUS}?again`;
    await el.updateComplete;
    el.addFiles([makeFile(100_000, 'x.bin')]);
    await oneEvent(el, 'upload-complete');
    expect(messages()).to.have.length(3);
    expect(sent.filter((r) => r.method === 'POST')).to.have.length(1);

    expect(() => {
      el.maxFiles = -1;
      el.setAttribute('stall-timeout', '1.5');
    }).not.to.throw();
    await el.updateComplete;
    expect(messages().slice(3)).to.have.length(2);
    expect(messages()[3] + messages()[4])
      .to.contain('max-files')
      .and.contain('stall-timeout="1.5"');
  });
});
