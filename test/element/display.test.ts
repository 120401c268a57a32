import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import type { ResumableUpload } from '../../src/element/resumable-upload.js';
import { STATUS, UPLOAD, fakeClock, makeFile, mount, part, parts } from './helpers.js';

const statusText = (el: ResumableUpload) => part(el, 'status').textContent!.trim();

/** Starts an upload whose first POST the sink holds: the upload sits mid-way until `/__sink/release`. */
async function heldMidway(el: ResumableUpload, file = makeFile(1000, 'report.pdf')): Promise<void> {
  el.addFiles([file]);
  for (;;) {
    const { detail } = await oneEvent(el, 'upload-progress');
    if (detail.bytesUploaded > 0) break;
  }
  await el.updateComplete;
}

/** An element whose first 400-byte chunk of report.pdf the sink holds unanswered. */
async function mountHeldMidway(): Promise<ResumableUpload> {
  const el = await mount(
    html`<resumable-upload
      status-url=${STATUS}
      upload-url="${UPLOAD}?hold"
      chunk-size="400"
    ></resumable-upload>`,
  );
  await heldMidway(el);
  return el;
}

describe('<resumable-upload> shows each state', () => {
  it('is accessible when idle', async () => {
    const el = await mount(html`<resumable-upload></resumable-upload>`);
    await expect(el).to.be.accessible();
    expect(part(el, 'drop-zone').textContent!.trim()).to.equal('Drop files here or click to choose');
  });

  it('shows progress mid-way as a progress bar with percent values and readable text, accessibly', async () => {
    const el = await mountHeldMidway();
    const bar = part(el, 'progress');
    expect(bar.getAttribute('role')).to.equal('progressbar');
    expect(bar.getAttribute('aria-label')).to.equal('report.pdf');
    expect(bar.getAttribute('aria-valuemin')).to.equal('0');
    expect(bar.getAttribute('aria-valuemax')).to.equal('100');
    expect(bar.getAttribute('aria-valuenow')).to.equal('40');
    expect(bar.getAttribute('aria-valuetext')).to.match(/^400 B of 1 kB/);
    expect(statusText(el)).to.match(/^400 B of 1 kB/);
    expect(part(el, 'progress-bar').style.transform).to.equal('scaleX(0.4)');
    expect(part(el, 'file-size').textContent).to.equal('1 kB');
    await expect(el).to.be.accessible();
  });

  it('draws progress between quarter milestones at most every 250 ms, so rendering leaves the CPU to the upload', async () => {
    // The fake clock stands still while the upload moves: only ticks let the throttled render through.
    const clock = fakeClock();
    const el = await mount(
      html`<resumable-upload
        status-url=${STATUS}
        upload-url="${UPLOAD}?hold"
        chunk-size="100"
      ></resumable-upload>`,
    );
    el.addFiles([makeFile(1000, 'report.pdf')]);
    for (;;) {
      const { detail } = await oneEvent(el, 'upload-progress');
      if (detail.bytesUploaded === 100) break;
    }
    await el.updateComplete;
    const bar = part(el, 'progress');
    // 10 % came right after the "uploading" render: it waits its turn.
    expect(el.items[0].bytesUploaded).to.equal(100);
    expect(bar.getAttribute('aria-valuenow')).to.equal('0');
    await clock.tickAsync(249);
    await el.updateComplete;
    expect(bar.getAttribute('aria-valuenow')).to.equal('0');
    await clock.tickAsync(1);
    await el.updateComplete;
    expect(bar.getAttribute('aria-valuenow')).to.equal('10');
    expect(statusText(el)).to.match(/^100 B of 1 kB/);
    el.pause();
    clock.restore();
  });

  it('shows Paused, keeps the bytes the server has, and is accessible', async () => {
    const el = await mountHeldMidway();
    part(el, 'pause-button').click();
    await el.updateComplete;
    expect(statusText(el)).to.equal('Paused');
    expect(part(el, 'resume-button').getAttribute('aria-label')).to.equal('Resume report.pdf');
    await expect(el).to.be.accessible();
  });

  it("shows the server's reason when an upload fails, offers Retry, and is accessible", async () => {
    const el = await mount(
      html`<resumable-upload
        status-url=${STATUS}
        upload-url=${`${UPLOAD}?fail=403&reason=Quota%20exceeded%20for%20this%20folder`}
      ></resumable-upload>`,
    );
    el.addFiles([makeFile(100, 'big.iso')]);
    await oneEvent(el, 'upload-error');
    await el.updateComplete;
    expect(statusText(el)).to.equal('Quota exceeded for this folder');
    const retry = part(el, 'retry-button');
    expect(retry.getAttribute('aria-label')).to.equal('Retry big.iso');
    await expect(el).to.be.accessible();

    el.uploadUrl = UPLOAD;
    await el.updateComplete;
    retry.click();
    await oneEvent(el, 'upload-complete');
    await el.updateComplete;
    expect(statusText(el)).to.equal('Done');
  });

  it('shows Done with a full bar when the upload completes, and is accessible', async () => {
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    el.addFiles([makeFile(5000)]);
    await oneEvent(el, 'upload-complete');
    await el.updateComplete;
    expect(statusText(el)).to.equal('Done');
    expect(part(el, 'progress').getAttribute('aria-valuenow')).to.equal('100');
    expect(part(el, 'progress').getAttribute('aria-valuetext')).to.equal('5 kB of 5 kB');
    await expect(el).to.be.accessible();
  });

  it('counts down "Retrying in N s" until the next attempt', async () => {
    sinon.stub(Math, 'random').returns(0.5); // no jitter: the delay is exactly 3000 ms
    const clock = fakeClock();
    const el = await mount(
      html`<resumable-upload
        status-url=${STATUS}
        upload-url="${UPLOAD}?fail=503"
        retry-delays="3000"
      ></resumable-upload>`,
    );
    el.addFiles([makeFile(100)]);
    const { detail } = await oneEvent(el, 'upload-retry');
    expect(detail.delay).to.equal(3000);
    await el.updateComplete;
    expect(statusText(el)).to.equal('Retrying in 3 s');
    await clock.tickAsync(1000);
    await el.updateComplete;
    expect(statusText(el)).to.equal('Retrying in 2 s');
    await clock.tickAsync(1000);
    await el.updateComplete;
    expect(statusText(el)).to.equal('Retrying in 1 s');
    el.pause();
    clock.restore();
  });

  it('shows "Waiting for network" while the browser is offline, and goes on when it is back', async () => {
    const online = sinon.stub(navigator, 'onLine').get(() => false);
    const el = await mount(
      html`<resumable-upload status-url=${STATUS} upload-url=${UPLOAD}></resumable-upload>`,
    );
    el.addFiles([makeFile(100)]);
    // The upload first takes its file's Web Lock (one uploader across tabs), then finds the browser offline.
    // (The row is drawn at the progress throttle's pace once the status changes.)
    const shown = () => el.shadowRoot!.querySelector('[part=status]')?.textContent?.trim();
    await waitUntil(() => shown() === 'Waiting for network', `the row says ${shown()}`);
    online.get(() => true);
    window.dispatchEvent(new Event('online'));
    await oneEvent(el, 'upload-complete');
  });

  it('announces start, each quarter, completion and failure in a polite live region, not every tick', async () => {
    const el = await mount(
      html`<resumable-upload
        multiple
        status-url=${STATUS}
        upload-url=${UPLOAD}
        chunk-size="100"
      ></resumable-upload>`,
    );
    const region = el.shadowRoot!.querySelector('[aria-live]')!;
    expect(region.getAttribute('aria-live')).to.equal('polite');
    const heard: string[] = [];
    new MutationObserver(() => heard.push(region.textContent!.trim())).observe(region, {
      childList: true,
      subtree: true,
      characterData: true,
    });
    el.addFiles([makeFile(1000, 'movie.mp4')]);
    await oneEvent(el, 'upload-complete');
    await el.updateComplete;
    el.uploadUrl = `${UPLOAD}?fail=400&reason=Bad%20name`;
    el.addFiles([makeFile(10, 'bad.bin')]);
    await oneEvent(el, 'upload-error');
    await el.updateComplete;
    const said = heard.filter(Boolean).join(' | ');
    expect(said).to.equal(
      'Uploading movie.mp4 | movie.mp4: 25% | movie.mp4: 50% | movie.mp4: 75% | movie.mp4 uploaded | ' +
        'Uploading bad.bin | bad.bin failed: Bad name',
    );
  });

  it('uses i18n overrides for visible text, button names and formatters, over the defaults', async () => {
    const el = await mount(html`<resumable-upload manual></resumable-upload>`);
    el.i18n = {
      drop: 'Déposez vos fichiers ici',
      pause: 'Suspendre',
      queued: 'En attente',
      fileAction: (action, name) => `${action} « ${name} »`,
      formatSize: (bytes) => `${bytes} octets`,
    };
    el.addFiles([makeFile(42, 'rapport.pdf')]);
    await el.updateComplete;
    expect(part(el, 'drop-zone').textContent!.trim()).to.equal('Déposez vos fichiers ici');
    expect(part(el, 'pause-button').textContent!.trim()).to.equal('Suspendre');
    expect(part(el, 'pause-button').getAttribute('aria-label')).to.equal('Suspendre « rapport.pdf »');
    expect(part(el, 'file-size').textContent).to.equal('42 octets');
    expect(statusText(el)).to.equal('En attente');
    expect(part(el, 'cancel-button').textContent!.trim()).to.equal('Cancel');
  });

  it('slots replace the drop zone content or just its label; whitespace around them does not', async () => {
    const shown = (node: Element) => node.getBoundingClientRect().width > 0;
    const labelled = await mount(
      html`<resumable-upload>
        <span slot="drop-label">Add photos</span>
      </resumable-upload>`,
    );
    const label = labelled.querySelector('span')!;
    const fallback = part(labelled, 'drop-zone').querySelector('span')!;
    expect(shown(label)).to.equal(true);
    expect(fallback.hidden).to.equal(false);
    expect(label.assignedSlot?.name).to.equal('drop-label');

    const own = await mount(html`<resumable-upload><strong>Custom zone</strong></resumable-upload>`);
    await own.updateComplete;
    expect(shown(own.querySelector('strong')!)).to.equal(true);
    expect(part(own, 'drop-zone').querySelector('span')!.hidden).to.equal(true);
  });

  it('puts a part on every visible piece of a row', async () => {
    const el = await mount(html`<resumable-upload manual></resumable-upload>`);
    el.addFiles([makeFile(10)]);
    await el.updateComplete;
    for (const name of [
      'drop-zone',
      'file-list',
      'file',
      'file-name',
      'file-size',
      'progress',
      'progress-bar',
    ])
      expect(parts(el, name), name).to.have.length(1);
    for (const name of ['status', 'pause-button', 'cancel-button'])
      expect(parts(el, name), name).to.have.length(1);
    expect(parts(el, 'button')).to.have.length(2);
  });
});
