// Debian's redis-server on a loopback port in a temp folder, started and stopped by the tests.
// It runs under a small shell that kills it when our stdin pipe closes, so it dies with the test process,
// however that process ends.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

export interface RunningRedis {
  port: number;
  url: string;
  /** Kills redis-server at once (SIGKILL: no goodbye to clients) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence), and waits until it answers PING. */
  restart(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

/** Whether `redis-server` can be run here. */
export function redisAvailable(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * A suite with a redis-server of its own (started before, stopped after). Without redis-server it is
 * skipped with a loud message, except in CI (CI=true), where that is a failure.
 */
export function describeWithRedis(name: string, suite: (redis: () => RunningRedis) => void): void {
  if (!redisAvailable()) {
    const why =
      'redis-server is not installed (Debian: apt-get install --no-install-recommends redis-server)';
    if (process.env.CI === 'true') {
      test(`${name}: needs redis-server`, () => assert.fail(`${why}; CI must run these tests`));
      return;
    }
    console.warn(`\n${'!'.repeat(78)}\n!! SKIPPED ${name}: ${why}\n${'!'.repeat(78)}\n`);
    describe(name, { skip: why }, () => undefined);
    return;
  }
  describe(name, () => {
    let running: RunningRedis | undefined;
    before(async () => {
      running = await startRedis();
    });
    after(() => running?.close());
    suite(() => {
      if (!running) throw new Error('redis-server is not running');
      return running;
    });
  });
}

// Closing the shell's stdin kills redis-server and waits for it, so the port is free when the shell exits.
const WATCHDOG =
  'redis-server "$@" & pid=$!; trap \'kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null\' EXIT; cat >/dev/null';

/** Starts redis-server on a free loopback port; it answers PING when this resolves. */
export async function startRedis(): Promise<RunningRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'ru-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push('--daemonize', 'no', '--dir', dir, '--loglevel', 'warning');
    const proc = spawn('sh', ['-c', WATCHDOG, 'sh', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}) at start:\n${log}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPing(port, 10_000), exited]);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.stdin!.end();
    await gone;
  };

  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    close: async () => {
      await stop();
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server on `port` answers PING with PONG. */
async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
