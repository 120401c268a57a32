// A short soak inside `npm test`: 20 random uploads (up to 8 MiB; status-upload, tus or IETF) under random
// faults, all byte-identical.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiB } from './support/files.js';
import { runSoak } from './support/soak.js';

test('20 random uploads under random faults all arrive byte-identical', async (t) => {
  const summary = await runSoak({
    runs: 20,
    seed: 20260524,
    maxSize: 8 * MiB,
    print: (line) => t.diagnostic(line),
  });
  t.diagnostic(summary.text);
  assert.equal(summary.passes, 20, summary.text);
});
