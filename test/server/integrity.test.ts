// End-to-end integrity on the server, per protocol: it asks for digests (Want-*-Digest, tus checksums),
// keeps no byte of a body whose digest is wrong (and says why in one line), checks the whole stored file
// against Repr-Digest before completing, echoes the SHA-256 it checked and hands it to onComplete. A
// client that sends no digests (the article's, tus-js-client) still completes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CompletedUpload } from '../../src/server/index.js';
import type { Reply } from './helpers.js';
import { keyOf, randomData, request, sha256, start } from './helpers.js';
import { filesKeyOf, idOf } from './protocol-servers.js';

const b64 = (data: Buffer): string => createHash('sha256').update(data).digest('base64');
const field = (data: Buffer): string => `sha-256=:${b64(data)}:`;
/** A digest of other bytes: what a body damaged on the way no longer matches. */
const wrong = (data: Buffer): string => field(Buffer.concat([data, Buffer.from([0])]));

async function server() {
  const completed: CompletedUpload[] = [];
  const s = await start({ port: 0, onComplete: (info) => void completed.push(info) });
  return { ...s, completed, stored: (key: string) => readFile(join(s.dir, 'complete', key)) };
}

/** One line, naming the field that did not match. */
function oneLineReason(reply: Reply, status: number, name: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.text, new RegExp(name));
  assert.doesNotMatch(reply.text, /\n/);
}

describe('integrity: status-upload (the article protocol)', () => {
  const id = 'integrity.bin';
  const data = randomData(300_000);
  const [a, b] = [data.subarray(0, 100_000), data.subarray(100_000)];
  const post = (url: string, at: number, body: Buffer, headers: OutgoingHttpHeaders = {}) =>
    request(`${url}/upload`, {
      method: 'POST',
      headers: {
        'X-File-Id': id,
        'X-Start-Byte': String(at),
        'X-File-Size': String(data.length),
        ...headers,
      },
      body,
    });
  const status = async (url: string) => request(`${url}/status`, { headers: { 'X-File-Id': id } });

  test('status asks for both digests; a damaged body is refused 409 and nothing of it kept', async () => {
    const s = await server();
    const st = await status(s.url);
    assert.equal(st.headers['want-content-digest'], 'sha-256=10');
    assert.equal(st.headers['want-repr-digest'], 'sha-256=10');
    assert.equal((await post(s.url, 0, a, { 'Content-Digest': field(a) })).text, '100000');
    const bad = await post(s.url, 100_000, b, { 'Content-Digest': wrong(b) });
    oneLineReason(bad, 409, 'Content-Digest');
    assert.match(bad.text, /100000 bytes stored/);
    assert.equal((await status(s.url)).text, '100000');
    const done = await post(s.url, 100_000, b, { 'Content-Digest': field(b), 'Repr-Digest': field(data) });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.headers['repr-digest'], field(data));
    assert.equal(sha256(await s.stored(keyOf(id))), sha256(data));
    assert.equal(s.completed.length, 1);
    assert.equal(s.completed[0].sha256, sha256(data));
  });

  test('a wrong Repr-Digest on the last body: nothing completes, the upload starts over', async () => {
    const s = await server();
    await post(s.url, 0, a);
    const bad = await post(s.url, 100_000, b, { 'Repr-Digest': wrong(data) });
    oneLineReason(bad, 409, 'Repr-Digest');
    assert.equal((await status(s.url)).text, '0');
    assert.equal(s.completed.length, 0);
  });

  test("a client that sends no digests (the article's) completes as before, with no SHA-256 claimed", async () => {
    const s = await server();
    assert.equal((await post(s.url, 0, a)).text, '100000');
    const done = await post(s.url, 100_000, b);
    assert.equal(done.text, String(data.length));
    assert.equal(done.headers['repr-digest'], undefined);
    assert.equal(sha256(await s.stored(keyOf(id))), sha256(data));
    assert.equal(s.completed[0].sha256, undefined);
  });
});

