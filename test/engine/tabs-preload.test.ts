// tabs.ts (one uploader per file across tabs) starts loading as the Uploader is made, not at the first
// upload: a page's first upload then neither waits for the chunk nor for a dynamic import's turn. The file
// stands alone so that no other test has loaded tabs.ts into this page first.
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { UploadStatus, Uploader, type UploadItem } from '../../src/engine/index.js';
import { makeFile } from '../support/files.js';
import { realDelay } from '../support/scripted-server.js';

describe('tabs.ts loads with the Uploader', () => {
  it('so the first upload asks for its Web Lock before add() returns', async () => {
    const request = sinon.spy(navigator.locks, 'request');
    const uploader = new Uploader({
      statusUrl: '/nowhere/status',
      uploadUrl: '/nowhere/upload',
      retryDelays: [],
    });
    let item: UploadItem | undefined;
    try {
      // The same module the Uploader asked for; once it has run, the Uploader holds it a microtask later.
      await import('../../src/engine/tabs.js');
      await realDelay(0);
      expect(request.callCount, 'no lock before a file').to.equal(0);
      [item] = uploader.add([makeFile(1024, 'a.bin')]);
      expect(request.callCount, 'the lock is asked for within add()').to.equal(1);
      expect(request.firstCall.args[0]).to.be.a('string').and.include(item!.fileId);
    } finally {
      uploader.cancel();
      request.restore();
    }
    expect(item?.status).to.equal(UploadStatus.canceled);
  });
});
