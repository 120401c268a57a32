// Parts of one body in flight at once (S3Store's partConcurrency): confirmed in order whatever order S3 answers
// in, a failed part leaving exactly the confirmed prefix, and a failed body's later parts never counted. Unit
// tests of the pieces, then the store on a real RGW with a proxy of ours in between that holds or fails parts.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { GetObjectCommand, ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { StoredPart } from '../../src/server/stores/s3/client.js';
import { progressOf, stagingMetadata } from '../../src/server/stores/s3/layout.js';
import { PartWriter } from '../../src/server/stores/s3/parts.js';
import { S3Store } from '../../src/server/stores/s3/store.js';
import { bodyOf, created, feed, withHooks } from '../contracts/store-support.js';
import { rgwSkip } from '../support/rgw.js';
import type { RunningRgw } from '../support/rgw.js';
import { rgwForSuite, s3StoreOptions } from '../support/rgw-suite.js';
import { randomData, waitFor } from './helpers.js';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A promise with its resolve and reject, for parts the test answers by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('PartWriter: parts in flight, confirmed in order', () => {
  const setup = (concurrency: number) => {
    const answers: Array<ReturnType<typeof deferred<string>>> = [];
    const sent: string[] = [];
    const confirmed: string[][] = [];
    const writer = new PartWriter<string>({
      concurrency,
      partSize: 4,
      send: (bytes, index) => {
        sent.push(`${index}:${bytes.toString()}`);
        answers[index] = deferred<string>();
        return answers[index].promise;
      },
      onConfirmed: (all) => confirmed.push([...all]),
    });
    let settled = 0;
    writer.onSettle = () => settled++;
    const tick = () => new Promise((r) => setImmediate(r));
    return { writer, answers, sent, confirmed, settled: () => settled, tick };
  };

  test('parts that return out of order are confirmed only as a prefix, all at once when the gap fills', async () => {
    const { writer, answers, sent, confirmed, tick } = setup(3);
    for (const text of ['aaaa', 'bbbb', 'cccc']) writer.add([Buffer.from(text)], 4);
    assert.equal(writer.full, true);
    assert.deepEqual(sent, ['0:aaaa', '1:bbbb', '2:cccc']);
    answers[2]!.resolve('p3');
    answers[1]!.resolve('p2');
    await tick();
    assert.deepEqual(confirmed, [], 'parts 2 and 3 confirmed before part 1 returned');
    assert.equal(writer.full, false);
    answers[0]!.resolve('p1');
    await tick();
    assert.deepEqual(confirmed, [['p1', 'p2', 'p3']]);
    assert.ok(writer.idle);
  });

  test('a failed part stops new parts; parts before it that return still count, parts after it never', async () => {
    const { writer, answers, confirmed, settled, tick } = setup(3);
    for (const text of ['aaaa', 'bbbb', 'cccc']) writer.add([Buffer.from(text)], 4);
    answers[2]!.resolve('p3');
    answers[1]!.reject(new Error('part 2: 500'));
    await tick();
    assert.match(String(writer.failure), /part 2: 500/);
    assert.throws(() => writer.add([Buffer.from('dddd')], 4), /no slot/);
    answers[0]!.resolve('p1');
    await tick();
    assert.deepEqual(confirmed, [['p1']]);
    assert.deepEqual(writer.confirmed, ['p1']);
    assert.equal(settled(), 3);
    assert.ok(writer.idle);
  });

  test('parts are cut from the chunks exactly, into at most `concurrency` reused buffers', async () => {
    const { writer, answers, sent, tick } = setup(2);
    // 'ab' + 'cdef' -> the first 4 bytes; the caller keeps what is past them.
    writer.add([Buffer.from('ab'), Buffer.from('cdef')], 4);
    writer.add([Buffer.from('ghij')], 4);
    assert.equal(writer.pooledBytes, 8);
    for (let i = 0; i < 6; i++) {
      answers[i]!.resolve(`p${i + 1}`);
      await tick();
      writer.add([Buffer.from(`${i}`.repeat(4))], 4);
    }
    assert.deepEqual(sent.slice(0, 3), ['0:abcd', '1:ghij', '2:0000']);
    assert.equal(writer.pooledBytes, 8, 'the pool grew past concurrency x partSize');
  });
});

