// Many instances: two server processes on one S3 bucket (Ceph RGW) and one Redis, behind real nginx as one
// upstream (round robin). The instance receiving an upload is killed by SIGKILL at ~40%: the upload
// completes through the other, and the object in the bucket is the file, byte for byte. Then Redis dies
// mid-upload and comes back: requests meanwhile fail with 503, and the upload completes afterwards.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Browser } from 'playwright-core';
import * as tus from 'tus-js-client';
import { launchBrowser, openPage, pick, settle } from './support/browser.js';
import { makeFile, MiB, type SourceFile } from './support/files.js';
import { startNginx, type NginxHandle } from './support/nginx.js';
import { FaultProxy } from './support/proxy.js';
import { STATIC } from './support/server.js';
import { redisAvailable, startRedis, type RunningRedis } from '../support/redis.js';
import { rgwSkip, startRgw, type RunningRgw } from '../support/rgw.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUCKET = 'many';
const SIZE = 64 * MiB + 4321;

/** Outside CI, a machine without Ceph or Redis skips this file loudly; in CI that is a failure. */
function skipReason(): string | undefined {
  const rgw = rgwSkip();
  if (rgw) return rgw;
  if (redisAvailable()) return undefined;
  const why = 'redis-server is not installed (apt-get install --no-install-recommends redis-server)';
  if (process.env.CI === 'true') throw new Error(`${why}; CI must run the many-instance tests`);
  console.warn(`\n!!! SKIPPED the many-instance tests: ${why}\n`);
  return why;
}

interface Instance {
  port: number;
  /** What it printed: listening line, `complete ...` lines. */
  output(): string;
  kill(): Promise<void>;
}

/** One CLI instance on the shared bucket and Redis. */
function startInstance(rgw: RunningRgw, redis: RunningRedis, prefix: string): Promise<Instance> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/server/cli.ts',
      '--port',
      '0',
      '--dir',
      join(tmpdir(), 'unused'),
      '--store',
      `s3://${BUCKET}/${prefix}`,
      '--s3-endpoint',
      rgw.endpoint,
      '--redis',
      redis.url,
      ...STATIC.flatMap((d) => ['--static', d]),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: rgw.accessKeyId,
        AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
        AWS_REGION: rgw.region,
      },
    },
  );
  let out = '';
  after(() => void child.kill('SIGKILL'));
  return new Promise((ok, fail) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (more: Buffer) => (out += more.toString()));
        ok({
          port: Number(m[1]),
          output: () => out,
          kill: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const gone = new Promise((r) => child.once('exit', r));
            child.kill('SIGKILL');
            await gone;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code, signal) => fail(new Error(`instance exited (${code ?? signal}):\n${out}`)));
  });
}

/** The `s3://bucket/key` location an instance printed for a completed upload. */
function completedAt(instances: Instance[], id: string): string {
  const lines = instances.flatMap((i) => i.output().split('\n'));
  const done = lines.filter((l) => l.startsWith(`complete ${JSON.stringify(id)}`));
  assert.equal(done.length, 1, `exactly one instance completed ${id}: ${done.join(' | ')}`);
  return /path=(s3:\/\/\S+)/.exec(done[0])![1];
}

