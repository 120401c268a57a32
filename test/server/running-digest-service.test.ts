// Issue #14: the service keeps a running SHA-256 of an integrity upload as its bytes are stored, so
// completing it checks Repr-Digest with no read-back of the file (the store's `digest` is never called),
// and reads back only when this process did not see every byte (a restart, a re-created upload). Whatever
// happened on the way (a cut body, a damaged one, an overflow), the check passes with the file's digest
// and refuses another.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { UploadProblem } from '../../src/server/service.js';
import type { AppendRequest, ProblemCode } from '../../src/server/service.js';
import { FileStore } from '../../src/server/stores/file/store.js';
import type { AppendOptions, ExpectedDigest } from '../../src/server/stores/types.js';
import { serviceOver } from '../contracts/store-digest.js';
import { bodyOf, digestOf } from '../contracts/store-support.js';
import { randomData, sha256, waitFor } from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = 300_000;

/** A store over `dir` that records every read-back (`digest`) and every append's options. */
function spiedStore(dir: string) {
  const store = new FileStore(dir);
  const readBacks: string[] = [];
  const appends: AppendOptions[] = [];
  const digest = store.digest.bind(store);
  store.digest = (key, algorithm) => {
    readBacks.push(key);
    return digest(key, algorithm);
  };
  const append = store.append.bind(store);
  store.append = (key, body, options) => {
    appends.push(options);
    return append(key, body, options);
  };
  return { store, readBacks, appends };
}

/** A service over a spied file store in `dir` (fresh unless given: a second one over it is a restart). */
async function rig(t: TestContext, dir?: string) {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'ru-running-')));
  if (!dir) t.after(() => rm(folder, { recursive: true, force: true }));
  const spied = spiedStore(folder);
  const { service, completed } = await serviceOver(spied.store);
  t.after(() => service.close());
  const key = service.key('alice', 'file.bin');
  return { ...spied, service, completed, dir: folder, key };
}

interface Body {
  start: number;
  data: Buffer;
  size?: number;
  digest?: ExpectedDigest;
  reprDigest?: ExpectedDigest;
}

/** The article protocol's append: the first creates the upload; the body in 16 KiB chunks, length unsaid. */
const appendOf = ({ start, data, size = SIZE, digest, reprDigest }: Body): AppendRequest => ({
  start,
  body: bodyOf(data),
  size,
  create: { owner: 'alice', id: 'file.bin' },
  sizeName: 'X-File-Size',
  ...(digest && { digest }),
  ...(reprDigest && { reprDigest }),
});