describe('progressOf: what counts in S3', () => {
  const part = (number: number, size = 5 * MiB, etag = `"e${number}"`): StoredPart => ({
    number,
    size,
    etag,
  });
  const head = (size: number, metadata: Record<string, string>) => ({ size, modified: 0, metadata });

  test('parts past a gap (a failed part) never count; staged bytes count when they name the counted parts', () => {
    const p = progressOf('u', [part(1), part(3)], head(100, stagingMetadata(1)));
    assert.deepEqual(
      { parts: p.parts.map((x) => x.number), strays: p.strays.map((x) => x.number), offset: p.offset },
      { parts: [1], strays: [3], offset: 5 * MiB + 100 },
    );
  });

  test('a stray listed stale does not count once the gap before it is filled; a rewritten part does', () => {
    const metadata = stagingMetadata(1, [part(3)]);
    assert.deepEqual(metadata, { parts: '1', stale: '3:e3' });
    const filled = progressOf('u', [part(1), part(2), part(3)], head(0, metadata));
    assert.deepEqual(
      filled.parts.map((x) => x.number),
      [1, 2],
    );
    assert.equal(filled.offset, 10 * MiB);
    const rewritten = progressOf('u', [part(1), part(2), part(3, 5 * MiB, '"new"')], head(0, metadata));
    assert.equal(rewritten.offset, 15 * MiB);
    assert.deepEqual(stagingMetadata(3, [part(3), part(4)]), { parts: '3', stale: '4:e4' });
  });
});

