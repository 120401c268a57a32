// The integrity workers themselves, real Workers started from the script the engine ships: the FIPS 180
// SHA-256 examples and files sent as three bodies (so the whole-file hash is fed across body boundaries,
// a resent body once, and a 10 MiB part never sent in 8 MiB reads of its own), with every hasher and
// with the browser leaving WebCrypto out (an insecure context) and WebAssembly too (a strict CSP).
import { check, MiB, VECTORS } from '../support/integrity-worker.js';
import type { Hasher } from '../../src/engine/integrity/worker.js';
import { randomBytes, sha256Hex } from '../support/files.js';

/** What each hasher-less browser is made of: a prelude run before the worker's script. */
const BROWSERS: Array<{ name: string; prelude: string; body: Hasher; file: Hasher }> = [
  // hash-wasm digests the bodies too: faster than WebCrypto, which copies each body first (bench 'integrity').
  { name: 'WebCrypto and WebAssembly', prelude: '', body: 'hash-wasm', file: 'hash-wasm' },
  {
    name: 'no WebCrypto (an insecure context)',
    prelude: "Object.defineProperty(self.crypto, 'subtle', { value: undefined });",
    body: 'hash-wasm',
    file: 'hash-wasm',
  },
  {
    name: 'neither WebCrypto nor WebAssembly (a CSP without wasm-unsafe-eval)',
    prelude:
      "Object.defineProperty(self.crypto, 'subtle', { value: undefined }); self.WebAssembly = undefined;",
    body: 'js',
    file: 'js',
  },
];

describe('integrity: the worker script (hash-wasm, WebCrypto, the JS fallback)', () => {
  for (const browser of BROWSERS)
    describe(browser.name, () => {
      for (const [name, bytes, expected] of VECTORS)
        it(`gives the FIPS 180 SHA-256 of ${name}, in three bodies with one resent`, () =>
          check(browser, bytes, expected));

      it('gives the SHA-256 of 3 MiB sent in three bodies', async () => {
        const bytes = randomBytes(3 * MiB + 13);
        await check(browser, bytes, await sha256Hex(bytes));
      });

      it('gives the SHA-256 of 30 MiB resumed at a third: the part never sent read in 8 MiB pieces', async () => {
        const bytes = randomBytes(30 * MiB + 13);
        await check(browser, bytes, await sha256Hex(bytes), { resumed: true });
      });

      it('gives the SHA-256 of 3 MiB when the file worker is far behind the bodies', async () => {
        const bytes = randomBytes(3 * MiB + 13);
        await check(browser, bytes, await sha256Hex(bytes), { behind: true });
      });
    });
});
