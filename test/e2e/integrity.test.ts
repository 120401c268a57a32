// Issue 14, integrity: the proxy silently inverts one byte at two places of the upload, in real Chromium
// against our server, for each protocol. With `integrity`, the server refuses each damaged body (keeping
// nothing of it), the element sends that body again, alone, and the stored file is the source, byte for
// byte; upload-complete carries the SHA-256 both sides agreed on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { INTEGRITY_CHUNK_SIZE } from '../../src/engine/options.js';
import { MiB } from './support/files.js';
import { assertStored, startRig, upload, type Rig } from './support/rig.js';

/** The requests of an integrity upload with `chunk-size` 0. */
const BLOCK = INTEGRITY_CHUNK_SIZE;
/** Two requests and a shorter third. */
const SIZE = 2 * BLOCK + 8 * MiB;
/** One byte inside the first request's body and one inside the last's. */
const FLIPS = [5 * MiB + 12_345, 2 * BLOCK + 3 * MiB + 4_567];
const REFUSED = { 'status-upload': 409, tus: 460, ietf: 400 } as const;

describe('integrity: two silently inverted bytes, for each protocol', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  after(() => rig?.close());

  for (const protocol of ['status-upload', 'tus', 'ietf'] as const) {
    test(`${protocol}: byte-identical, and only the two damaged requests sent again`, async () => {
      const file = await rig.file(SIZE);
      rig.proxy.clearFaults();
      for (const at of FLIPS) void rig.proxy.inject({ kind: 'flip', at });
      const run = await upload(rig, file, {
        chunkSize: 0,
        retryDelays: [0, 1000, 3000],
        integrity: true,
        ...(protocol !== 'status-upload' && { protocol }),
      });
      await assertStored(rig, file, run);
      assert.equal(rig.proxy.pendingFaults, 0, 'both bytes were inverted on the way');

      const bodies = run.posts.map((r) => `${r.start}+${r.received}:${r.status}`);
      const refused = REFUSED[protocol];
      assert.deepEqual(
        bodies,
        [
          `0+${BLOCK}:${refused}`,
          `0+${BLOCK}:${protocol === 'status-upload' ? 200 : protocol === 'tus' ? 201 : 204}`,
          `${BLOCK}+${BLOCK}:${protocol === 'status-upload' ? 200 : 204}`,
          `${2 * BLOCK}+${SIZE - 2 * BLOCK}:${refused}`,
          `${2 * BLOCK}+${SIZE - 2 * BLOCK}:${protocol === 'ietf' ? 200 : protocol === 'tus' ? 204 : 200}`,
        ],
        'the upload requests: each damaged body refused, then sent once more, and nothing else',
      );
      assert.equal(
        run.wire,
        SIZE + BLOCK + (SIZE - 2 * BLOCK),
        'bytes on the wire: the file and the two damaged bodies',
      );

      const complete = run.log.find((e) => e.type === 'upload-complete')!;
      assert.equal(complete.sha256, file.sha256, 'upload-complete carries the SHA-256 of the source');
      assert.equal(complete.verified, true, 'and the server checked the stored file against it');
      assert.deepEqual(
        run.log.filter((e) => e.type === 'upload-retry' || e.type === 'upload-error'),
        [],
        'a damaged body costs no retry and no error',
      );
    });
  }
});
