import { expect } from '@open-wc/testing';
import { AnnouncerController } from '../../../src/element/controllers/announcer.js';
import { connectedHost } from './host.js';

describe('AnnouncerController', () => {
  it('reads the messages of one update together, and each message only once', async () => {
    const host = await connectedHost();
    const announcer = new AnnouncerController(host);
    announcer.announce('report.pdf started.');
    announcer.announce('photo.jpg started.');
    expect(announcer.text).to.equal('report.pdf started. photo.jpg started.');
    host.requestUpdate();
    await host.updateComplete;
    // Still shown after the render, so the live region keeps its text until something new is said.
    expect(announcer.text).to.equal('report.pdf started. photo.jpg started.');
    announcer.announce('report.pdf uploaded.');
    expect(announcer.text).to.equal('report.pdf uploaded.');
    host.remove();
  });
});
