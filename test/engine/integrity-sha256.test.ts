// The incremental SHA-256 the integrity worker feeds the whole file through, against WebCrypto's one-shot
// digest: every length around the 64-byte block and its 56-byte padding edge, fed in random pieces.
import { expect } from '@open-wc/testing';
import { createSha256 } from '../../src/engine/integrity/sha256.js';
import { randomBytes, sha256Hex } from '../support/files.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

describe('integrity: incremental SHA-256', () => {
  it('matches WebCrypto for lengths 0 to 300, whole and in random pieces', async () => {
    for (let n = 0; n <= 300; n++) {
      const data = randomBytes(n);
      const whole = createSha256();
      whole.update(data);
      const pieces = createSha256();
      for (let at = 0; at < n;) {
        const to = Math.min(n, at + 1 + Math.floor(Math.random() * 70));
        pieces.update(data.subarray(at, to));
        at = to;
      }
      const expected = await sha256Hex(data);
      expect(hex(whole.digest()), `${n} bytes whole`).to.equal(expected);
      expect(hex(pieces.digest()), `${n} bytes in pieces`).to.equal(expected);
    }
  });

  it('matches WebCrypto for 5 MiB fed in uneven megabyte pieces', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 17);
    const h = createSha256();
    for (let at = 0; at < data.length; at += 1_000_003) h.update(data.subarray(at, at + 1_000_003));
    expect(hex(h.digest())).to.equal(await sha256Hex(data));
  });

  it('knows the FIPS 180-4 test vector for "abc"', () => {
    const h = createSha256();
    h.update(new TextEncoder().encode('abc'));
    expect(hex(h.digest())).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
