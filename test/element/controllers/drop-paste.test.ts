import { expect } from '@open-wc/testing';
import { DropPasteController } from '../../../src/element/controllers/drop-paste.js';
import { connectedHost } from './host.js';

function files(): DataTransfer {
  const dt = new DataTransfer();
  dt.items.add(new File(['x'], 'report.pdf'));
  return dt;
}

function drag(type: string, dataTransfer: DataTransfer): DragEvent {
  return new DragEvent(type, { dataTransfer, bubbles: true, composed: true, cancelable: true });
}

describe('DropPasteController', () => {
  it('marks the host while files are dragged over it, and hands dropped files on', async () => {
    const host = await connectedHost();
    const added: File[] = [];
    const drop = new DropPasteController(
      host,
      () => false,
      (list) => added.push(...list),
    );
    const over = drag('dragover', files());
    host.dispatchEvent(over);
    expect(over.defaultPrevented, 'the drop is accepted').to.equal(true);
    expect(drop.dragging).to.equal(true);
    expect(host.hasAttribute('dragover')).to.equal(true);
    host.dispatchEvent(drag('drop', files()));
    expect(drop.dragging).to.equal(false);
    expect(host.hasAttribute('dragover')).to.equal(false);
    expect(added.map((f) => f.name)).to.deep.equal(['report.pdf']);
    host.remove();
  });

  it('takes pasted files, ignores a drag that carries no files, and leaves the drag when it goes out', async () => {
    const host = await connectedHost();
    const added: File[] = [];
    const drop = new DropPasteController(
      host,
      () => false,
      (list) => added.push(...list),
    );
    const text = new DataTransfer();
    text.setData('text/plain', 'hello');
    const over = drag('dragover', text);
    host.dispatchEvent(over);
    expect(over.defaultPrevented).to.equal(false);
    expect(drop.dragging).to.equal(false);
    host.dispatchEvent(drag('dragover', files()));
    host.dispatchEvent(new DragEvent('dragleave', { relatedTarget: document.body, bubbles: true }));
    expect(drop.dragging).to.equal(false);
    const paste = new ClipboardEvent('paste', { bubbles: true, cancelable: true });
    Object.defineProperty(paste, 'clipboardData', { value: files() });
    host.dispatchEvent(paste);
    expect(paste.defaultPrevented).to.equal(true);
    expect(added.map((f) => f.name)).to.deep.equal(['report.pdf']);
    host.remove();
  });

  it('takes nothing while disabled', async () => {
    const host = await connectedHost();
    const added: File[] = [];
    const drop = new DropPasteController(
      host,
      () => true,
      (list) => added.push(...list),
    );
    host.dispatchEvent(drag('dragover', files()));
    const dropped = drag('drop', files());
    host.dispatchEvent(dropped);
    expect(drop.dragging).to.equal(false);
    expect(dropped.defaultPrevented).to.equal(false);
    expect(added).to.deep.equal([]);
    host.remove();
  });
});
