// tus-js-client 4.3.1 (its Node build), a client no one here wrote, against the CLI server: in tus 1.0 and
// both IETF draft modes, uploads end byte-identical through chunking, a cut mid-body and a SIGKILL.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as tus from 'tus-js-client';
import { FaultProxy } from '../e2e/support/proxy.js';
import type { CliProcess } from './helpers.js';
import { keyOf, randomData, request, sha256, startCli, tempDir, waitFor } from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = 5 * MiB + 4321;
const CHUNK = MiB + 17;
const RETRY = [0, 100, 250, 500, 1000, 2000];

/** The protocol option tus-js-client 4.3.1 reads but its typings lack. */
type Protocol = 'tus-v1' | 'ietf-draft-05' | 'ietf-draft-03';
const MODES: Array<{ protocol: Protocol; head: Record<string, string> }> = [
  { protocol: 'tus-v1', head: { 'Tus-Resumable': '1.0.0' } },
  { protocol: 'ietf-draft-05', head: { 'Upload-Draft-Interop-Version': '6' } },
  { protocol: 'ietf-draft-03', head: { 'Upload-Draft-Interop-Version': '5' } },
];

interface Server {
  port: number;
  dir: string;
  /** Every CLI process run on this folder: the restarted one logs its completions too. */
  processes: CliProcess[];
}

async function startServer(dir: string, port = 0): Promise<CliProcess> {
  return startCli(['--port', String(port), '--host', '127.0.0.1', '--dir', dir]);
}

/** The CLI's `complete <id> ... path=<path>` lines for one upload, across every process on the folder. */
function completions(server: Server, id: string): string[] {
  const line = new RegExp(`^complete ${JSON.stringify(id)} .* path=(.+)$`, 'gm');
  return server.processes.flatMap((p) => [...p.output().matchAll(line)].map((m) => m[1]));
}

/** Resolves with the stored file's path once the CLI has logged the upload complete. */
function completed(server: Server, id: string): Promise<string> {
  const found = (): string | undefined => completions(server, id)[0];
  const now = found();
  if (now) return Promise.resolve(now);
  const stdout = server.processes.at(-1)!.child.stdout!;
  return new Promise((resolve) => {
    const check = (): void => {
      const path = found();
      if (path === undefined) return;
      stdout.off('data', check);
      resolve(path);
    };
    stdout.on('data', check);
  });
}

/** The upload's id: the last segment of its URL. */
const idOf = (url: string): string => new URL(url).pathname.split('/').pop()!;

/** Where the file store keeps a tus/IETF upload's bytes until it completes. */
const partialPath = (dir: string, id: string): string => join(dir, 'partial', keyOf(id, 'files\0anonymous'));

interface Run {
  upload: tus.Upload;
  /** Resolves with the upload URL on onSuccess; rejects on onError. */
  done: Promise<string>;
  successes: () => number;
}

function startUpload(
  source: Buffer | ReturnType<typeof createReadStream>,
  options: tus.UploadOptions & { protocol: Protocol },
): Run {
  let successes = 0;
  let upload!: tus.Upload;
  const done = new Promise<string>((resolve, reject) => {
    upload = new tus.Upload(source as Buffer, {
      metadata: { filename: 'source.bin', filetype: 'application/octet-stream' },
      retryDelays: RETRY,
      ...options,
      onSuccess: () => {
        successes++;
        resolve(upload.url!);
      },
      onError: reject,
    });
    upload.start();
  });
  return { upload, done, successes: () => successes };
}

/** The upload completed once, and the server holds exactly the source's bytes. */
async function assertStored(server: Server, run: Run, digest: string): Promise<string> {
  const url = await run.done;
  const id = idOf(url);
  const path = await completed(server, id);
  assert.equal(sha256(await readFile(path)), digest, 'the stored file differs from the source');
  assert.equal(completions(server, id).length, 1, 'the server completed the upload exactly once');
  assert.equal(run.successes(), 1, 'onSuccess fired exactly once');
  return id;
}

// One server for the file (a hook's `after` would stop it as soon as the hook ends).
const dir = await tempDir();
const cli = await startServer(dir);
const server: Server = { port: Number(new URL(cli.url).port), dir, processes: [cli] };
const proxy = await FaultProxy.start(server.port);
after(() => proxy.close());
const endpoint = `${proxy.url}/files/`;
const source = randomData(SIZE);
const digest = sha256(source);

