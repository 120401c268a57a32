// The S3 store checks the whole file against Repr-Digest (issue #14) on a real S3 service (Ceph RGW, started
// here): S3 cannot read an unfinished multipart upload's parts back, so the completed object is streamed back
// through the hash before onComplete runs, and a crash between completing and checking leaves the check to do.
// Where this instance received every byte (the first body with a digest), its running SHA-256 is checked
// before CompleteMultipartUpload instead: no read-back, and a mismatching object never appears at its key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Store } from '../../src/server/stores/s3/store.js';
import { appendOf, serviceOver } from '../contracts/store-digest.js';
import { created, digestOf, newKey } from '../contracts/store-support.js';
import { rgwSkip } from '../support/rgw.js';
import type { RunningRgw } from '../support/rgw.js';
import { freshS3Store, rgwForSuite } from '../support/rgw-suite.js';
import { randomData } from './helpers.js';

const MiB = 1024 * 1024;
const BUCKET = 'digests';
const hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('S3Store: the whole file against Repr-Digest (Ceph RGW)', { skip: rgwSkip() }, () => {
  let rgw: RunningRgw;
  let s3: S3Client;
  rgwForSuite(BUCKET, (r, c) => ([rgw, s3] = [r, c]));

  /** A store (5 MiB parts) over a fresh prefix; `reopen` is another instance over it, as after a restart. */
  const fresh = (t: { after(fn: () => Promise<void>): void }) =>
    freshS3Store(t, { rgw, s3, bucket: BUCKET }, 'd', { partSize: 5 * MiB });

  /** Every object and multipart upload under `prefix`, relative to it. */
  async function listed(prefix: string): Promise<{ objects: string[]; uploads: string[] }> {
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    const name = (key: string): string => key.slice(prefix.length + 1);
    return {
      objects: (objects.Contents ?? []).map((o) => name(o.Key!)).sort(),
      uploads: (uploads.Uploads ?? []).map((u) => name(u.Key!)).sort(),
    };
  }

  const getJson = async (key: string): Promise<Record<string, unknown>> => {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return JSON.parse(await out.Body!.transformToString()) as Record<string, unknown>;
  };

  const headStatus = (key: string): Promise<number> =>
    s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
      () => 200,
      (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode ?? 0,
    );

  test('a 13 MiB upload in parts completes against a matching Repr-Digest; the record keeps no digest', async (t) => {
    const { store, prefix } = await fresh(t);
    const { service, completed } = await serviceOver(store);
    t.after(() => service.close());
    const data = randomData(13 * MiB + 3);
    const key = newKey();
    await service.append(key, appendOf(0, data.subarray(0, 6 * MiB), data.length));
    const done = await service.append(
      key,
      appendOf(6 * MiB, data.subarray(6 * MiB), data.length, digestOf(data)),
    );
    assert.equal(done.sha256, hex(data));
    assert.equal(completed.length, 1);
    assert.equal(completed[0]!.sha256, hex(data));
    assert.deepEqual(await listed(prefix), { objects: [key, `${key}.done.json`], uploads: [] });
    const record = await getJson(`${prefix}/${key}.done.json`);
    assert.equal(record.reprDigest, undefined, 'the checked digest stays in the done record');
    assert.equal(record.size, data.length);
  });

  test('a wrong Repr-Digest over parts: refused, the object deleted (HeadObject 404), nothing else left', async (t) => {
    const { store, prefix } = await fresh(t);
    const { service, completed } = await serviceOver(store);
    t.after(() => service.close());
    const data = randomData(11 * MiB);
    const key = newKey();
    await service.append(key, appendOf(0, data.subarray(0, 7 * MiB), data.length));
    const wrong = digestOf(Buffer.concat([data.subarray(0, -1), Buffer.from([data.at(-1)! ^ 1])]));
    await assert.rejects(service.append(key, appendOf(7 * MiB, data.subarray(7 * MiB), data.length, wrong)), {
      code: 'repr-mismatch',
    });
    assert.equal(completed.length, 0);
    assert.equal(await headStatus(`${prefix}/${key}`), 404);
    assert.deepEqual(await listed(prefix), { objects: [], uploads: [] });
  });

  /**
   * A service over a store whose CompleteMultipartUpload, read-back and removal are watched: `visible` holds
   * what HeadObject answered for the final key just before each removal.
   */
  async function watched(store: S3Store, prefix: string, key: string) {
    const calls = { complete: 0, digestComplete: 0, visible: [] as number[] };
    const complete = store.complete.bind(store);
    const digestComplete = store.digestComplete.bind(store);
    const remove = store.remove.bind(store);
    store.complete = (k) => {
      calls.complete++;
      return complete(k);
    };
    store.digestComplete = (k, algorithm) => {
      calls.digestComplete++;
      return digestComplete(k, algorithm);
    };
    store.remove = async (k) => {
      calls.visible.push(await headStatus(`${prefix}/${key}`));
      return remove(k);
    };
    return { calls, ...(await serviceOver(store)) };
  }

  /** Two bodies of `data`, each with its Content-Digest, the last with `repr` as Repr-Digest. */
  const withDigests = (data: Buffer, at: number, repr: Buffer) => [
    { ...appendOf(0, data.subarray(0, at), data.length), digest: digestOf(data.subarray(0, at)) },
    { ...appendOf(at, data.subarray(at), data.length, digestOf(repr)), digest: digestOf(data.subarray(at)) },
  ];

  test('every byte through this instance: checked before completing, with no read-back of the object', async (t) => {
    const { store, prefix } = await fresh(t);
    const key = newKey();
    const { service, completed, calls } = await watched(store, prefix, key);
    t.after(() => service.close());
    const data = randomData(11 * MiB + 5);
    const [first, last] = withDigests(data, 7 * MiB, data);
    await service.append(key, first!);
    assert.equal((await service.append(key, last!)).sha256, hex(data));
    assert.deepEqual(calls, { complete: 1, digestComplete: 0, visible: [] });
    assert.deepEqual(
      completed.map((c) => c.sha256),
      [hex(data)],
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${key}` }));
    assert.equal(hex(Buffer.from(await object.Body!.transformToByteArray())), hex(data));
    assert.deepEqual(await listed(prefix), { objects: [key, `${key}.done.json`], uploads: [] });
  });

  test('a wrong Repr-Digest on the running path: the object never appears at its key (HeadObject 404)', async (t) => {
    const { store, prefix } = await fresh(t);
    const key = newKey();
    const { service, completed, calls } = await watched(store, prefix, key);
    t.after(() => service.close());
    const data = randomData(11 * MiB);
    const [first, last] = withDigests(data, 7 * MiB, randomData(10));
    await service.append(key, first!);
    await assert.rejects(service.append(key, last!), { code: 'repr-mismatch' });
    assert.deepEqual(
      calls,
      { complete: 0, digestComplete: 0, visible: [404] },
      'never completed, never visible',
    );
    assert.equal(completed.length, 0);
    assert.equal(await headStatus(`${prefix}/${key}`), 404);
    assert.deepEqual(await listed(prefix), { objects: [], uploads: [] });
  });

  /**
   * Uploads of `data` claiming `claimed` through a store instance whose check never finishes (the process
   * died, or S3 failed, between CompleteMultipartUpload and the end of the read-back): what is left is up to
   * the next instance. The first body carries no digest, so no running SHA-256 is kept: the check reads back.
   */
  async function diedWhileChecking(dying: S3Store, data: Buffer, claims: Buffer[]): Promise<string[]> {
    dying.digestComplete = () => Promise.reject(new Error('the process died'));
    const { service } = await serviceOver(dying);
    const keys: string[] = [];
    for (const claimed of claims) {
      const key = newKey();
      await service.append(key, appendOf(0, data.subarray(0, MiB), data.length));
      const last = appendOf(MiB, data.subarray(MiB), data.length, digestOf(claimed));
      await assert.rejects(service.append(key, last), /died/);
      keys.push(key);
    }
    await service.close();
    return keys;
  }

  test('a crash between completing and checking: the restarted sweep checks first, and removes a mismatch', async (t) => {
    const { store, prefix, reopen } = await fresh(t);
    const data = randomData(6 * MiB);
    const [bad, good] = await diedWhileChecking(store, data, [randomData(10), data]);
    assert.deepEqual((await listed(prefix)).objects, [bad, `${bad}.json`, good, `${good}.json`].sort());
    const { service, completed } = await serviceOver(await reopen());
    t.after(() => service.close());
    assert.deepEqual(
      completed.map((c) => c.sha256),
      [hex(data)],
      'onComplete ran once, for the matching file, with its SHA-256',
    );
    assert.equal(completed[0]!.location.url, `s3://${BUCKET}/${prefix}/${good}`);
    assert.equal(await headStatus(`${prefix}/${bad}`), 404);
    assert.deepEqual((await listed(prefix)).objects, [good, `${good}.done.json`]);
  });

  test("a crash between completing and checking: the client's repeated last request is checked first", async (t) => {
    const { store, prefix, reopen } = await fresh(t);
    // This instance's first sweep ran before the crash: only the client's request can find the upload.
    const { service, completed } = await serviceOver(store);
    t.after(() => service.close());
    const data = randomData(6 * MiB);
    const [bad, good] = await diedWhileChecking(await reopen(), data, [randomData(10), data]);
    const ask = (key: string) => {
      const body = new PassThrough();
      body.end();
      return service.append(key, { ...appendOf(data.length, Buffer.alloc(0), data.length), body });
    };
    await assert.rejects(ask(bad!), { code: 'repr-mismatch' });
    assert.equal(await headStatus(`${prefix}/${bad}`), 404);
    const answer = await ask(good!);
    assert.deepEqual(answer, {
      offset: data.length,
      size: data.length,
      complete: true,
      answered: true,
      sha256: hex(data),
    });
    assert.deepEqual(
      completed.map((c) => c.sha256),
      [hex(data)],
    );
    assert.deepEqual((await listed(prefix)).objects, [good, `${good}.done.json`]);
  });

  test('the check streams the object: a 64 MiB read-back holds far less than the object in memory', async (t) => {
    const { store } = await fresh(t);
    const data = randomData(64 * MiB);
    const key = await created(store, data.length, data);
    await store.complete(key);
    setFlagsFromString('--expose-gc');
    setFlagsFromString('--no-concurrent-array-buffer-sweeping');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }, 5);
    const started = performance.now();
    const digest = await store.digestComplete(key, 'sha256').finally(() => clearInterval(sampler));
    const ms = performance.now() - started;
    assert.equal(digest.toString('hex'), hex(data));
    console.log(
      `S3Store.digestComplete: 64 MiB in ${ms.toFixed(0)} ms, peak +${(peak / MiB).toFixed(2)} MiB of buffers`,
    );
    assert.ok(peak < 8 * MiB, `buffers grew by ${(peak / MiB).toFixed(2)} MiB while reading 64 MiB back`);
  });
});
