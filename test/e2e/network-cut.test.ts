// Scenarios 1-3: the connection breaks mid-body, the answer is lost, the status request fails too.
// Every upload must end byte-identical, re-sending at most one chunk per fault.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MiB } from './support/files.js';
import type { Fault } from './support/proxy.js';
import { assertStored, assertWire, describeRun, startRig, upload, type Rig } from './support/rig.js';

const SIZE = 6 * MiB + 12345;
const CHUNK = 2 * MiB;
const client = { chunkSize: CHUNK, retryDelays: [0, 100, 300, 500, 1000] };

describe('a connection cut mid-body', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  after(() => rig?.close());

  const cuts: Array<[string, number]> = [
    ['at the first byte', 0],
    ['inside a chunk', CHUNK + 700 * 1024 + 17],
    ["at a chunk's last byte", 2 * CHUNK - 1],
    ["at the file's last byte", SIZE - 1],
  ];
  for (const [where, at] of cuts) {
    test(`resumes when the connection is cut ${where}`, async (t) => {
      const file = await rig.file(SIZE);
      void rig.proxy.inject({ kind: 'cut', at });
      const run = await upload(rig, file, client);
      t.diagnostic(describeRun(file, run));
      assert.equal(rig.proxy.pendingFaults, 0, 'the cut happened');
      await assertStored(rig, file, run);
      assertWire(run, file, CHUNK, 1);
    });
  }
});

describe('faults around the answer', () => {
  let rig: Rig;
  before(async () => (rig = await startRig()));
  after(() => rig?.close());

  test('a response lost after the server stored the chunk costs at most that chunk again', async (t) => {
    const file = await rig.file(SIZE);
    void rig.proxy.inject({ kind: 'drop-response' });
    const run = await upload(rig, file, client);
    t.diagnostic(describeRun(file, run));
    assert.equal(rig.proxy.pendingFaults, 0, 'a response was dropped');
    await assertStored(rig, file, run);
    assertWire(run, file, CHUNK, 1);
  });

  const statusFaults: Array<[string, Fault[]]> = [
    ['answers 503', [{ kind: 'status-503' }]],
    ['is reset', [{ kind: 'status-reset' }]],
    ['answers 503, then is reset', [{ kind: 'status-503' }, { kind: 'status-reset' }]],
  ];
  for (const [what, faults] of statusFaults) {
    test(`resumes when the status request after a cut ${what}`, async (t) => {
      const file = await rig.file(SIZE);
      // Deep enough into the chunk that the server has taken the first part: the browser's own re-send of
      // the cut request then gets 409 and the engine must ask status, which fails.
      for (const f of [{ kind: 'cut', at: CHUNK + 700 * 1024 } as const, ...faults]) void rig.proxy.inject(f);
      const run = await upload(rig, file, client);
      t.diagnostic(describeRun(file, run));
      assert.equal(rig.proxy.pendingFaults, 0, 'every fault happened');
      await assertStored(rig, file, run);
      // Only the cut can cost body bytes; a failed status request costs a retry, never a chunk.
      assertWire(run, file, CHUNK, 1);
      const seen = run.log
        .filter((e) => e.type === 'upload-retry')
        .map((e): string =>
          e.error?.status === 503 ? 'status-503' : e.error?.kind === 'network' ? 'status-reset' : 'other',
        );
      // A 503 reaches the engine and costs a retry. A reset may too, or Chromium may absorb it: it silently
      // repeats an idempotent GET whose reused connection was reset, and the engine never sees the fault.
      for (const f of faults)
        if (f.kind === 'status-503')
          assert.ok(seen.includes(f.kind), `${f.kind} was retried (retries: ${seen.join(', ')})`);
      assert.ok(
        seen.every((s) => s !== 'other'),
        `only the injected faults cost retries (retries: ${seen.join(', ')})`,
      );
    });
  }
});
