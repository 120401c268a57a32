// Every wire protocol completes uploads on the S3 store (Ceph RGW, started here), through the real handler.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CompletedUpload } from '../../src/server/index.js';
import { S3Store } from '../../src/server/stores/s3/store.js';
import { rgwSkip } from '../support/rgw.js';
import type { RunningRgw } from '../support/rgw.js';
import { rgwForSuite, s3StoreOptions } from '../support/rgw-suite.js';
import { getStatus, randomData, request, send, sha256, startHandler, uploadAll } from './helpers.js';

const MiB = 1024 * 1024;
const BUCKET = 'protocols';
/** A Repr-Digest / Content-Digest field of `data`'s SHA-256. */
const field = (data: Buffer): string => `sha-256=:${createHash('sha256').update(data).digest('base64')}:`;
/** A digest of other bytes: the one last byte differs. */
const wrong = (data: Buffer): string =>
  field(Buffer.concat([data.subarray(0, -1), Buffer.from([data.at(-1)! ^ 1])]));

describe('the three wire protocols on the S3 store (Ceph RGW)', { skip: rgwSkip() }, () => {
  let rgw: RunningRgw;
  let s3: S3Client;
  rgwForSuite(BUCKET, (r, c) => ([rgw, s3] = [r, c]));

  /** A handler over a fresh prefix with 5 MiB parts; what onComplete heard. */
  async function serve(): Promise<{ url: string; prefix: string; completed: CompletedUpload[] }> {
    const prefix = `p-${randomBytes(6).toString('hex')}`;
    const store = new S3Store(s3StoreOptions(rgw, BUCKET, prefix, { partSize: 5 * MiB }));
    after(() => store.close());
    const completed: CompletedUpload[] = [];
    const { url } = await startHandler({ store, onComplete: (info) => void completed.push(info) });
    return { url, prefix, completed };
  }

  /** The object onComplete named, and what else is left under the prefix. */
  async function stored(location: string, prefix: string) {
    const url = new URL(location);
    const out = await s3.send(
      new GetObjectCommand({ Bucket: url.host, Key: decodeURIComponent(url.pathname.slice(1)) }),
    );
    const bytes = Buffer.from(await out.Body!.transformToByteArray());
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    const names = (objects.Contents ?? []).map((o) =>
      o.Key!.slice(prefix.length + 1).replace(/^[0-9a-f]{64}/, 'KEY'),
    );
    return { bytes, names: names.sort(), uploads: uploads.Uploads?.length ?? 0 };
  }

  /** What is left under the prefix: object names and the number of multipart uploads. */
  async function leftovers(prefix: string) {
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    return { objects: (objects.Contents ?? []).map((o) => o.Key!), uploads: uploads.Uploads?.length ?? 0 };
  }

  test('status-upload: 3 MiB requests (staged, then parts) complete a 12 MiB upload', async () => {
    const { url, prefix, completed } = await serve();
    const data = randomData(12 * MiB + 5);
    await uploadAll(url, 'movie.mp4', data, 3 * MiB);
    assert.equal(completed.length, 1);
    const [done] = completed;
    assert.equal(done!.fileId, 'movie.mp4');
    assert.equal(done!.size, data.length);
    assert.equal(done!.location.store, 's3');
    assert.equal(done!.path, undefined);
    const { bytes, names, uploads } = await stored(done!.location.url, prefix);
    assert.equal(sha256(bytes), sha256(data));
    assert.deepEqual(names, ['KEY', 'KEY.done.json']);
    assert.equal(uploads, 0);
  });

  test('tus: creation, PATCHes with and without Upload-Checksum, HEAD offsets, completion', async () => {
    const { url, prefix, completed } = await serve();
    const data = randomData(11 * MiB);
    const tus = (target: string, method: string, headers: Record<string, string>, body?: Buffer) =>
      request(target, { method, headers: { 'Tus-Resumable': '1.0.0', ...headers }, body });
    const created = await tus(`${url}/files/`, 'POST', {
      'Upload-Length': String(data.length),
      'Upload-Metadata': `filename ${Buffer.from('clip.mov').toString('base64')}`,
    });
    assert.equal(created.status, 201, created.text);
    const upload = new URL(created.headers.location!, `${url}/files/`).href;
    const cuts = [0, 2 * MiB, 8 * MiB, data.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const piece = data.subarray(cuts[i], cuts[i + 1]);
      const checksum: Record<string, string> =
        i === 1 ? { 'Upload-Checksum': `sha256 ${createHash('sha256').update(piece).digest('base64')}` } : {};
      const reply = await tus(
        upload,
        'PATCH',
        { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(cuts[i]), ...checksum },
        piece,
      );
      assert.equal(reply.status, 204, reply.text);
      assert.equal(reply.headers['upload-offset'], String(cuts[i + 1]));
      const head = await tus(upload, 'HEAD', {});
      assert.equal(head.headers['upload-offset'], String(cuts[i + 1]));
    }
    assert.equal(completed.length, 1);
    assert.deepEqual(completed[0]!.metadata, { filename: 'clip.mov' });
    const { bytes, names, uploads } = await stored(completed[0]!.location.url, prefix);
    assert.equal(sha256(bytes), sha256(data));
    assert.deepEqual(names, ['KEY', 'KEY.done.json']);
    assert.equal(uploads, 0);
  });

  test('IETF resumable uploads: creation with a first part, appends, the last one completes', async () => {
    const { url, prefix, completed } = await serve();
    const data = randomData(9 * MiB + 77);
    const headers = { 'Upload-Draft-Interop-Version': '6' };
    const first = data.subarray(0, MiB);
    const created = await request(`${url}/files/`, {
      method: 'POST',
      headers: { ...headers, 'Upload-Complete': '?0' },
      body: first,
    });
    assert.ok(created.status >= 200 && created.status < 300, `${created.status} ${created.text}`);
    const upload = new URL(created.headers.location!, `${url}/files/`).href;
    const rest = [data.subarray(MiB, 6 * MiB), data.subarray(6 * MiB)];
    let offset = first.length;
    for (const [i, piece] of rest.entries()) {
      const last = i === rest.length - 1;
      const reply = await request(upload, {
        method: 'PATCH',
        headers: {
          ...headers,
          'Content-Type': 'application/partial-upload',
          'Upload-Offset': String(offset),
          'Upload-Complete': last ? '?1' : '?0',
        },
        body: piece,
      });
      assert.ok(reply.status >= 200 && reply.status < 300, `${reply.status} ${reply.text}`);
      offset += piece.length;
      const head = await request(upload, { method: 'HEAD', headers });
      assert.equal(head.headers['upload-offset'], String(offset));
    }
    assert.equal(completed.length, 1);
    assert.equal(completed[0]!.size, data.length);
    const { bytes, names, uploads } = await stored(completed[0]!.location.url, prefix);
    assert.equal(sha256(bytes), sha256(data));
    assert.deepEqual(names, ['KEY', 'KEY.done.json']);
    assert.equal(uploads, 0);
  });

  describe('Repr-Digest: the whole object is checked before onComplete and before the answer', () => {
    test('status-upload: a matching Repr-Digest on the last of 11 MiB answers 200 with the digest agreed', async () => {
      const { url, prefix, completed } = await serve();
      const data = randomData(11 * MiB + 9);
      const first = await send(url, 'whole.bin', 0, data.subarray(0, 6 * MiB), data.length);
      assert.equal(first.text, String(6 * MiB));
      const done = await send(url, 'whole.bin', 6 * MiB, data.subarray(6 * MiB), data.length, {
        'Repr-Digest': field(data),
      });
      assert.equal(done.status, 200, done.text);
      assert.equal(done.text, String(data.length));
      assert.equal(done.headers['repr-digest'], field(data));
      assert.equal(completed.length, 1);
      assert.equal(completed[0]!.sha256, sha256(data));
      const { bytes, names, uploads } = await stored(completed[0]!.location.url, prefix);
      assert.equal(sha256(bytes), sha256(data));
      assert.deepEqual(names, ['KEY', 'KEY.done.json']);
      assert.equal(uploads, 0);
    });

    test('status-upload: a wrong Repr-Digest is 409 in one line; the object is gone, the upload starts over', async () => {
      const { url, prefix, completed } = await serve();
      const data = randomData(11 * MiB + 9);
      await send(url, 'whole.bin', 0, data.subarray(0, 6 * MiB), data.length);
      const bad = await send(url, 'whole.bin', 6 * MiB, data.subarray(6 * MiB), data.length, {
        'Repr-Digest': wrong(data),
      });
      assert.equal(bad.status, 409, bad.text);
      assert.match(
        bad.text,
        /^Repr-Digest does not match the stored file: the upload was removed, send it again/,
      );
      assert.doesNotMatch(bad.text, /\n/);
      assert.equal(completed.length, 0);
      assert.equal(await getStatus(url, 'whole.bin'), 0);
      assert.deepEqual(await leftovers(prefix), { objects: [], uploads: 0 });
    });

    test('tus: Repr-Digest on the last PATCH: 204 with the digest agreed when it matches, 460 and 404 when not', async () => {
      const { url, prefix, completed } = await serve();
      const data = randomData(11 * MiB + 9);
      const TUS = { 'Tus-Resumable': '1.0.0' };
      const upload = async (repr: string) => {
        const created = await request(`${url}/files/`, {
          method: 'POST',
          headers: { ...TUS, 'Upload-Length': String(data.length) },
        });
        assert.equal(created.status, 201, created.text);
        const at = new URL(created.headers.location!, `${url}/files/`).href;
        const patch = (start: number, end: number, extra: Record<string, string> = {}) =>
          request(at, {
            method: 'PATCH',
            headers: {
              ...TUS,
              'Content-Type': 'application/offset+octet-stream',
              'Upload-Offset': String(start),
              ...extra,
            },
            body: data.subarray(start, end),
          });
        assert.equal((await patch(0, 6 * MiB)).status, 204);
        return { at, last: await patch(6 * MiB, data.length, { 'Repr-Digest': repr }) };
      };
      const bad = await upload(wrong(data));
      assert.equal(bad.last.status, 460, bad.last.text);
      assert.match(bad.last.text, /^Repr-Digest does not match the stored file[^\n]*$/);
      assert.equal((await request(bad.at, { method: 'HEAD', headers: TUS })).status, 404);
      assert.deepEqual(await leftovers(prefix), { objects: [], uploads: 0 });
      const good = await upload(field(data));
      assert.equal(good.last.status, 204, good.last.text);
      assert.equal(good.last.headers['repr-digest'], field(data));
      assert.deepEqual(
        completed.map((c) => c.sha256),
        [sha256(data)],
      );
      assert.equal(sha256((await stored(completed[0]!.location.url, prefix)).bytes), sha256(data));
    });

    const V = { 'Upload-Draft-Interop-Version': '8' };
    /** An IETF upload: created with its first 6 MiB, then the rest in one last PATCH with `repr`. */
    async function ietf(url: string, data: Buffer, repr: string) {
      const created = await request(`${url}/files/`, {
        method: 'POST',
        headers: { ...V, 'Upload-Complete': '?0' },
        body: data.subarray(0, 6 * MiB),
      });
      assert.equal(created.status, 201, created.text);
      const upload = new URL(created.headers.location!, `${url}/files/`).href;
      const last = await request(upload, {
        method: 'PATCH',
        headers: {
          ...V,
          'Content-Type': 'application/partial-upload',
          'Upload-Offset': String(6 * MiB),
          'Upload-Complete': '?1',
          'Repr-Digest': repr,
        },
        body: data.subarray(6 * MiB),
      });
      return { upload, last };
    }

    test('IETF: a matching Repr-Digest completes with 200 and the digest agreed', async () => {
      const { url, prefix, completed } = await serve();
      const data = randomData(11 * MiB + 9);
      const { last } = await ietf(url, data, field(data));
      assert.equal(last.status, 200, last.text);
      assert.equal(last.headers['repr-digest'], field(data));
      assert.equal(completed.length, 1);
      assert.equal(completed[0]!.sha256, sha256(data));
      const { bytes, names } = await stored(completed[0]!.location.url, prefix);
      assert.equal(sha256(bytes), sha256(data));
      assert.deepEqual(names, ['KEY', 'KEY.done.json']);
    });

    test('IETF: a wrong Repr-Digest is a problem+json; the upload answers 404 and nothing is left', async () => {
      const { url, prefix, completed } = await serve();
      const data = randomData(11 * MiB + 9);
      const { upload, last } = await ietf(url, data, wrong(data));
      assert.equal(last.status, 400, last.text);
      assert.equal(last.headers['content-type'], 'application/problem+json');
      const doc = JSON.parse(last.text) as { title: string; status: number };
      assert.equal(doc.status, 400);
      assert.match(doc.title, /^Repr-Digest does not match the stored file/);
      assert.equal(completed.length, 0);
      assert.equal((await request(upload, { method: 'HEAD', headers: V })).status, 404);
      assert.deepEqual(await leftovers(prefix), { objects: [], uploads: 0 });
    });
  });
});