describe('integrity: tus', () => {
  const data = randomData(200_000);
  const [a, b] = [data.subarray(0, 80_000), data.subarray(80_000)];
  const TUS = { 'Tus-Resumable': '1.0.0' };
  async function create(files: string) {
    const r = await request(files, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': String(data.length) },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['want-repr-digest'], 'sha-256=10');
    return { url: new URL(r.headers.location!, files).href, id: idOf(r.headers.location) };
  }
  const patch = (url: string, at: number, body: Buffer, headers: OutgoingHttpHeaders = {}) =>
    request(url, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(at),
        ...headers,
      },
      body,
    });
  const checksum = (body: Buffer) => `sha256 ${b64(body)}`;
  const head = (url: string) => request(url, { method: 'HEAD', headers: TUS });

  test('OPTIONS offers sha256 checksums and asks for Repr-Digest', async () => {
    const s = await server();
    const r = await request(`${s.url}/files/`, { method: 'OPTIONS' });
    assert.match(String(r.headers['tus-extension']), /\bchecksum\b/);
    assert.match(String(r.headers['tus-checksum-algorithm']), /\bsha256\b/);
    assert.equal(r.headers['want-repr-digest'], 'sha-256=10');
  });

  test('a wrong Upload-Checksum is 460 with nothing kept; the right one and Repr-Digest complete', async () => {
    const s = await server();
    const up = await create(`${s.url}/files/`);
    assert.equal((await patch(up.url, 0, a, { 'Upload-Checksum': checksum(a) })).status, 204);
    const bad = await patch(up.url, 80_000, b, { 'Upload-Checksum': checksum(a) });
    oneLineReason(bad, 460, 'Checksum mismatch');
    assert.equal((await head(up.url)).headers['upload-offset'], '80000');
    const done = await patch(up.url, 80_000, b, {
      'Upload-Checksum': checksum(b),
      'Repr-Digest': field(data),
    });
    assert.equal(done.status, 204, done.text);
    assert.equal(done.headers['repr-digest'], field(data));
    assert.equal(sha256(await s.stored(filesKeyOf(up.id))), sha256(data));
    assert.equal(s.completed[0].sha256, sha256(data));
  });

  test('a wrong Repr-Digest is 460 and removes the upload: HEAD answers 404, a new one is created', async () => {
    const s = await server();
    const up = await create(`${s.url}/files/`);
    await patch(up.url, 0, a);
    const bad = await patch(up.url, 80_000, b, { 'Repr-Digest': wrong(data) });
    oneLineReason(bad, 460, 'Repr-Digest');
    assert.equal((await head(up.url)).status, 404);
    assert.equal(s.completed.length, 0);
  });

  test('without checksums (tus-js-client) it completes, with no SHA-256 claimed', async () => {
    const s = await server();
    const up = await create(`${s.url}/files/`);
    await patch(up.url, 0, a);
    const done = await patch(up.url, 80_000, b);
    assert.equal(done.status, 204);
    assert.equal(done.headers['repr-digest'], undefined);
    assert.equal(s.completed[0].sha256, undefined);
  });
});

describe('integrity: IETF', () => {
  const data = randomData(150_000);
  const [a, b] = [data.subarray(0, 50_000), data.subarray(50_000)];
  const V = { 'Upload-Draft-Interop-Version': '8' };
  async function create(files: string) {
    const r = await request(files, { method: 'POST', headers: { ...V, 'Upload-Complete': '?0' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['want-content-digest'], 'sha-256=10');
    assert.equal(r.headers['want-repr-digest'], 'sha-256=10');
    return { url: new URL(r.headers.location!, files).href, id: idOf(r.headers.location) };
  }
  const patch = (url: string, at: number, body: Buffer, last: boolean, headers: OutgoingHttpHeaders = {}) =>
    request(url, {
      method: 'PATCH',
      headers: {
        ...V,
        'Content-Type': 'application/partial-upload',
        'Upload-Offset': String(at),
        'Upload-Complete': last ? '?1' : '?0',
        ...headers,
      },
      body,
    });
  function problem(reply: Reply, name: string): void {
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.headers['content-type'], 'application/problem+json');
    const doc = JSON.parse(reply.text) as { title: string; status: number };
    assert.equal(doc.status, 400);
    assert.match(doc.title, new RegExp(name));
  }

  test('a wrong Content-Digest is a problem with nothing kept; Repr-Digest checked and echoed', async () => {
    const s = await server();
    const up = await create(`${s.url}/files/`);
    assert.equal((await patch(up.url, 0, a, false, { 'Content-Digest': field(a) })).status, 204);
    problem(await patch(up.url, 50_000, b, true, { 'Content-Digest': wrong(b) }), 'Content-Digest');
    const head = await request(up.url, { method: 'HEAD', headers: V });
    assert.equal(head.headers['upload-offset'], '50000');
    assert.equal(head.headers['want-content-digest'], 'sha-256=10');
    const done = await patch(up.url, 50_000, b, true, {
      'Content-Digest': field(b),
      'Repr-Digest': field(data),
    });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.headers['repr-digest'], field(data));
    assert.equal(sha256(await s.stored(filesKeyOf(up.id))), sha256(data));
    assert.equal(s.completed[0].sha256, sha256(data));
  });

  test('a wrong Repr-Digest is a problem and removes the upload', async () => {
    const s = await server();
    const up = await create(`${s.url}/files/`);
    await patch(up.url, 0, a, false);
    problem(await patch(up.url, 50_000, b, true, { 'Repr-Digest': wrong(data) }), 'Repr-Digest');
    assert.equal((await request(up.url, { method: 'HEAD', headers: V })).status, 404);
    assert.equal(s.completed.length, 0);
  });
});
