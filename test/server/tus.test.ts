import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import type { OutgoingHttpHeaders } from 'node:http';
import type { CompletedUpload } from '../../src/server/index.js';
import type { RequestOptions } from './helpers.js';
import { listFiles, openRequest, randomData, request, sha256, tempDir, waitFor } from './helpers.js';
import type { ProtocolServer } from './protocol-servers.js';
import {
  KINDS,
  ageUpload,
  assertClientError,
  defined,
  filesKeyOf,
  idOf,
  startWith,
} from './protocol-servers.js';

const OCTETS = 'application/offset+octet-stream';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const digest = (algorithm: string, data: Buffer): string =>
  createHash(algorithm).update(data).digest('base64');

/** A tus request: Tus-Resumable on every one, as tus-js-client sends it; a header set to undefined is left out. */
const tus = (url: string, method: string, headers: OutgoingHttpHeaders = {}, rest: RequestOptions = {}) =>
  request(url, { method, ...rest, headers: defined({ 'Tus-Resumable': '1.0.0', ...headers }) });
const head = (url: string, headers: OutgoingHttpHeaders = {}) => tus(url, 'HEAD', headers);
const patch = (url: string, offset: number, body: Buffer | string, headers: OutgoingHttpHeaders = {}) =>
  tus(url, 'PATCH', { 'Content-Type': OCTETS, 'Upload-Offset': String(offset), ...headers }, { body });

/** POST to the creation endpoint; the upload's absolute URL and id. */
async function create(s: ProtocolServer, headers: OutgoingHttpHeaders, body?: Buffer) {
  const reply = await tus(s.files, 'POST', headers, { body });
  assert.equal(reply.status, 201, reply.text);
  const location = reply.headers.location!;
  return { reply, location, url: new URL(location, s.files).href, id: idOf(location) };
}

const offsetOf = async (url: string): Promise<number> => Number((await head(url)).headers['upload-offset']);

