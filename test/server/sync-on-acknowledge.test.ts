// The file store's syncOnAcknowledge: on (the default), an offset is answered only after its bytes are
// fsynced; off, the body writer never fsyncs (the bench's what-if), while sidecars and folders still are.
import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createFetchUploadHandler, createUploadHandler, FileStore } from '../../src/server/index.js';
import type { StartUploadServerOptions } from '../../src/server/index.js';
import {
  getStatus,
  keyOf,
  openRequest,
  randomData,
  runCli,
  send,
  sha256,
  start,
  startCli,
  tempDir,
  waitFor,
} from './helpers.js';

const MiB = 1024 * 1024;

/** Counts every FileHandle's fsyncs from now on: `datasync` (the body writer's) and `sync` (sidecars, folders). */
async function countFsyncs(t: TestContext): Promise<{ datasync: number; sync: number }> {
  const probe = await open(import.meta.filename);
  const proto = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const counts = { datasync: 0, sync: 0 };
  const { datasync, sync } = proto;
  t.mock.method(proto, 'datasync', function (this: FileHandle) {
    counts.datasync++;
    return datasync.call(this);
  });
  t.mock.method(proto, 'sync', function (this: FileHandle) {
    counts.sync++;
    return sync.call(this);
  });
  return counts;
}

/** One 20 MiB upload in one request (two 8 MiB checkpoints and a closing fsync when on), counted. */
async function uploadCounted(t: TestContext, options: StartUploadServerOptions) {
  const server = await start({ syncInterval: 0, ...options });
  const data = randomData(20 * MiB);
  const counts = await countFsyncs(t);
  const reply = await send(server.url, 'counted', 0, data, data.length);
  const fsyncs = { ...counts };
  t.mock.restoreAll();
  assert.deepEqual([reply.status, reply.text], [200, String(data.length)]);
  const stored = await readFile(join(server.dir, 'complete', keyOf('counted')));
  assert.equal(sha256(stored), sha256(data), 'the stored file is the source, byte for byte');
  return fsyncs;
}

describe('syncOnAcknowledge', () => {
  test('off: the body is never fsynced before its answer; the once-per-upload fsyncs are those of the default', async (t) => {
    const byDefault = await uploadCounted(t, {});
    const on = await uploadCounted(t, { syncOnAcknowledge: true });
    const off = await uploadCounted(t, { syncOnAcknowledge: false });
    // 20 MiB: background fsyncs at 8 and 16 MiB written, then the closing one.
    assert.ok(byDefault.datasync >= 3, `default: ${byDefault.datasync} body fsyncs`);
    assert.ok(on.datasync >= 3, `true: ${on.datasync} body fsyncs`);
    assert.equal(off.datasync, 0, 'false: no body fsync');
    // Sidecar written, upload completed, sidecar finalized: each file and folder fsync, in every mode.
    assert.ok(byDefault.sync > 0);
    assert.equal(on.sync, byDefault.sync);
    assert.equal(off.sync, byDefault.sync);
  });

  test('off: a slow body is still checkpointed, so status reports its progress before it ends', async (t) => {
    const server = await start({ syncOnAcknowledge: false, syncInterval: 50 });
    const counts = await countFsyncs(t);
    const data = randomData(30_000);
    const slow = openRequest(`${server.url}/upload`, 'POST', {
      'X-File-Id': 'drip',
      'X-Start-Byte': '0',
      'X-File-Size': String(data.length),
      'Content-Length': String(data.length),
    });
    slow.req.write(data.subarray(0, 10_000));
    await waitFor('status at 10000', async () =>
      (await getStatus(server.url, 'drip')) === 10_000 ? true : undefined,
    );
    slow.req.end(data.subarray(10_000));
    assert.deepEqual(await slow.response.then((r) => [r.status, r.text]), [200, String(data.length)]);
    assert.equal(counts.datasync, 0);
    assert.equal(sha256(await readFile(join(server.dir, 'complete', keyOf('drip')))), sha256(data));
  });

  test('a value other than true or false is refused at startup, naming the option and the value', async () => {
    const dir = await tempDir();
    const bad = /^resumable-upload server: option syncOnAcknowledge must be true or false, got "no"$/;
    const syncOnAcknowledge = 'no' as unknown as boolean;
    assert.throws(() => createUploadHandler({ dir, syncOnAcknowledge }), { name: 'TypeError', message: bad });
    assert.throws(() => createFetchUploadHandler({ dir, syncOnAcknowledge }), {
      name: 'TypeError',
      message: bad,
    });
    assert.throws(() => new FileStore(dir, { syncOnAcknowledge }), { name: 'TypeError', message: bad });
  });

  test('with a store of your own, the option is refused: it belongs to that store', async () => {
    const dir = await tempDir();
    assert.throws(() => createUploadHandler({ store: new FileStore(dir), syncOnAcknowledge: false }), {
      name: 'TypeError',
      message: /syncOnAcknowledge is the default file store's; with your own store, set it there/,
    });
  });
});