describe('tus-js-client 4.3.1 (Node) against the CLI server', () => {
  /** The appends (and creations with data) of this test, as the proxy saw them. */
  const appendsSince = (first: number) => proxy.uploads().filter((r) => proxy.requests.indexOf(r) >= first);

  for (const { protocol } of MODES) {
    describe(protocol, () => {
      test('uploads a file in several chunks byte-identical', async () => {
        const first = proxy.requests.length;
        const run = startUpload(source, { endpoint, protocol, chunkSize: CHUNK });
        await assertStored(server, run, digest);
        const appends = appendsSince(first);
        assert.deepEqual(
          appends.map((r) => `${r.method} ${r.start}+${r.contentLength}`),
          [0, 1, 2, 3, 4, 5].map((i) => `PATCH ${i * CHUNK}+${Math.min(CHUNK, SIZE - i * CHUNK)}`),
        );
      });

      test('resumes from what the server kept when the connection is cut mid-body', async () => {
        const first = proxy.requests.length;
        const at = 2 * CHUNK + 700 * 1024 + 3;
        const cut = proxy.inject({ kind: 'cut', at });
        const run = startUpload(source, { endpoint, protocol, chunkSize: CHUNK });
        await assertStored(server, run, digest);
        await cut;
        const appends = appendsSince(first);
        // HEAD may still answer the cut append's start (the server has not read that dead request yet); the
        // append from there then gets 409, and tus-js-client asks again. The bytes that crossed are kept.
        const cutAt = appends.findIndex((r) => r.fault === 'cut');
        const resumed = appends.slice(cutAt + 1).find((r) => r.status !== 409)!;
        assert.ok(
          resumed.start! > 2 * CHUNK && resumed.start! <= at,
          `the append after the cut starts at ${resumed.start}, inside what crossed before byte ${at}`,
        );
      });
    });
  }

  test('tus: uploadDataDuringCreation sends the first chunk in the POST and goes on with PATCH', async () => {
    const first = proxy.requests.length;
    const run = startUpload(source, {
      endpoint,
      protocol: 'tus-v1',
      chunkSize: CHUNK,
      uploadDataDuringCreation: true,
    });
    await assertStored(server, run, digest);
    const appends = appendsSince(first);
    assert.equal(appends[0].method, 'POST');
    assert.equal(appends[0].contentLength, CHUNK);
    assert.equal(appends[0].status, 201);
    assert.deepEqual(
      appends.slice(1).map((r) => `${r.method} ${r.start}`),
      [1, 2, 3, 4, 5].map((i) => `PATCH ${i * CHUNK}`),
    );
  });

  test('tus: a creation-with-upload cut mid-body is retried as a new upload that completes', async () => {
    const cut = proxy.inject({ kind: 'cut', at: CHUNK >> 1 });
    const run = startUpload(source, {
      endpoint,
      protocol: 'tus-v1',
      chunkSize: CHUNK,
      uploadDataDuringCreation: true,
    });
    await assertStored(server, run, digest);
    await cut;
  });

  for (const { protocol, head } of MODES.slice(0, 2)) {
    test(`${protocol}: abort(true) terminates the upload (HEAD answers 404 afterwards)`, async () => {
      let url = '';
      const terminated = new Promise<void>((resolve, reject) => {
        const upload: tus.Upload = new tus.Upload(source, {
          endpoint,
          protocol,
          chunkSize: CHUNK,
          retryDelays: RETRY,
          onChunkComplete: () => {
            url = upload.url!;
            upload.abort(true).then(resolve, reject);
          },
          onError: reject,
        } as tus.UploadOptions);
        upload.start();
      });
      await terminated;
      const reply = await request(url, { method: 'HEAD', headers: head });
      assert.equal(reply.status, 404);
      const id = idOf(url);
      assert.deepEqual(completions(server, id), []);
      await assert.rejects(stat(partialPath(server.dir, id)), { code: 'ENOENT' });
    });
  }
});

describe('tus-js-client 4.3.1 (Node) when the server is killed mid-upload', () => {
  for (const { protocol } of MODES) {
    test(`${protocol}: resumes from what reached the disk once the server is back`, async (t) => {
      const dir = await tempDir();
      const first = await startServer(dir);
      const port = Number(new URL(first.url).port);
      const server: Server = { port, dir, processes: [first] };
      const proxy = await FaultProxy.start(port);
      t.after(() => proxy.close());
      const file = join(await tempDir(), 'source.bin');
      const data = randomData(SIZE);
      await writeFile(file, data);

      // The proxy stops mid-chunk; once the server has written what it got (not yet fsynced), it dies.
      const at = 3 * CHUNK + 300 * 1024 + 11;
      const frozen = proxy.inject({ kind: 'freeze', at });
      const run = startUpload(createReadStream(file), {
        endpoint: `${proxy.url}/files/`,
        protocol,
        chunkSize: CHUNK,
        // Enough to outlast the restart (tsx compiles the CLI anew: seconds on a busy machine).
        retryDelays: [...RETRY, 3000, 5000, 5000, 5000],
      });
      await frozen;
      const partial = partialPath(dir, idOf(run.upload.url!));
      await waitFor('the bytes before the freeze on disk', async () => {
        const size = await stat(partial).then((s) => s.size);
        return size >= at ? size : undefined;
      });
      first.child.kill('SIGKILL');
      await first.exited;
      server.processes.push(await startServer(dir, port));

      await assertStored(server, run, createHash('sha256').update(data).digest('hex'));
      const appends = proxy.uploads();
      const resumed = appends[appends.findIndex((r) => r.fault === 'freeze') + 1];
      assert.equal(resumed.start, at, 'the restarted server kept every byte it had written before the kill');
    });
  }
});