async function objectSha256(s3: S3Client, location: string): Promise<string> {
  const url = new URL(location);
  const got = await s3.send(new GetObjectCommand({ Bucket: url.host, Key: url.pathname.slice(1) }));
  const hash = createHash('sha256');
  for await (const chunk of got.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

describe('two instances, one bucket, one Redis, behind nginx', { skip: skipReason() }, () => {
  let tmp: string;
  let rgw: RunningRgw;
  let redis: RunningRedis;
  let s3: S3Client;
  let browser: Browser;
  let instances: Instance[];
  let proxies: FaultProxy[];
  let nginx: NginxHandle;
  let run = 0;

  before(
    async () => {
      tmp = await mkdtemp(join(tmpdir(), 'ru-many-'));
      [rgw, redis, browser] = await Promise.all([startRgw(), startRedis(), launchBrowser()]);
      await rgw.bucket(BUCKET);
      s3 = await rgw.client();
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await nginx?.close();
    for (const p of proxies ?? []) await p.close();
    for (const i of instances ?? []) await i.kill();
    await browser?.close();
    await redis?.close();
    await rgw?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  /** Fresh instances (each behind a fault proxy, to see and freeze its traffic) and nginx in front. */
  async function deploy(): Promise<string> {
    await nginx?.close();
    for (const p of proxies ?? []) await p.close();
    for (const i of instances ?? []) await i.kill();
    const prefix = `run-${++run}`;
    instances = await Promise.all([startInstance(rgw, redis, prefix), startInstance(rgw, redis, prefix)]);
    proxies = await Promise.all(instances.map((i) => FaultProxy.start(i.port)));
    nginx = await startNginx(join(tmp, `nginx-${run}`), {
      upstreamPort: proxies[0].port,
      morePorts: [proxies[1].port],
      maxBody: '0',
      requestBuffering: false,
    });
    return `http://127.0.0.1:${nginx.port}`;
  }

  /** Freezes whichever instance receives byte `at` first, kills it, and closes its proxy. */
  async function killReceiverAt(at: number): Promise<number> {
    const fired = proxies.map((p, i) => p.inject({ kind: 'freeze', at }).then(() => i));
    const victim = await Promise.race(fired);
    for (const p of proxies) p.clearFaults();
    await instances[victim].kill();
    // Refused connections make nginx try the next instance at once.
    await proxies[victim].close();
    return victim;
  }

  test('the element: the receiving instance dies at ~40%, the upload completes through the other', async (t) => {
    const origin = await deploy();
    const file: SourceFile = await makeFile(tmp, 'element.bin', SIZE);
    const context = await browser.newContext();
    try {
      const page = await openPage(context, origin, 'element', {
        chunkSize: 0,
        // Digests per request and for the whole file: the survivor checks the object in S3 against the latter.
        integrity: true,
        retryDelays: [0, 250, 500, 1000, 2000, 3000, 5000, 5000, 5000],
        stallTimeout: 5000,
      });
      const killed = killReceiverAt(Math.floor(SIZE * 0.4));
      await pick(page, 'element', file.path);
      const victim = await killed;
      t.diagnostic(`killed instance ${victim} at 40%`);
      const { outcome, log } = await settle(page, 90_000);
      const errors = log.filter((e) => e.type === 'upload-error').map((e) => e.error?.message);
      assert.equal(outcome, 'complete', `upload failed: ${errors.join('; ')}`);
      const complete = log.find((e) => e.type === 'upload-complete')!;
      const id = complete.fileId!;
      const location = completedAt(instances, id);
      assert.ok(
        instances[1 - victim].output().includes(`complete ${JSON.stringify(id)}`),
        'the survivor completed it',
      );
      assert.equal(await objectSha256(s3, location), file.sha256);
      assert.equal(complete.sha256, file.sha256, 'upload-complete carries the SHA-256 of the source');
      assert.equal(complete.verified, true, 'and the survivor checked the object in S3 against it');
    } finally {
      await context.close();
    }
  });

  test('tus-js-client: the receiving instance dies at ~40%, the upload completes through the other', async (t) => {
    const origin = await deploy();
    const file = await makeFile(tmp, 'tus.bin', SIZE);
    const killed = killReceiverAt(Math.floor(SIZE * 0.4));
    let url = '';
    await new Promise<void>((ok, fail) => {
      const upload = new tus.Upload(createReadStream(file.path) as unknown as tus.Upload['file'], {
        endpoint: `${origin}/files/`,
        uploadSize: file.size,
        chunkSize: 16 * MiB,
        retryDelays: [0, 250, 500, 1000, 2000, 3000, 5000, 5000, 5000],
        metadata: { filename: 'tus.bin' },
        onSuccess: () => ok(),
        onError: fail,
      });
      upload.start();
      const timer = setInterval(() => (url = upload.url ?? url), 50);
      void killed.finally(() => undefined);
      after(() => clearInterval(timer));
    });
    const victim = await killed;
    t.diagnostic(`killed instance ${victim} at 40%`);
    const id = url.split('/').pop()!;
    assert.equal(await objectSha256(s3, completedAt(instances, id)), file.sha256);
  });

  test('Redis dies mid-upload and comes back: 503s meanwhile, then the upload completes', async (t) => {
    const origin = await deploy();
    const file = await makeFile(tmp, 'redis.bin', 24 * MiB + 99);
    const context = await browser.newContext();
    try {
      const page = await openPage(context, origin, 'element', {
        chunkSize: 4 * MiB,
        retryDelays: [250, 500, 1000, 1000, 2000, 2000, 3000, 3000, 5000, 5000],
        stallTimeout: 5000,
      });
      // Slow enough that Redis goes down with most of the file still to send.
      for (const p of proxies) p.throttle({ bytesPerSecond: 8 * MiB });
      await pick(page, 'element', file.path);
      await page.waitForFunction(() => window.harness.uploaded() > 4 * 1024 * 1024, null, { polling: 20 });
      await redis.stop();
      const down = performance.now();
      await page.waitForFunction(
        () => window.harness.log.some((e) => e.type === 'upload-retry' && e.error?.status === 503),
        null,
        { timeout: 20_000, polling: 20 },
      );
      await redis.restart();
      t.diagnostic(`Redis was down for ${Math.round(performance.now() - down)} ms`);
      for (const p of proxies) p.throttle(null);
      const { outcome, log } = await settle(page, 90_000);
      const errors = log.filter((e) => e.type === 'upload-error').map((e) => e.error?.message);
      assert.equal(outcome, 'complete', `upload failed: ${errors.join('; ')}`);
      const reason = log.find((e) => e.type === 'upload-retry' && e.error?.status === 503)!.error!.message;
      t.diagnostic(`the 503 said: ${reason}`);
      const id = log.find((e) => e.type === 'upload-complete')!.fileId!;
      assert.equal(await objectSha256(s3, completedAt(instances, id)), file.sha256);
    } finally {
      await context.close();
    }
  });
});