describe('resumable-upload-server --sync-on-acknowledge', () => {
  /** A preload that prints a line to stdout (the pipe the CLI logs on, in order) for every fsync. */
  async function fsyncSpy(): Promise<string> {
    const path = join(await tempDir(), 'fsync-spy.mjs');
    await writeFile(
      path,
      [
        "import { open } from 'node:fs/promises';",
        'const probe = await open(process.execPath);',
        'const proto = Object.getPrototypeOf(probe);',
        'await probe.close();',
        "for (const name of ['datasync', 'sync']) {",
        '  const real = proto[name];',
        '  proto[name] = function (...args) {',
        '    process.stdout.write(`fsync-spy ${name}\\n`);',
        '    return real.apply(this, args);',
        '  };',
        '}',
      ].join('\n'),
    );
    return `--import=${pathToFileURL(path).href}`;
  }

  /** Runs the CLI with `flags`, uploads 64 KiB, stops it; the fsyncs it printed after it listened. */
  async function cliFsyncs(flags: string[]) {
    const cli = await startCli(['--port', '0', '--dir', await tempDir(), ...flags], {
      NODE_OPTIONS: await fsyncSpy(),
    });
    const before = cli.output().length;
    const data = randomData(64 * 1024);
    const reply = await send(cli.url, 'cli', 0, data, data.length);
    assert.deepEqual([reply.status, reply.text], [200, String(data.length)]);
    cli.child.kill('SIGTERM');
    // Logged after every fsync of the upload, on the same pipe.
    await waitFor('the CLI to close', async () => (/SIGTERM, closing/.test(cli.output()) ? true : undefined));
    const lines = cli.output().slice(before, cli.output().indexOf('SIGTERM, closing'));
    const count = (name: string) => lines.split('\n').filter((l) => l === `fsync-spy ${name}`).length;
    return { datasync: count('datasync'), sync: count('sync'), output: cli.output() };
  }

  test('off reaches the file store: the upload is answered with no body fsync, and a warning says so', async () => {
    const on = await cliFsyncs([]);
    const off = await cliFsyncs(['--sync-on-acknowledge', 'off']);
    assert.ok(on.datasync >= 1, `default: ${on.datasync} body fsyncs`);
    assert.equal(off.datasync, 0);
    assert.ok(on.sync > 0);
    assert.equal(off.sync, on.sync);
    assert.doesNotMatch(on.output, /warning: --sync-on-acknowledge off/);
    assert.match(off.output, /warning: --sync-on-acknowledge off: offsets are acknowledged before/);
  });

  // A CLI that took the value would listen instead of exiting: the timeout makes that a failure, not a hang.
  test(
    'a value other than on or off, or the flag with S3, exits 2 with the reason',
    { timeout: 60_000 },
    async () => {
      const bad = await runCli(['--sync-on-acknowledge', 'no']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^resumable-upload-server: --sync-on-acknowledge takes on or off, got 'no'\n/);
      const s3 = await runCli(['--sync-on-acknowledge', 'off', '--store', 's3://bucket/p']);
      assert.equal(s3.code, 2);
      assert.match(s3.stderr, /^resumable-upload-server: --sync-on-acknowledge is for the file store/);
      assert.match((await runCli(['--help'])).stdout, /--sync-on-acknowledge on\|off/);
    },
  );
});
