// A page whose Content-Security-Policy refuses every worker (`worker-src 'none'`): the integrity workers
// cannot start. Asking for a body's digest then fails with a reason instead of waiting forever (the upload
// would wait with it). Its own file: the policy stays with this page.
import { expect } from '@open-wc/testing';
import { FileDigests } from '../../src/engine/integrity/digests.js';
import { makeFile } from '../support/files.js';

describe('integrity where no worker may start', () => {
  before(() => {
    const meta = document.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = "worker-src 'none'";
    document.head.append(meta);
  });

  it('a body digest fails with a reason, and so does the next one', async () => {
    const file = makeFile(64 * 1024, 'refused.bin');
    let digests: FileDigests | undefined;
    const ask = async (start: number, end: number) => {
      // Some engines refuse the worker at once (the constructor throws), others by its error event.
      digests ??= new FileDigests(file);
      return digests.body(start, end);
    };
    const first = await ask(0, 32 * 1024).then(
      () => null,
      (err: unknown) => err,
    );
    expect(String(first)).to.match(/worker|digest|security|refused|denied|policy/i);
    const second = await ask(32 * 1024, 64 * 1024).then(
      () => null,
      (err: unknown) => err,
    );
    expect(String(second)).to.match(/worker|digest|security|refused|denied|policy/i);
    digests?.close();
  });
});
