// Right to left: an Arabic or Hebrew row mirrors, measured with getBoundingClientRect (geometry, not
// pixels: a screenshot baseline would hang on which Arabic and Hebrew fonts a machine has).
import { expect, html, oneEvent } from '@open-wc/testing';
import type { ResumableUpload } from '../../src/element/resumable-upload.js';
import '../../src/element/locales/ar.js';
import '../../src/element/locales/he.js';
import { STATUS, UPLOAD, makeFile, mount, part, parts } from './helpers.js';

/** A row whose first 400 of 1000 bytes are sent and whose answer the sink holds: the bar stays at 40 %. */
async function rowAt40(dir: string, lang: string, name: string): Promise<ResumableUpload> {
  const el = await mount(
    html`<div dir=${dir} lang=${lang} style="width: 480px">
      <resumable-upload status-url=${STATUS} upload-url="${UPLOAD}?hold" chunk-size="400"></resumable-upload>
    </div>`,
  );
  el.addFiles([makeFile(1000, name)]);
  for (;;) {
    const { detail } = await oneEvent(el, 'upload-progress');
    if (detail.bytesUploaded > 0) break;
  }
  await el.updateComplete;
  expect(part(el, 'progress').getAttribute('aria-valuenow')).to.equal('40');
  return el;
}

const box = (el: ResumableUpload, name: string) => part(el, name).getBoundingClientRect();

/** Where the file name's letters are drawn, as opposed to its grid cell. */
function textBox(el: ResumableUpload): DOMRect {
  const range = document.createRange();
  range.selectNodeContents(part(el, 'file-name'));
  return range.getBoundingClientRect();
}

/** Where one character of the file name is drawn. */
function charBox(el: ResumableUpload, index: number): DOMRect {
  // Lit leaves a comment marker before the text.
  const text = [...part(el, 'file-name').childNodes].find((n) => n.nodeType === Node.TEXT_NODE)!;
  const range = document.createRange();
  range.setStart(text, index);
  range.setEnd(text, index + 1);
  const rect = range.getBoundingClientRect();
  expect(rect.width, `character ${index} is drawn`).to.be.above(0);
  return rect;
}

describe('<resumable-upload> under dir="rtl"', () => {
  it('mirrors an Arabic row: the name right of the buttons, the bar filling from the right edge', async () => {
    const el = await rowAt40('rtl', 'ar', '[draft] report.pdf');
    const row = box(el, 'file');
    const name = box(el, 'file-name');
    const buttons = parts(el, 'button').map((b) => b.getBoundingClientRect());
    expect(buttons).to.have.length(2);
    for (const b of buttons) expect(name.left).to.be.at.least(b.right);
    expect(row.right - name.right).to.be.below(1);
    // The Latin name keeps to the row's start (the right), though its own letters run left to right.
    expect(row.right - textBox(el).right).to.be.below(1);
    expect(charBox(el, 0).right, '"[" starts the name on the left').to.be.at.most(charBox(el, 1).left + 1);
    expect(box(el, 'status').left).to.be.at.least(Math.max(...buttons.map((b) => b.right)));
    // The first button (pause) is the one nearest the name, as in reading order.
    expect(buttons[0].left).to.be.above(buttons[1].left);
    const track = box(el, 'progress');
    const fill = box(el, 'progress-bar');
    expect(Math.abs(fill.right - track.right)).to.be.below(1);
    expect(fill.width / track.width).to.be.closeTo(0.4, 0.01);
    expect(fill.left - track.left).to.be.closeTo(0.6 * track.width, 1);
    expect(part(el, 'status').textContent).to.include(' من ');
    expect(part(el, 'pause-button').textContent!.trim()).to.equal('إيقاف مؤقت');
    await expect(el).to.be.accessible();
  });

  it('mirrors a Hebrew row the same way', async () => {
    const el = await rowAt40('rtl', 'he', 'דוח.pdf');
    const name = box(el, 'file-name');
    for (const b of parts(el, 'button')) expect(name.left).to.be.at.least(b.getBoundingClientRect().right);
    const track = box(el, 'progress');
    const fill = box(el, 'progress-bar');
    expect(Math.abs(fill.right - track.right)).to.be.below(1);
    expect(fill.width / track.width).to.be.closeTo(0.4, 0.01);
    expect(part(el, 'cancel-button').textContent!.trim()).to.equal('ביטול');
  });

  it('keeps the left-to-right row as it was: the name left of the buttons, the bar filling from the left', async () => {
    const el = await rowAt40('ltr', 'en', 'report.pdf');
    const row = box(el, 'file');
    const name = box(el, 'file-name');
    for (const b of parts(el, 'button')) expect(name.right).to.be.at.most(b.getBoundingClientRect().left);
    expect(name.left - row.left).to.be.below(1);
    const track = box(el, 'progress');
    const fill = box(el, 'progress-bar');
    expect(Math.abs(fill.left - track.left)).to.be.below(1);
    expect(fill.width / track.width).to.be.closeTo(0.4, 0.01);
  });
});
