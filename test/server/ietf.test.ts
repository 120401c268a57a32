import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CompletedUpload } from '../../src/server/index.js';
import type { Reply, RequestOptions } from './helpers.js';
import { openRequest, randomData, request, sha256 } from './helpers.js';
import type { ProtocolServer } from './protocol-servers.js';
import { KINDS, ageUpload, defined, filesKeyOf, idOf, startWith } from './protocol-servers.js';

const PARTIAL = 'application/partial-upload';
const PROBLEMS = 'https://iana.org/assignments/http-problem-types#';
/** 8: the newest drafts (-09 to -11); 6: what tus-js-client's 'ietf-draft-05' sends. */
const VERSIONS = [8, 6] as const;

interface Problem {
  type: string;
  title: string;
  status: number;
  [member: string]: unknown;
}

/** An RFC 9457 document with the answer's status; a 5xx or a non-problem body fails the test. */
function problemOf(reply: Reply, status: number, what: string): Problem {
  assert.equal(reply.status, status, `${what}: ${reply.text}`);
  assert.equal(reply.headers['content-type'], 'application/problem+json', what);
  const problem = JSON.parse(reply.text) as Problem;
  assert.equal(problem.status, status, what);
  assert.equal(typeof problem.type, 'string', what);
  assert.ok(typeof problem.title === 'string' && problem.title.length > 0, what);
  return problem;
}

function client(s: ProtocolServer, version: number) {
  const send = (url: string, method: string, headers: OutgoingHttpHeaders = {}, rest: RequestOptions = {}) =>
    request(url, {
      method,
      ...rest,
      headers: defined({ 'Upload-Draft-Interop-Version': String(version), ...headers }),
    });
  const create = async (complete: boolean, body?: Buffer, headers: OutgoingHttpHeaders = {}) => {
    const reply = await send(
      s.files,
      'POST',
      { 'Upload-Complete': complete ? '?1' : '?0', ...headers },
      { body },
    );
    assert.ok(reply.status >= 200 && reply.status < 300, `create: ${reply.status} ${reply.text}`);
    const location = reply.headers.location!;
    return { reply, url: new URL(location, s.files).href, id: idOf(location) };
  };
  const append = (url: string, offset: number, body: Buffer | string, complete: boolean, headers = {}) =>
    send(
      url,
      'PATCH',
      {
        'Content-Type': PARTIAL,
        'Upload-Offset': String(offset),
        'Upload-Complete': complete ? '?1' : '?0',
        ...headers,
      },
      { body },
    );
  const head = (url: string, headers: OutgoingHttpHeaders = {}) => send(url, 'HEAD', headers);
  return { send, create, append, head };
}

const limitName = (version: number): string => (version >= 7 ? 'max-age' : 'expires');
const contentDigest = (data: Buffer): string =>
  `sha-256=:${createHash('sha256').update(data).digest('base64')}:`;
const offsetOf = (headers: IncomingHttpHeaders): number => Number(headers['upload-offset']);

