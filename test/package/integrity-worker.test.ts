// The integrity worker's script is checked in (src/engine/integrity/worker-script.ts): it must be the
// bundle of today's worker.ts and hash-wasm, with hash-wasm's WebAssembly inlined.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { workerScriptModule, workerScriptPath } from '../../scripts/integrity-worker.mjs';
import { workerScript } from '../../src/engine/integrity/worker-script.js';

test('worker-script.ts is the bundle of its sources (else: node scripts/integrity-worker.mjs)', async () => {
  assert.equal(
    readFileSync(workerScriptPath, 'utf8'),
    await workerScriptModule(),
    'src/engine/integrity/worker-script.ts is stale: run node scripts/integrity-worker.mjs',
  );
});

test('the worker script holds hash-wasm (its WebAssembly inlined) and imports nothing', () => {
  assert.match(workerScript, /WebAssembly/, 'no WebAssembly in the worker');
  assert.match(workerScript, /hash-wasm/, 'no hash-wasm licence line in the worker');
  assert.doesNotMatch(workerScript, /\bimport\s*[({'"]/, 'a Blob-URL worker cannot import');
});