for (const kind of KINDS) {
  describe(`tus 1.0 through the ${kind} handler`, () => {
    test('OPTIONS tells the version, every extension, the size limit and the checksum algorithms', async () => {
      const s = await startWith(kind, { maxSize: 5000 });
      const reply = await request(s.files, { method: 'OPTIONS' }); // clients send no Tus-Resumable here
      assert.equal(reply.status, 204);
      assert.equal(reply.headers['tus-version'], '1.0.0');
      const extensions = String(reply.headers['tus-extension']).split(',');
      for (const name of ['creation', 'creation-with-upload', 'creation-defer-length', 'termination']) {
        assert.ok(extensions.includes(name), name);
      }
      assert.ok(extensions.includes('expiration') && extensions.includes('checksum'));
      assert.equal(reply.headers['tus-max-size'], '5000');
      const algorithms = String(reply.headers['tus-checksum-algorithm']).split(',');
      assert.ok(algorithms.includes('sha1') && algorithms.includes('sha256'));
      const unlimited = await startWith(kind);
      assert.equal(
        (await request(unlimited.files, { method: 'OPTIONS' })).headers['tus-max-size'],
        undefined,
      );
    });

    test('create, HEAD, PATCH to the end: stored byte for byte, onComplete once with id and metadata', async () => {
      const completed: CompletedUpload[] = [];
      const s = await startWith(kind, { mount: '/api', onComplete: (info) => void completed.push(info) });
      const data = randomData(100_000);
      const metadata = `filename ${b64('ünï côdé.bin')},filetype ${b64('video/mp4')},is_confidential`;
      const up = await create(s, { 'Upload-Length': String(data.length), 'Upload-Metadata': metadata });
      assert.match(up.location, /^\/api\/files\/[A-Za-z0-9_-]+$/);
      const expires = String(up.reply.headers['upload-expires']);
      assert.equal(new Date(expires).toUTCString(), expires);
      assert.ok(Date.parse(expires) > Date.now());

      const first = await head(up.url);
      assert.equal(first.status, 200);
      assert.equal(first.headers['upload-offset'], '0');
      assert.equal(first.headers['upload-length'], String(data.length));
      assert.equal(first.headers['upload-metadata'], metadata);
      assert.equal(first.headers['cache-control'], 'no-store');

      const part = await patch(up.url, 0, data.subarray(0, 40_000));
      assert.equal(part.status, 204);
      assert.equal(part.headers['content-length'], undefined); // RFC 9110: never on a 204
      assert.equal(part.headers['upload-offset'], '40000');
      assert.ok(part.headers['upload-expires']);
      assert.equal(await offsetOf(up.url), 40_000);
      assert.equal(completed.length, 0);
      const rest = await patch(up.url, 40_000, data.subarray(40_000));
      assert.deepEqual([rest.status, rest.headers['upload-offset']], [204, String(data.length)]);

      assert.equal(completed.length, 1);
      const [info] = completed;
      const path = join(s.dir, 'complete', filesKeyOf(up.id));
      assert.equal(info.fileId, up.id);
      assert.equal(info.size, data.length);
      assert.deepEqual(info.metadata, {
        filename: 'ünï côdé.bin',
        filetype: 'video/mp4',
        is_confidential: '',
      });
      assert.deepEqual([info.path, info.location.url], [path, pathToFileURL(path).href]);
      assert.equal(sha256(await readFile(path)), sha256(data));
      const done = await head(up.url);
      assert.equal(done.headers['upload-offset'], String(data.length));
      assert.equal(
        done.headers['upload-metadata'],
        metadata,
        'HEAD keeps answering the metadata once complete',
      );
    });

    test('creation-with-upload: the POST body is stored and its offset answered', async () => {
      const completed: CompletedUpload[] = [];
      const s = await startWith(kind, { onComplete: (info) => void completed.push(info) });
      const data = randomData(30_000);
      const headers = { 'Upload-Length': String(data.length), 'Content-Type': OCTETS };
      const part = await create(s, headers, data.subarray(0, 10_000));
      assert.equal(part.reply.headers['upload-offset'], '10000');
      assert.equal(await offsetOf(part.url), 10_000);

      const whole = await create(s, headers, data);
      assert.equal(whole.reply.headers['upload-offset'], String(data.length));
      assert.deepEqual(
        completed.map((c) => c.fileId),
        [whole.id],
      );
      assert.equal(sha256(await readFile(completed[0].path!)), sha256(data));
    });

    test('Upload-Length: 0 completes at creation', async () => {
      const completed: CompletedUpload[] = [];
      const s = await startWith(kind, { onComplete: (info) => void completed.push(info) });
      const up = await create(s, { 'Upload-Length': '0' });
      assert.deepEqual(
        completed.map((c) => [c.fileId, c.size]),
        [[up.id, 0]],
      );
      const status = await head(up.url);
      assert.deepEqual([status.headers['upload-offset'], status.headers['upload-length']], ['0', '0']);
    });

    test('Upload-Defer-Length: 1, then Upload-Length on a later PATCH', async () => {
      const completed: CompletedUpload[] = [];
      const s = await startWith(kind, { onComplete: (info) => void completed.push(info) });
      const data = randomData(20_000);
      const up = await create(s, { 'Upload-Defer-Length': '1' });
      const before = await head(up.url);
      assert.equal(before.headers['upload-defer-length'], '1');
      assert.equal(before.headers['upload-length'], undefined);
      assert.equal((await patch(up.url, 0, data.subarray(0, 5000))).headers['upload-offset'], '5000');
      const last = await patch(up.url, 5000, data.subarray(5000), { 'Upload-Length': String(data.length) });
      assert.deepEqual([last.status, last.headers['upload-offset']], [204, String(data.length)]);
      assert.equal(completed.length, 1);
      assert.equal((await head(up.url)).headers['upload-length'], String(data.length));
      assert.equal(sha256(await readFile(completed[0].path!)), sha256(data));
    });

    test('termination: DELETE answers 204, then the upload is 404, and so is a second DELETE', async () => {
      const s = await startWith(kind);
      const up = await create(s, { 'Upload-Length': '10' });
      await patch(up.url, 0, 'abcde');
      assert.equal((await tus(up.url, 'DELETE')).status, 204);
      assert.equal((await head(up.url)).status, 404);
      assert.equal((await tus(up.url, 'DELETE')).status, 404);
      const done = await create(s, { 'Upload-Length': '3', 'Content-Type': OCTETS }, Buffer.from('xyz'));
      assert.equal((await tus(done.url, 'DELETE')).status, 204);
      assert.deepEqual(await listFiles(s.dir), []);
    });

    test('Upload-Checksum: sha1 and sha256 that match are kept; a mismatch keeps nothing (460)', async () => {
      const s = await startWith(kind);
      const data = randomData(3000);
      const up = await create(s, { 'Upload-Length': String(data.length) });
      const [a, b, c] = [data.subarray(0, 1000), data.subarray(1000, 2000), data.subarray(2000)];
      const sha1 = await patch(up.url, 0, a, { 'Upload-Checksum': `sha1 ${digest('sha1', a)}` });
      assert.deepEqual([sha1.status, sha1.headers['upload-offset']], [204, '1000']);
      const bad = await patch(up.url, 1000, b, { 'Upload-Checksum': `sha256 ${digest('sha256', a)}` });
      assert.equal(bad.status, 460, bad.text);
      assert.equal(await offsetOf(up.url), 1000);
      assert.equal((await stat(join(s.dir, 'partial', filesKeyOf(up.id)))).size, 1000);
      const unknown = await patch(up.url, 1000, b, { 'Upload-Checksum': `crc99 ${digest('sha1', b)}` });
      assertClientError(unknown, 400, 'unknown checksum algorithm');
      assert.equal(await offsetOf(up.url), 1000);
      const withUpload = { 'Upload-Length': '3', 'Content-Type': OCTETS, 'Upload-Checksum': 'crc99 AAAA' };
      assertClientError(await tus(s.files, 'POST', withUpload, { body: 'abc' }), 400, 'creation, crc99');
      assert.equal((await listFiles(join(s.dir, 'partial'))).length, 2, 'no upload created by the 400');
      const sha256ok = await patch(up.url, 1000, b, { 'Upload-Checksum': `sha256 ${digest('sha256', b)}` });
      assert.deepEqual([sha256ok.status, sha256ok.headers['upload-offset']], [204, '2000']);
      assert.equal((await patch(up.url, 2000, c)).headers['upload-offset'], '3000');
    });

    test('a PATCH cut mid-body keeps the bytes that arrived, and HEAD tells where to resume', async () => {
      const s = await startWith(kind);
      const data = randomData(64 * 1024);
      const up = await create(s, { 'Upload-Length': String(data.length) });
      const cut = openRequest(up.url, 'PATCH', {
        'Tus-Resumable': '1.0.0',
        'Content-Type': OCTETS,
        'Upload-Offset': '0',
        'Content-Length': String(data.length),
      });
      cut.response.catch(() => undefined);
      cut.req.write(data.subarray(0, 24 * 1024));
      const partial = join(s.dir, 'partial', filesKeyOf(up.id));
      await waitFor(
        '24 KiB on disk',
        async () => ((await stat(partial).catch(() => undefined))?.size ?? 0) >= 24 * 1024 || undefined,
      );
      cut.req.destroy();
      await waitFor('HEAD to tell 24 KiB', async () => (await offsetOf(up.url)) === 24 * 1024 || undefined);
      const rest = await patch(up.url, 24 * 1024, data.subarray(24 * 1024));
      assert.equal(rest.headers['upload-offset'], String(data.length));
      assert.equal(sha256(await readFile(join(s.dir, 'complete', filesKeyOf(up.id)))), sha256(data));
    });

    test("another owner's upload is not found, whatever the method", async () => {
      const s = await startWith(kind, { owner: (header) => header('x-user') ?? null });
      const up = await create(s, { 'Upload-Length': '4', 'X-User': 'alice' });
      const bob = { 'X-User': 'bob' };
      assert.equal((await head(up.url, bob)).status, 404);
      assertClientError(await patch(up.url, 0, 'abcd', bob), 404, "bob's PATCH");
      assertClientError(await tus(up.url, 'DELETE', bob), 404, "bob's DELETE");
      assert.equal((await head(up.url, { 'X-User': 'alice' })).headers['upload-offset'], '0');
      assertClientError(await head(up.url), 401, 'no owner', true);
    });

    test('a method the collection or an upload does not take is 405 with Allow; an empty owner is 401', async () => {
      const s = await startWith(kind, { owner: (header) => header('x-user') ?? null });
      const alice = { 'X-User': 'alice' };
      const up = await create(s, { 'Upload-Length': '4', ...alice });
      const onCollection = await tus(s.files, 'PATCH', alice);
      assertClientError(onCollection, 405, 'PATCH on the collection');
      assert.equal(onCollection.headers.allow, 'POST, OPTIONS');
      const onUpload = await tus(up.url, 'PUT', alice);
      assertClientError(onUpload, 405, 'PUT on an upload');
      assert.equal(onUpload.headers.allow, 'HEAD, PATCH, DELETE, OPTIONS');
      assertClientError(await head(up.url, { 'X-User': '' }), 401, 'an empty owner', true);
    });

    test('X-HTTP-Method-Override turns a POST into a PATCH or a DELETE', async () => {
      const s = await startWith(kind);
      const up = await create(s, { 'Upload-Length': '6' });
      const override = { 'X-HTTP-Method-Override': 'PATCH', 'Content-Type': OCTETS, 'Upload-Offset': '0' };
      const patched = await tus(up.url, 'POST', override, { body: 'abc' });
      assert.deepEqual([patched.status, patched.headers['upload-offset']], [204, '3']);
      assert.equal((await tus(up.url, 'POST', { 'X-HTTP-Method-Override': 'DELETE' })).status, 204);
      assert.equal((await head(up.url)).status, 404);
    });
  });

  describe(`tus 1.0 bad input through the ${kind} handler: a 4xx with a reason, never a 5xx`, () => {
    test('a missing or other Tus-Resumable gets 412 with Tus-Version, and nothing is created', async () => {
      const s = await startWith(kind);
      const up = await create(s, { 'Upload-Length': '4' });
      for (const version of [undefined, '0.2.2', '1.0', '']) {
        const headers = { 'Tus-Resumable': version, 'Upload-Length': '4' };
        const attempts = [
          await request(s.files, { method: 'POST', headers: defined(headers) }),
          await request(up.url, {
            method: 'PATCH',
            headers: defined({ ...headers, 'Content-Type': OCTETS, 'Upload-Offset': '0' }),
            body: 'x',
          }),
          await request(up.url, { method: 'HEAD', headers: defined(headers) }),
        ];
        for (const [i, reply] of attempts.entries()) {
          assertClientError(reply, 412, `Tus-Resumable ${version} #${i}`, i === 2);
          assert.equal(reply.headers['tus-version'], '1.0.0');
        }
      }
      assert.equal((await listFiles(join(s.dir, 'partial'))).length, 1);
      assert.equal(await offsetOf(up.url), 0);
    });

    test('creation needs exactly one of Upload-Length and Upload-Defer-Length: 1', async () => {
      const s = await startWith(kind);
      for (const headers of [
        {},
        { 'Upload-Length': '5', 'Upload-Defer-Length': '1' },
        { 'Upload-Defer-Length': '2' },
        { 'Upload-Defer-Length': 'true' },
      ]) {
        assertClientError(await tus(s.files, 'POST', headers), 400, JSON.stringify(headers));
      }
      assert.deepEqual(await listFiles(s.dir), []);
    });

    test('numbers that are not plain decimal, or too big to be exact, are 400', async () => {
      const s = await startWith(kind);
      const up = await create(s, { 'Upload-Length': '10' });
      for (const n of [
        '-1',
        '1.5',
        '9007199254740993',
        '123456789012345678901',
        '0x10',
        '1e3',
        '+5',
        'ten',
      ]) {
        assertClientError(await tus(s.files, 'POST', { 'Upload-Length': n }), 400, `Upload-Length ${n}`);
        assertClientError(await patch(up.url, 0, 'abc', { 'Upload-Offset': n }), 400, `Upload-Offset ${n}`);
        const length = await patch(up.url, 0, 'abc', { 'Upload-Length': n });
        assertClientError(length, 400, `PATCH Upload-Length ${n}`);
      }
      assert.equal(await offsetOf(up.url), 0);
    });

    test('Upload-Metadata that is not "key base64" pairs is 400', async () => {
      const s = await startWith(kind);
      for (const metadata of [
        'filename !!!!',
        'filename abc',
        'filename dGVzdA== extra',
        `filename ${b64('a')},filename ${b64('b')}`,
        ',',
        'filename dG=VzdA=',
      ]) {
        const reply = await tus(s.files, 'POST', { 'Upload-Length': '1', 'Upload-Metadata': metadata });
        assertClientError(reply, 400, `metadata ${metadata}`);
      }
      assert.deepEqual(await listFiles(s.dir), []);
    });

    test('PATCH: wrong or missing Content-Type is 415, a wrong offset 409, nothing written', async () => {
      const s = await startWith(kind);
      const up = await create(s, { 'Upload-Length': '10' });
      for (const type of [undefined, 'application/octet-stream', 'text/plain']) {
        assertClientError(await patch(up.url, 0, 'abc', { 'Content-Type': type }), 415, `type ${type}`);
      }
      await patch(up.url, 0, 'abc');
      const conflict = await patch(up.url, 1, 'bcd');
      assertClientError(conflict, 409, 'offset behind');
      assertClientError(await patch(up.url, 5, 'fgh'), 409, 'offset ahead');
      assertClientError(await tus(up.url, 'PATCH', { 'Content-Type': OCTETS }, { body: 'x' }), 400, 'none');
      assert.equal(await offsetOf(up.url), 3);
    });

    test('unknown, expired and malformed upload URLs are 404, 410 and 404', async () => {
      const s = await startWith(kind, { expireAfter: 60_000 });
      const unknown = new URL('AAAAAAAAAAAAAAAAAAAAAA', s.files).href;
      assert.equal((await head(unknown)).status, 404);
      assertClientError(await patch(unknown, 0, 'abc'), 404, 'PATCH unknown');
      for (const path of ['bad.id', 'a/b', '..%2F..%2Fetc%2Fpasswd', `${'x'.repeat(65)}`]) {
        assertClientError(await patch(new URL(path, s.files).href, 0, 'a'), 404, `path ${path}`);
      }
      const up = await create(s, { 'Upload-Length': '10' });
      await patch(up.url, 0, 'abc');
      await ageUpload(s.dir, up.id);
      assertClientError(await patch(up.url, 3, 'def'), 410, 'PATCH expired');
    });

    test('HEAD on an expired upload is 410', async () => {
      const s = await startWith(kind, { expireAfter: 60_000 });
      const up = await create(s, { 'Upload-Length': '10' });
      await ageUpload(s.dir, up.id);
      const reply = await head(up.url);
      assertClientError(reply, 410, 'HEAD expired', true);
      assert.equal(reply.headers['upload-offset'], undefined);
    });

    test('over maxSize is 413, and a body past Upload-Length is 413 with nothing past it kept', async () => {
      const s = await startWith(kind, { maxSize: 1000 });
      const big = await tus(s.files, 'POST', { 'Upload-Length': '1001' });
      assertClientError(big, 413, 'Upload-Length over maxSize');
      assert.equal(big.headers['tus-max-size'], '1000');
      const up = await create(s, { 'Upload-Length': '10' });
      await patch(up.url, 0, 'abcd');
      assertClientError(await patch(up.url, 4, 'efghijklmn'), 413, 'Content-Length past the end');
      const chunked = await tus(
        up.url,
        'PATCH',
        { 'Content-Type': OCTETS, 'Upload-Offset': '4' },
        { body: 'efghijklmn', chunked: true },
      );
      assertClientError(chunked, 413, 'chunked body past the end');
      assert.equal(await offsetOf(up.url), 4);
      assert.equal((await readFile(join(s.dir, 'partial', filesKeyOf(up.id)))).toString(), 'abcd');
    });

    test('nothing is stored outside dir, and only under names the server chose', async () => {
      // dir two levels down a folder of this test's own: a name climbing out of dir lands in it, and no
      // other test writes there (listing the shared temp folder raced with other tests' files).
      const parent = await tempDir();
      const dir = join(parent, 'up', 'store');
      await mkdir(dir, { recursive: true });
      const s = await startWith(kind, { dir });
      const evil = b64('../../evil');
      await tus(s.files, 'POST', { 'Upload-Length': '3', 'Upload-Metadata': `filename ${evil}` });
      await patch(new URL('..%2F..%2Fevil', s.files).href, 0, 'abc');
      const up = await create(s, { 'Upload-Length': '3', 'Content-Type': OCTETS }, Buffer.from('abc'));
      const files = (await listFiles(s.dir)).map((f) => f.slice(s.dir.length + 1));
      assert.ok(files.includes(`complete/${filesKeyOf(up.id)}`));
      for (const file of files) assert.match(file, /^(partial|complete)\/[0-9a-f]{64}(\.json)?$/);
      assert.deepEqual(
        (await listFiles(parent)).filter((f) => !f.startsWith(`${dir}/`)),
        [],
      );
    });
  });
}