async function refused(promise: Promise<unknown>, code: ProblemCode): Promise<UploadProblem> {
  const err = await promise.then(
    () => assert.fail(`expected ${code}, but it succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UploadProblem, `not an UploadProblem: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

/** Any digest but the file's. */
const wrongOf = (data: Buffer): ExpectedDigest => digestOf(Buffer.concat([data, Buffer.from([0])]));

type Rig = Awaited<ReturnType<typeof rig>>;

/**
 * The last body, from `start`, with the file's Repr-Digest (`right`) or another: completes with the file's
 * SHA-256, byte-identical, or is refused and removed.
 */
async function finish(r: Rig, data: Buffer, start: number, right: boolean): Promise<void> {
  const rest = data.subarray(start);
  const last = appendOf({
    start,
    data: rest,
    size: data.length,
    digest: digestOf(rest),
    reprDigest: right ? digestOf(data) : wrongOf(data),
  });
  if (!right) {
    await refused(r.service.append(r.key, last), 'repr-mismatch');
    assert.equal(r.completed.length, 0);
    assert.equal(await r.store.offset(r.key), 0, 'the upload was removed');
    return;
  }
  const done = await r.service.append(r.key, last);
  assert.deepEqual(done, {
    offset: data.length,
    size: data.length,
    complete: true,
    answered: true,
    sha256: sha256(data),
  });
  assert.equal(r.completed[0]?.sha256, sha256(data));
  assert.equal(sha256(await readFile(r.store.completePath(r.key))), sha256(data));
}

describe('the running SHA-256 of an integrity upload', () => {
  const data = randomData(SIZE);
  const [a, b] = [data.subarray(0, 100_000), data.subarray(100_000, 200_000)];
  /** The first two bodies, each with its Content-Digest. */
  async function twoBodies(r: Rig): Promise<void> {
    await r.service.append(r.key, appendOf({ start: 0, data: a, digest: digestOf(a) }));
    await r.service.append(r.key, appendOf({ start: 100_000, data: b, digest: digestOf(b) }));
  }

  for (const right of [true, false]) {
    test(`every byte through this process: ${right ? 'completes' : 'a wrong Repr-Digest is refused'}, with no read-back`, async (t) => {
      const r = await rig(t);
      await twoBodies(r);
      await finish(r, data, 200_000, right);
      assert.deepEqual(r.readBacks, [], 'the stored file was read back');
    });
  }

  test('after a restart (a new service over the same store), the file is read back once and checked', async (t) => {
    const first = await rig(t);
    await twoBodies(first);
    const r = await rig(t, first.dir);
    await finish(r, data, 200_000, true);
    assert.deepEqual(r.readBacks, [r.key]);
  });

  test('a single body with only Repr-Digest is checked on the way, with no read-back', async (t) => {
    const r = await rig(t);
    const done = await r.service.append(r.key, appendOf({ start: 0, data, reprDigest: digestOf(data) }));
    assert.equal(done.sha256, sha256(data));
    assert.deepEqual(r.readBacks, []);
  });

  test('uploads without integrity pay nothing: no append is tapped, and Repr-Digest is checked by reading back', async (t) => {
    const r = await rig(t);
    await r.service.append(r.key, appendOf({ start: 0, data: a }));
    await r.service.append(r.key, appendOf({ start: 100_000, data: b }));
    await r.service.append(
      r.key,
      appendOf({ start: 200_000, data: data.subarray(200_000), reprDigest: digestOf(data) }),
    );
    assert.deepEqual(
      r.appends.map((options) => options.tap),
      [undefined, undefined, undefined],
    );
    assert.deepEqual(r.readBacks, [r.key]);
    assert.equal(r.completed[0]?.sha256, sha256(data));
  });

  for (const right of [true, false]) {
    test(`a body whose Content-Digest did not match keeps nothing and leaves it as it was (${right ? 'right' : 'wrong'} Repr-Digest)`, async (t) => {
      const r = await rig(t);
      await twoBodies(r);
      const other = randomData(100_000);
      await refused(
        r.service.append(
          r.key,
          appendOf({ start: 200_000, data: other, digest: digestOf(data.subarray(200_000)) }),
        ),
        'digest-mismatch',
      );
      await finish(r, data, 200_000, right);
      assert.deepEqual(r.readBacks, []);
    });
  }

  /** Sends `bytes` from `start` and cuts the body once they are on disk. */
  async function cut(r: Rig, start: number, bytes: Buffer, digest?: ExpectedDigest): Promise<number> {
    const body = new PassThrough();
    const outcome = r.service.append(r.key, { ...appendOf({ start, data: bytes, digest }), body });
    body.write(bytes);
    const written = start + bytes.length;
    await waitFor('the bytes on disk', async () => (await r.store.offset(r.key)) === written || undefined);
    body.destroy();
    const { offset, answered } = await outcome;
    assert.equal(answered, false);
    return offset;
  }

  for (const right of [true, false]) {
    test(`cut bodies: with a digest nothing kept, without one its bytes kept (${right ? 'right' : 'wrong'} Repr-Digest)`, async (t) => {
      const r = await rig(t);
      await twoBodies(r);
      const [c, d] = [data.subarray(200_000, 250_000), data.subarray(250_000, 270_000)];
      assert.equal(await cut(r, 200_000, c, digestOf(data.subarray(200_000))), 200_000);
      assert.equal(await cut(r, 200_000, c), 250_000);
      assert.equal(await cut(r, 250_000, d), 270_000);
      await finish(r, data, 270_000, right);
      assert.deepEqual(r.readBacks, []);
    });
  }

  describe('overflow', () => {
    const big = randomData(12 * MiB);
    for (const right of [true, false]) {
      test(`with a digest nothing of it is kept, and the running digest stays right (${right ? 'right' : 'wrong'} Repr-Digest)`, async (t) => {
        const r = await rig(t);
        await r.service.append(r.key, appendOf({ start: 0, data: a, size: big.length, digest: digestOf(a) }));
        const over = Buffer.concat([big.subarray(100_000), randomData(1000)]);
        const err = await refused(
          r.service.append(
            r.key,
            appendOf({ start: 100_000, data: over, size: big.length, digest: digestOf(over) }),
          ),
          'past-size',
        );
        assert.equal(err.offset, 100_000);
        await finish(r, Buffer.concat([a, big.subarray(100_000)]), 100_000, right);
        assert.deepEqual(r.readBacks, []);
      });
    }

    test('past a checkpoint, part of it is kept: the running digest is dropped, the file is read back', async (t) => {
      const r = await rig(t);
      const file = Buffer.concat([a, big.subarray(100_000)]);
      await r.service.append(r.key, appendOf({ start: 0, data: a, size: file.length, digest: digestOf(a) }));
      // No digest: checkpoints every 8 MiB keep what they made durable.
      const over = Buffer.concat([file.subarray(100_000), randomData(1000)]);
      const err = await refused(
        r.service.append(r.key, appendOf({ start: 100_000, data: over, size: file.length })),
        'past-size',
      );
      assert.ok(err.offset! >= 100_000 + 8 * MiB && err.offset! < file.length, `kept up to ${err.offset}`);
      await finish(r, file, err.offset!, true);
      assert.deepEqual(r.readBacks, [r.key]);
    });
  });

  test('a removed and re-created upload on the same key (another instance) does not reuse the old state', async (t) => {
    const r = await rig(t);
    const other = await rig(t, r.dir);
    const old = randomData(100_000);
    await r.service.append(r.key, appendOf({ start: 0, data: old, digest: digestOf(old) }));
    await r.service.append(r.key, appendOf({ start: 100_000, data: b, digest: digestOf(b) }));
    await other.service.terminate(r.key);
    // A new createdAt: the re-created upload is another generation.
    await new Promise((resolve) => setTimeout(resolve, 2));
    await other.service.append(r.key, appendOf({ start: 0, data: a, digest: digestOf(a) }));
    await other.service.append(r.key, appendOf({ start: 100_000, data: b }));
    await finish(r, data, 200_000, true);
    assert.deepEqual(r.readBacks, [r.key], 'the old running digest would have refused it');
  });
});
