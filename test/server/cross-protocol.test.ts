import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import type { CompletedUpload } from '../../src/server/index.js';
import type { RequestOptions } from './helpers.js';
import { randomData, request, sha256 } from './helpers.js';
import { KINDS, idOf, startWith } from './protocol-servers.js';

const TUS = { 'Tus-Resumable': '1.0.0' };
const OCTETS = 'application/offset+octet-stream';
const IETF = { 'Upload-Draft-Interop-Version': '8' };
const PARTIAL = 'application/partial-upload';

const send = (url: string, method: string, headers: OutgoingHttpHeaders, rest: RequestOptions = {}) =>
  request(url, { method, headers, ...rest });

/** The comma list of a header, lower-cased, for membership tests. */
const list = (value: string | string[] | undefined): string[] =>
  String(value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase());

for (const kind of KINDS) {
  describe(`tus and IETF share one namespace, through the ${kind} handler`, () => {
    test('an upload created with tus is resumed with IETF HEAD and PATCH', async () => {
      const completed: CompletedUpload[] = [];
      const s = await startWith(kind, { onComplete: (info) => void completed.push(info) });
      const data = randomData(30_000);
      const created = await send(s.files, 'POST', { ...TUS, 'Upload-Length': String(data.length) });
      const url = new URL(created.headers.location!, s.files).href;
      const first = data.subarray(0, 12_000);
      const part = await send(
        url,
        'PATCH',
        { ...TUS, 'Content-Type': OCTETS, 'Upload-Offset': '0' },
        { body: first },
      );
      assert.equal(part.status, 204);

      const status = await send(url, 'HEAD', IETF);
      assert.equal(status.status, 204);
      assert.deepEqual(
        [status.headers['upload-offset'], status.headers['upload-length'], status.headers['upload-complete']],
        ['12000', '30000', '?0'],
      );
      const headers = { ...IETF, 'Content-Type': PARTIAL, 'Upload-Offset': '12000', 'Upload-Complete': '?1' };
      const rest = await send(url, 'PATCH', headers, { body: data.subarray(12_000) });
      assert.equal(rest.headers['upload-complete'], '?1', rest.text);

      assert.deepEqual(
        completed.map((c) => c.fileId),
        [idOf(created.headers.location)],
      );
      assert.equal(sha256(await readFile(completed[0].path!)), sha256(data));
      assert.equal((await send(url, 'HEAD', TUS)).headers['upload-offset'], '30000');
    });

    test('an upload created with IETF is resumed with tus HEAD and PATCH', async () => {
      const completed: CompletedUpload[] = [];
      const s = await startWith(kind, { onComplete: (info) => void completed.push(info) });
      const data = randomData(30_000);
      const created = await send(
        s.files,
        'POST',
        { ...IETF, 'Upload-Complete': '?0' },
        { body: data.subarray(0, 10_000) },
      );
      assert.equal(created.status, 201, created.text);
      const url = new URL(created.headers.location!, s.files).href;

      const status = await send(url, 'HEAD', TUS);
      assert.equal(status.status, 200);
      assert.deepEqual(
        [status.headers['upload-offset'], status.headers['upload-defer-length']],
        ['10000', '1'],
      );
      const rest = await send(
        url,
        'PATCH',
        { ...TUS, 'Content-Type': OCTETS, 'Upload-Offset': '10000', 'Upload-Length': '30000' },
        { body: data.subarray(10_000) },
      );
      assert.deepEqual([rest.status, rest.headers['upload-offset']], [204, '30000']);
      assert.equal(completed.length, 1);
      assert.equal(sha256(await readFile(completed[0].path!)), sha256(data));
      assert.equal((await send(url, 'HEAD', IETF)).headers['upload-complete'], '?1');
    });
  });

  describe(`CORS for the files endpoint, through the ${kind} handler`, () => {
    const origin = 'https://app.example';

    test('answers let a page read Location, offsets, lengths, limits and the Tus-* headers', async () => {
      const s = await startWith(kind, { corsOrigin: origin });
      const replies = [
        await send(s.files, 'POST', { ...TUS, Origin: origin, 'Upload-Length': '5' }),
        await send(s.files, 'POST', { ...IETF, Origin: origin, 'Upload-Complete': '?0' }),
      ];
      for (const reply of replies) {
        assert.equal(reply.status, 201, reply.text);
        assert.equal(reply.headers['access-control-allow-origin'], origin);
        const exposed = list(reply.headers['access-control-expose-headers']);
        for (const name of [
          'Location',
          'Upload-Offset',
          'Upload-Length',
          'Upload-Complete',
          'Upload-Limit',
          'Upload-Expires',
          'Tus-Resumable',
          'Tus-Version',
          'Tus-Extension',
          'Tus-Max-Size',
        ]) {
          assert.ok(exposed.includes(name.toLowerCase()), `${name} exposed`);
        }
      }
    });

    test('a preflight to the endpoint or an upload allows the methods and every protocol header', async () => {
      const s = await startWith(kind, { corsOrigin: origin });
      const created = await send(s.files, 'POST', { ...TUS, 'Upload-Length': '5' });
      for (const url of [s.files, new URL(created.headers.location!, s.files).href]) {
        const reply = await send(url, 'OPTIONS', {
          Origin: origin,
          'Access-Control-Request-Method': 'PATCH',
          'Access-Control-Request-Headers': 'upload-offset,upload-complete,content-type',
        });
        assert.ok(reply.status === 204 || reply.status === 200, `${reply.status} ${reply.text}`);
        assert.equal(reply.headers['access-control-allow-origin'], origin);
        const methods = list(reply.headers['access-control-allow-methods']);
        for (const method of ['POST', 'PATCH', 'HEAD', 'DELETE']) {
          assert.ok(methods.includes(method.toLowerCase()), `${method} allowed at ${url}`);
        }
        const allowed = list(reply.headers['access-control-allow-headers']);
        for (const name of [
          'Tus-Resumable',
          'Upload-Length',
          'Upload-Defer-Length',
          'Upload-Metadata',
          'Upload-Offset',
          'Upload-Checksum',
          'Upload-Draft-Interop-Version',
          'Upload-Complete',
          'Content-Digest',
          'Content-Type',
          'X-HTTP-Method-Override',
          'X-Request-ID',
        ]) {
          assert.ok(allowed.includes(name.toLowerCase()), `${name} allowed at ${url}`);
        }
      }
    });
  });
}
