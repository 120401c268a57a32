import { expect } from '@open-wc/testing';
import { announcements, relayEvents } from '../../src/element/engine-events.js';
import { defaultI18n } from '../../src/element/i18n.js';
import { UploadError } from '../../src/engine/errors.js';
import { UPLOAD_EVENT_NAMES, type UploadEventName } from '../../src/engine/events.js';
import type { Uploader } from '../../src/engine/queue.js';
import type { UploadItem } from '../../src/engine/upload.js';

/** An upload as far as the element's words need it. */
const upload = (name: string, bytesUploaded: number, bytesTotal: number, error: UploadError | null = null) =>
  ({ file: new File([], name), bytesUploaded, bytesTotal, error }) as unknown as UploadItem;

describe('engine events in the element', () => {
  it('relays every engine event from the host, bubbling across shadow roots, after the element saw it', () => {
    const engine = new EventTarget();
    const outer = document.createElement('div');
    const host = outer.attachShadow({ mode: 'open' }).appendChild(document.createElement('div'));
    document.body.append(outer);
    const log: string[] = [];
    relayEvents(engine as unknown as Uploader, host, (type, item) =>
      log.push(`seen ${type} ${item?.file.name}`),
    );
    for (const type of UPLOAD_EVENT_NAMES) outer.addEventListener(type, (e) => log.push(`heard ${e.type}`));
    const item = upload('a.bin', 0, 10);
    const details = UPLOAD_EVENT_NAMES.map((type) =>
      type === 'queue-complete'
        ? { items: [item] }
        : { item, file: item.file, fileId: 'a', bytesUploaded: 0, bytesTotal: 10 },
    );
    const caught: CustomEvent[] = [];
    outer.addEventListener('upload-progress', (e) => caught.push(e as CustomEvent));
    UPLOAD_EVENT_NAMES.forEach((type, i) =>
      engine.dispatchEvent(new CustomEvent(type, { detail: details[i] })),
    );
    expect(log).to.deep.equal(
      UPLOAD_EVENT_NAMES.flatMap((type) => [
        `seen ${type} ${type === 'queue-complete' ? undefined : 'a.bin'}`,
        `heard ${type}`,
      ]),
    );
    expect(caught[0].detail, 'the engine detail itself').to.equal(details[2]);
    expect([caught[0].bubbles, caught[0].composed]).to.deep.equal([true, true]);
    outer.remove();
  });

  it('says when a file starts, completes or fails with the server reason, and nothing for the rest', () => {
    const say = announcements();
    const t = defaultI18n;
    const failed = new UploadError('http', 'HTTP 413', {
      status: 413,
      responseText: 'Too big for this bucket',
    });
    const noReason = new UploadError('network', 'Network error');
    const said = (type: UploadEventName, item?: UploadItem) => say(type, item, t);
    expect(said('upload-start', upload('a.bin', 0, 10))).to.equal('Uploading a.bin');
    expect(said('upload-complete', upload('a.bin', 10, 10))).to.equal('a.bin uploaded');
    expect(said('upload-error', upload('a.bin', 3, 10, failed))).to.equal(
      'a.bin failed: Too big for this bucket',
    );
    expect(said('upload-error', upload('a.bin', 3, 10, noReason))).to.equal('a.bin failed: Network error');
    for (const type of [
      'upload-add',
      'upload-pause',
      'upload-resume',
      'upload-retry',
      'upload-cancel',
    ] as const)
      expect(said(type, upload('a.bin', 3, 10)), type).to.equal('');
    expect(said('queue-complete')).to.equal('');
  });

  it('says each quarter reached once per upload (a jump says the last), never 0 or 100 %, nothing for an empty file', () => {
    const say = announcements();
    const a = upload('a.bin', 0, 100);
    const b = upload('b.bin', 0, 100);
    const progress = (item: UploadItem, bytes: number) => {
      (item as { bytesUploaded: number }).bytesUploaded = bytes;
      return say('upload-progress', item, defaultI18n);
    };
    const heard = [0, 10, 25, 30, 49, 80, 99, 100].map((n) => progress(a, n));
    expect(heard).to.deep.equal(['', '', 'a.bin: 25%', '', '', 'a.bin: 75%', '', '']);
    expect(progress(b, 50), 'another upload has its own quarters').to.equal('b.bin: 50%');
    expect(progress(a, 60), 'a quarter below the last said is not said again').to.equal('');
    expect(say('upload-progress', upload('empty', 0, 0), defaultI18n)).to.equal('');
  });
});