for (const kind of KINDS) {
  for (const version of VERSIONS) {
    describe(`IETF resumable uploads, interop ${version}, through the ${kind} handler`, () => {
      test('empty creation, HEAD, PATCH ?0 then ?1: stored byte for byte, onComplete once', async () => {
        const completed: CompletedUpload[] = [];
        const s = await startWith(kind, { maxSize: 1e6, onComplete: (info) => void completed.push(info) });
        const { create, append, head } = client(s, version);
        const data = randomData(50_000);
        const up = await create(false);
        assert.equal(up.reply.status, 201);
        assert.match(up.reply.headers.location!, /^\/files\/[A-Za-z0-9_-]+$/);
        assert.equal(up.reply.headers['upload-offset'], '0');
        assert.equal(up.reply.headers['upload-complete'], '?0');
        assert.match(
          String(up.reply.headers['upload-limit']),
          new RegExp(`max-size=1000000.*${limitName(version)}=\\d+`),
        );

        const first = await head(up.url);
        assert.equal(first.status, 204);
        assert.equal(first.headers['upload-offset'], '0');
        assert.equal(first.headers['upload-complete'], '?0');
        assert.equal(first.headers['upload-length'], undefined); // nobody has said it yet
        assert.match(String(first.headers['upload-limit']), new RegExp(`\\b${limitName(version)}=\\d+`));
        assert.equal(first.headers['cache-control'], 'no-store');
        assert.equal(first.headers['content-length'], undefined); // RFC 9110: never on a 204

        const part = await append(up.url, 0, data.subarray(0, 20_000), false);
        assert.ok(part.status >= 200 && part.status < 300, part.text);
        assert.deepEqual([part.headers['upload-complete'], part.headers['upload-offset']], ['?0', '20000']);
        assert.equal(offsetOf((await head(up.url)).headers), 20_000);
        assert.equal(completed.length, 0);
        const last = await append(up.url, 20_000, data.subarray(20_000), true);
        assert.ok(last.status >= 200 && last.status < 300, last.text);
        assert.equal(last.headers['upload-complete'], '?1');

        assert.deepEqual(
          completed.map((c) => [c.fileId, c.size, c.metadata]),
          [[up.id, data.length, undefined]],
        );
        assert.equal(sha256(await readFile(join(s.dir, 'complete', filesKeyOf(up.id)))), sha256(data));
        const done = await head(up.url);
        assert.equal(done.headers['upload-complete'], '?1');
        assert.deepEqual([offsetOf(done.headers), done.headers['upload-length']], [data.length, '50000']);
      });

      test('HEAD tells Upload-Length once creation stated it', async () => {
        const s = await startWith(kind);
        const { create, head } = client(s, version);
        const up = await create(false, Buffer.from('abc'), { 'Upload-Length': '10' });
        assert.equal(up.reply.headers['upload-offset'], '3');
        const reply = await head(up.url);
        assert.deepEqual([reply.headers['upload-offset'], reply.headers['upload-length']], ['3', '10']);
      });

      test('a creation carrying the whole file and Upload-Complete: ?1 completes in one request', async () => {
        const completed: CompletedUpload[] = [];
        const s = await startWith(kind, { onComplete: (info) => void completed.push(info) });
        const data = randomData(70_000);
        const up = await client(s, version).create(true, data);
        assert.equal(up.reply.headers['upload-complete'], '?1');
        assert.equal(completed.length, 1);
        assert.equal(completed[0].fileId, up.id);
        assert.equal(sha256(await readFile(completed[0].path!)), sha256(data));
      });

      test('a method the collection or an upload does not take is 405 with Allow; an empty owner is 401', async () => {
        const s = await startWith(kind, { owner: (header) => header('x-user') ?? null });
        const { create, send, head } = client(s, version);
        const alice = { 'X-User': 'alice' };
        const up = await create(false, Buffer.from('abc'), alice);
        const onCollection = await send(s.files, 'PATCH', alice);
        problemOf(onCollection, 405, 'PATCH on the collection');
        assert.equal(onCollection.headers.allow, 'POST, OPTIONS');
        const onUpload = await send(up.url, 'PUT', alice);
        problemOf(onUpload, 405, 'PUT on an upload');
        assert.equal(onUpload.headers.allow, 'HEAD, GET, PATCH, DELETE, OPTIONS');
        problemOf(await send(up.url, 'GET', { 'X-User': '' }), 401, 'an empty owner');
        assert.equal((await head(up.url, alice)).headers['upload-offset'], '3');
      });

      test('DELETE answers 204; then the upload is 404, and so is a second DELETE', async () => {
        const s = await startWith(kind);
        const { create, send, head } = client(s, version);
        const up = await create(false, Buffer.from('abc'));
        assert.equal((await send(up.url, 'DELETE')).status, 204);
        assert.equal((await head(up.url)).status, 404);
        problemOf(await send(up.url, 'DELETE'), 404, 'second DELETE');
      });

      test('Content-Digest: a matching body is kept, a mismatching one not at all', async () => {
        const s = await startWith(kind);
        const { create, append, head } = client(s, version);
        const [a, b] = [randomData(4000), randomData(4000)];
        const up = await create(false);
        const ok = await append(up.url, 0, a, false, { 'Content-Digest': contentDigest(a) });
        assert.equal(offsetOf(ok.headers), 4000);
        const bad = await append(up.url, 4000, b, true, { 'Content-Digest': contentDigest(a) });
        problemOf(bad, 400, 'digest mismatch');
        assert.equal(offsetOf((await head(up.url)).headers), 4000);
        const stored = await readFile(join(s.dir, 'partial', filesKeyOf(up.id)));
        assert.ok(stored.equals(a));
      });

      if (kind === 'node') {
        // Only node:http can send a 1xx before the final answer: Fetch runtimes (a Response is final) cannot.
        test('104 Upload Resumption Supported names the final Location and the interop version', async () => {
          const s = await startWith(kind);
          const data = randomData(10_000);
          const { req, response } = openRequest(s.files, 'POST', {
            'Upload-Draft-Interop-Version': String(version),
            'Upload-Complete': '?1',
            'Content-Length': String(data.length),
          });
          const interims: Array<{ statusCode: number; headers: IncomingHttpHeaders }> = [];
          req.on('information', (info) => interims.push(info));
          req.end(data);
          const final = await response; // 'information' events come before the final response
          assert.equal(interims.length, 1, 'one 104 before the final answer');
          const [info] = interims;
          assert.equal(info.statusCode, 104);
          assert.equal(final.status, 201);
          assert.equal(info.headers.location, final.headers.location);
          assert.equal(info.headers['upload-draft-interop-version'], String(version));
        });

        test('no 104 before an empty creation, nor through a proxy that names itself', async () => {
          const s = await startWith(kind);
          const cases: Array<[string, Record<string, string>, Buffer]> = [
            ['an empty creation', { 'Upload-Complete': '?0', 'Content-Length': '0' }, Buffer.alloc(0)],
            ['behind a proxy', { 'Upload-Complete': '?1', 'X-Forwarded-For': '192.0.2.1' }, randomData(1000)],
            ['via a proxy', { 'Upload-Complete': '?1', Via: '1.1 edge' }, randomData(1000)],
          ];
          for (const [what, headers, data] of cases) {
            const { req, response } = openRequest(s.files, 'POST', {
              'Upload-Draft-Interop-Version': String(version),
              'Content-Length': String(data.length),
              ...headers,
            });
            let interims = 0;
            req.on('information', () => interims++);
            req.end(data);
            assert.equal((await response).status, 201, what);
            assert.equal(interims, 0, what);
          }
        });
      }
    });

    describe(`IETF bad input, interop ${version}, through the ${kind} handler: problems, never a 5xx`, () => {
      test('a wrong offset is 409 mismatching-upload-offset with both offsets', async () => {
        const s = await startWith(kind);
        const { create, append, head } = client(s, version);
        const up = await create(false, Buffer.from('abcde'));
        for (const [provided, complete] of [
          [3, false],
          [9, false],
          [2, true],
        ] as const) {
          const reply = await append(up.url, provided, 'xyz', complete);
          const problem = problemOf(reply, 409, `offset ${provided}`);
          assert.equal(problem.type, `${PROBLEMS}mismatching-upload-offset`);
          assert.deepEqual([problem['expected-offset'], problem['provided-offset']], [5, provided]);
          assert.deepEqual([reply.headers['upload-offset'], reply.headers['upload-complete']], ['5', '?0']);
        }
        assert.equal(offsetOf((await head(up.url)).headers), 5);
      });

      test('a final body from a wrong offset is a 409, not a length problem: the offset is what helps', async () => {
        const s = await startWith(kind);
        const { create, append } = client(s, version);
        const up = await create(false, Buffer.from('abcde'), { 'Upload-Length': '10' });
        // It would end the upload at 2 + 3 = 5 bytes of 10: from the right offset that is a length problem.
        const reply = await append(up.url, 2, 'xyz', true);
        const problem = problemOf(reply, 409, 'final body at a stale offset');
        assert.deepEqual([problem['expected-offset'], problem['provided-offset']], [5, 2]);
      });

      test('a length that disagrees with the content or the recorded length is 400', async () => {
        const s = await startWith(kind);
        const { send, create, append, head } = client(s, version);
        const type = version >= 7 ? `${PROBLEMS}inconsistent-upload-length` : 'about:blank';
        const post = await send(
          s.files,
          'POST',
          { 'Upload-Complete': '?1', 'Upload-Length': '10' },
          { body: 'abc' },
        );
        assert.equal(problemOf(post, 400, 'POST length vs content').type, type);
        const up = await create(false, Buffer.from('abc'), { 'Upload-Length': '10' });
        const other = await append(up.url, 3, 'def', false, { 'Upload-Length': '11' });
        assert.equal(problemOf(other, 400, 'PATCH length vs recorded').type, type);
        const short = await append(up.url, 3, 'def', true);
        assert.equal(problemOf(short, 400, 'PATCH ?1 ends before the length').type, type);
        assert.equal(offsetOf((await head(up.url)).headers), 3);
      });

      test('appending to a completed upload is 400, and changes nothing', async () => {
        const completed: CompletedUpload[] = [];
        const s = await startWith(kind, { onComplete: (info) => void completed.push(info) });
        const { create, append } = client(s, version);
        const up = await create(true, Buffer.from('abc'));
        const more = await append(up.url, 3, 'def', true);
        const problem = problemOf(more, 400, 'append after completion');
        const types =
          version >= 7 ? ['inconsistent-upload-length'] : ['completed-upload', 'inconsistent-upload-length'];
        assert.ok(
          types.some((t) => problem.type === `${PROBLEMS}${t}`),
          problem.type,
        );
        assert.equal(completed.length, 1);
        assert.equal((await readFile(completed[0].path!)).toString(), 'abc');
      });

      test('a missing or malformed Upload-Complete is 400', async () => {
        const s = await startWith(kind);
        const { send, create, append } = client(s, version);
        const up = await create(false);
        for (const value of [undefined, 'true', '?2', '1', '?true', '']) {
          const post = await send(s.files, 'POST', { 'Upload-Complete': value }, { body: 'abc' });
          problemOf(post, 400, `POST Upload-Complete ${value}`);
          const patch = await append(up.url, 0, 'abc', false, { 'Upload-Complete': value });
          problemOf(patch, 400, `PATCH Upload-Complete ${value}`);
        }
      });

      test('PATCH without application/partial-upload is 415', async () => {
        const s = await startWith(kind);
        const { create, append } = client(s, version);
        const up = await create(false);
        for (const type of [undefined, 'application/offset+octet-stream', 'application/octet-stream']) {
          problemOf(await append(up.url, 0, 'abc', false, { 'Content-Type': type }), 415, `type ${type}`);
        }
      });

      test('an unknown interop version is 400, whatever the method', async () => {
        const s = await startWith(kind);
        const up = await client(s, version).create(false);
        for (const v of ['99', 'abc', '8.0', '0x8', '-8', '']) {
          const { send } = client(s, 0);
          const headers = { 'Upload-Draft-Interop-Version': v, 'Upload-Complete': '?0' };
          problemOf(await send(s.files, 'POST', headers), 400, `POST version ${v}`);
          problemOf(await send(up.url, 'PATCH', { ...headers, 'Content-Type': PARTIAL }), 400, `PATCH ${v}`);
          assert.equal((await send(up.url, 'HEAD', headers)).status, 400, `HEAD version ${v}`);
        }
      });

      test('unknown and expired uploads are 404 and 410', async () => {
        const s = await startWith(kind, { expireAfter: 60_000 });
        const { create, append, head } = client(s, version);
        const unknown = new URL('AAAAAAAAAAAAAAAAAAAAAA', s.files).href;
        assert.equal((await head(unknown)).status, 404);
        problemOf(await append(unknown, 0, 'abc', false), 404, 'PATCH unknown');
        problemOf(await append(new URL('bad.id', s.files).href, 0, 'a', false), 404, 'bad id');
        const up = await create(false);
        await ageUpload(s.dir, up.id);
        problemOf(await append(up.url, 0, 'abc', false), 410, 'PATCH expired');
        const other = await create(false, Buffer.from('abc'));
        await ageUpload(s.dir, other.id);
        assert.equal((await head(other.url)).status, 410);
      });

      test('a length over maxSize is 413 before anything is stored', async () => {
        const s = await startWith(kind, { maxSize: 1000 });
        const { send } = client(s, version);
        const stated = await send(s.files, 'POST', { 'Upload-Complete': '?0', 'Upload-Length': '1001' });
        problemOf(stated, 413, 'Upload-Length over maxSize');
        const body = await send(s.files, 'POST', { 'Upload-Complete': '?1' }, { body: randomData(1001) });
        problemOf(body, 413, 'complete body over maxSize');
      });

      test('numbers that are not sf-integers are 400', async () => {
        const s = await startWith(kind);
        const { send, create, append, head } = client(s, version);
        const up = await create(false);
        for (const n of ['-1', '1.5', '9007199254740993', '1e3', '0x10', 'ten']) {
          problemOf(await append(up.url, 0, 'abc', false, { 'Upload-Offset': n }), 400, `Upload-Offset ${n}`);
          problemOf(await append(up.url, 0, 'abc', false, { 'Upload-Length': n }), 400, `PATCH length ${n}`);
          const post = await send(s.files, 'POST', { 'Upload-Complete': '?0', 'Upload-Length': n });
          problemOf(post, 400, `POST Upload-Length ${n}`);
        }
        problemOf(await append(up.url, 0, 'abc', false, { 'Upload-Offset': undefined }), 400, 'no offset');
        assert.equal((await head(up.url, { 'Upload-Offset': '0' })).status, 400); // offset requests carry none
        assert.equal(offsetOf((await head(up.url)).headers), 0);
      });
    });
  }
}