/** A proxy in front of RGW that can hold a part's request or answer it 500, by part number. */
async function partProxy(target: string) {
  const rules = new Map<number, { hold?: Promise<unknown>; fail?: boolean }>();
  const answered = new Map<number, ReturnType<typeof deferred<void>>>();
  const done = (n: number) => {
    if (!answered.has(n)) answered.set(n, deferred<void>());
    return answered.get(n)!;
  };
  const { hostname, port } = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const n = Number(new URL(req.url!, target).searchParams.get('partNumber') ?? 0);
      const rule = rules.get(n);
      await rule?.hold;
      if (rule?.fail) {
        res.writeHead(500, { 'content-type': 'application/xml' });
        return res.end(
          '<?xml version="1.0"?><Error><Code>InternalError</Code><Message>injected</Message></Error>',
        );
      }
      const headers: IncomingHttpHeaders = { ...req.headers };
      delete headers.expect;
      const out = request({ hostname, port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
        answer.on('end', () => n && done(n).resolve());
      });
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rules,
    answered: (n: number) => done(n).promise,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('S3Store on RGW: parts in flight at once', { skip: rgwSkip() }, () => {
  let rgw: RunningRgw;
  let s3: S3Client;
  rgwForSuite('parts', (r, c) => ([rgw, s3] = [r, c]));

  const storeAt = async (t: { after(fn: () => unknown): void }, endpoint: string, prefix: string) => {
    const store = new S3Store(
      s3StoreOptions(rgw, 'parts', prefix, { endpoint, partSize: 5 * MiB, partConcurrency: 3 }),
    );
    await store.init();
    t.after(() => store.close());
    return store;
  };
  const partsInS3 = async (prefix: string, key: string): Promise<number[]> => {
    const Key = `${prefix}/${key}`;
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'parts', Prefix: Key }));
    const UploadId = uploads.Uploads?.[0]?.UploadId;
    if (!UploadId) return [];
    const listed = await s3.send(new ListPartsCommand({ Bucket: 'parts', Key, UploadId }));
    return (listed.Parts ?? []).map((p) => p.PartNumber!);
  };

  test('parts that S3 answers out of order: nothing is acknowledged until the first returns', async (t) => {
    const proxy = await partProxy(rgw.endpoint);
    t.after(() => proxy.close());
    const prefix = `order-${randomBytes(4).toString('hex')}`;
    const store = await storeAt(t, proxy.url, prefix);
    const direct = await storeAt(t, rgw.endpoint, prefix);
    const data = randomData(16 * MiB);
    const key = await created(store, data.length);
    const release = deferred<void>();
    proxy.rules.set(1, { hold: release.promise });
    const { heard, options } = withHooks({ start: 0, limit: data.length, idleTimeout: 30_000 });
    const result = store.append(key, bodyOf(data, 64 * 1024), options);
    await proxy.answered(2);
    await proxy.answered(3);
    assert.deepEqual(await partsInS3(prefix, key), [2, 3]);
    assert.deepEqual(heard.durable, [], 'acknowledged bytes of parts after one S3 has not confirmed');
    assert.equal(await direct.offset(key), 0, 'another instance counted parts past the gap');
    release.resolve();
    assert.deepEqual(await result, { end: 'end', written: data.length });
    assert.deepEqual(heard.durable, [15 * MiB], 'three parts confirmed at once when the first returned');
    const location = await direct.complete(key);
    assert.equal(location.url, `s3://parts/${prefix}/${key}`);
    assert.equal(await direct.offset(key), data.length);
  });

  test('one part failing mid-way fails the append; the offset is the confirmed prefix, and the later part never counts', async (t) => {
    const proxy = await partProxy(rgw.endpoint);
    t.after(() => proxy.close());
    const prefix = `fail-${randomBytes(4).toString('hex')}`;
    const store = await storeAt(t, proxy.url, prefix);
    const direct = await storeAt(t, rgw.endpoint, prefix);
    const other = await storeAt(t, rgw.endpoint, prefix);
    const size = 30 * MiB;
    const first = randomData(16 * MiB);
    const key = await created(store, size);
    // Part 2 fails (every retry of it) only once part 3 is stored: a stray past the gap, for sure.
    proxy.rules.set(2, { hold: proxy.answered(3), fail: true });
    const { heard, options } = withHooks({ start: 0, limit: size, idleTimeout: 30_000 });
    await assert.rejects(store.append(key, bodyOf(first, 64 * 1024), options), /InternalError|injected|500/);
    assert.deepEqual(await partsInS3(prefix, key), [1, 3]);
    assert.ok(
      heard.durable.every((o) => o <= 5 * MiB),
      `acknowledged ${heard.durable.join(', ')}`,
    );
    assert.equal(await direct.offset(key), 5 * MiB, 'the offset is not the confirmed prefix');
    // The client resends from there, with other part boundaries: part 2 is written, part 3 (stale) is not,
    // neither while the body runs (another instance asks) nor after it.
    const second = randomData(5 * MiB + 100 * 1024);
    const resend = feed(direct, key, { start: 5 * MiB, limit: size, idleTimeout: 30_000 });
    for (let at = 0; at < second.length; at += MiB) await resend.send(second.subarray(at, at + MiB));
    await waitFor('part 2', async () => (resend.heard.durable.includes(10 * MiB) ? true : undefined));
    assert.equal(await other.offset(key), 10 * MiB, "the failed body's part 3 counted mid-body");
    resend.body.end();
    assert.deepEqual(await resend.result, { end: 'end', written: second.length });
    assert.equal(await direct.offset(key), 5 * MiB + second.length, "the failed body's part 3 counted");
    assert.equal(await other.offset(key), 5 * MiB + second.length);
    const third = randomData(size - 5 * MiB - second.length);
    await direct.append(key, bodyOf(third, 64 * 1024), {
      start: 5 * MiB + second.length,
      limit: third.length,
      idleTimeout: 30_000,
    });
    const location = await direct.complete(key);
    const expected = Buffer.concat([first.subarray(0, 5 * MiB), second, third]);
    const out = await s3.send(new GetObjectCommand({ Bucket: 'parts', Key: `${prefix}/${key}` }));
    const stored = Buffer.from(await out.Body!.transformToByteArray());
    assert.equal(location.url, `s3://parts/${prefix}/${key}`);
    assert.equal(sha256(stored), sha256(expected));
    assert.deepEqual(await partsInS3(prefix, key), [], 'the multipart upload is gone after complete');
  });
});
