// A page whose Content-Security-Policy allows Blob-URL workers but not WebAssembly (no
// 'wasm-unsafe-eval'): the integrity workers inherit the policy, hash-wasm is refused, and the whole file
// is digested by the JS SHA-256 with the same answers. Its own file: the policy stays with this page.
import { expect } from '@open-wc/testing';
import { check, VECTORS } from '../support/integrity-worker.js';
import { randomBytes, sha256Hex } from '../support/files.js';

/** The smallest valid WebAssembly module: magic and version. */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const POLICY = { prelude: '', body: 'webcrypto', file: 'js' } as const;

describe('integrity under a CSP without wasm-unsafe-eval', () => {
  before(async () => {
    await WebAssembly.compile(EMPTY_MODULE);
    const meta = document.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = "script-src 'self' 'unsafe-inline' blob:; worker-src blob:";
    document.head.append(meta);
  });

  it('the page refuses WebAssembly', async () => {
    const refused = await WebAssembly.compile(EMPTY_MODULE).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused, 'WebAssembly.compile under the policy').to.be.instanceOf(Error);
  });

  for (const [name, bytes, expected] of VECTORS)
    it(`the workers give the FIPS 180 SHA-256 of ${name} with the JS SHA-256`, () =>
      check(POLICY, bytes, expected));

  it('and of 30 MiB resumed at a third', async () => {
    const bytes = randomBytes(30 * 1024 * 1024 + 13);
    await check(POLICY, bytes, await sha256Hex(bytes), { resumed: true });
  });
});
