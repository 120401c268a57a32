// A page whose Content-Security-Policy allows Blob-URL workers but not WebAssembly (no
// 'wasm-unsafe-eval'): the integrity workers inherit the policy, hash-wasm is refused, the bodies are
// digested by WebCrypto and the whole file by the JS SHA-256, with the same answers. Its own file: the
// policy stays with this page.
import { check, VECTORS } from '../support/integrity-worker.js';
import { randomBytes, sha256Hex } from '../support/files.js';

const POLICY = { prelude: '', body: 'webcrypto', file: 'js' } as const;

describe('integrity under a CSP without wasm-unsafe-eval', () => {
  // Without the policy the same workers answer 'hash-wasm' (integrity-worker.test.ts). WebKit applies
  // the policy to the workers but not to the page's own WebAssembly.compile, so only the workers are asked.
  before(() => {
    const meta = document.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = "script-src 'self' 'unsafe-inline' blob:; worker-src blob:";
    document.head.append(meta);
  });

  for (const [name, bytes, expected] of VECTORS)
    it(`the workers give the FIPS 180 SHA-256 of ${name} with the JS SHA-256`, () =>
      check(POLICY, bytes, expected));

  it('and of 30 MiB resumed at a third', async () => {
    const bytes = randomBytes(30 * 1024 * 1024 + 13);
    await check(POLICY, bytes, await sha256Hex(bytes), { resumed: true });
  });
});
