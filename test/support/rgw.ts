// A real S3 endpoint for tests and benches: Ceph's RADOS Gateway from Debian's packages (radosgw, ceph-mon,
// ceph-osd), as a one-machine cluster in a temp folder, every daemon on 127.0.0.1, all of it killed on stop and
// when this process exits. CLI: `node --import tsx test/support/rgw.ts start [--bucket NAME]`.
import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';

const run = promisify(execFile);

const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'monmaptool'];
const PYTHON = '/usr/bin/python3';
const TEMPLATE = join(import.meta.dirname, 'rgw.conf');
/** The pools the default zone uses; made up front, since radosgw making them one by one took ~15 s. */
const POOLS = [
  '.rgw.root',
  'default.rgw.log',
  'default.rgw.control',
  'default.rgw.meta',
  'default.rgw.buckets.index',
  'default.rgw.buckets.data',
  'default.rgw.buckets.non-ec',
];

export const RGW_ACCESS_KEY_ID = 'RESUMABLEUPLOADTEST0';
export const RGW_SECRET_ACCESS_KEY = 'resumable-upload-test-secret-0000000000';

export interface RunningRgw {
  /** `http://127.0.0.1:PORT`: path-style addressing only. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The temp folder with ceph.conf and every daemon's log (`log/`). */
  dir: string;
  /** Milliseconds from the call to the first answered S3 request. */
  startedIn: number;
  /** Creates a bucket (an existing one of ours is fine) and resolves with its name. */
  bucket(name: string): Promise<string>;
  /** An AWS SDK client for this gateway (path-style, RGW-friendly checksums), closed on stop. */
  client(): Promise<S3Client>;
  /** Kills every daemon and removes the folder. */
  stop(): Promise<void>;
}

export interface StartRgwOptions {
  /** memstore's cap in bytes; only what is stored takes RAM. @default 8 GiB */
  memoryBytes?: number;
  /** Milliseconds to wait for the whole cluster. @default 60000 */
  timeout?: number;
}

/** Whether the Debian packages (radosgw, ceph-mon, ceph-osd, python3-rados) are installed. */
export function rgwAvailable(): boolean {
  for (const name of BINARIES) {
    if (!onPath(name)) return false;
  }
  return spawnSync(PYTHON, ['-c', 'import rados'], { stdio: 'ignore' }).status === 0;
}

/** Why rgwAvailable() is false, for a skip message. */
export function rgwMissing(): string {
  const missing = BINARIES.filter((name) => !onPath(name));
  if (spawnSync(PYTHON, ['-c', 'import rados'], { stdio: 'ignore' }).status !== 0)
    missing.push('python3-rados');
  return missing.length
    ? `Ceph RGW is not installed (missing: ${missing.join(', ')}); ` +
        'apt-get install --no-install-recommends radosgw ceph-mon ceph-osd'
    : '';
}

/**
 * For test files: a reason to skip (also printed, loudly) when RGW is not installed, else undefined.
 * In CI (CI=true) a missing RGW never skips: the tests run and startRgw fails with what is missing.
 */
export function rgwSkip(): string | undefined {
  const missing = rgwMissing();
  if (!missing || process.env.CI === 'true') return undefined;
  console.warn(`\n!!! SKIPPING the S3 tests: ${missing}\n`);
  return missing;
}

function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/**
 * Starts monitor, OSD and radosgw from nothing (about 2 s) and creates an S3 user with fixed keys.
 * The system's /etc/ceph and any daemons the packages started are never used: own config, own ports.
 */
export async function startRgw(options: StartRgwOptions = {}): Promise<RunningRgw> {
  const missing = rgwMissing();
  if (missing) throw new Error(missing);
  const began = performance.now();
  const timeout = options.timeout ?? 60_000;
  const dir = await mkdtemp(join(tmpdir(), 'ru-rgw-'));
  const children: ChildProcess[] = [];
  const pidFile = join(dir, 'pids');
  const killAll = (): void => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onExit = (): void => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  // Outlives a SIGKILLed test process: kills the daemons and removes the folder once this pid is gone.
  const watchdog = spawn(
    '/bin/sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null && [ -d "$1" ]; do sleep 0.5; done; ` +
        `[ -f "$1/pids" ] && kill -9 $(cat "$1/pids") 2>/dev/null; rm -rf "$1"`,
      'rgw-watchdog',
      dir,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  const daemon = (command: string, args: string[]): ChildProcess => {
    const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8');
    let stderr = '';
    child.stderr!.on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
    child.on('exit', (code, signal) => {
      if (!stopping) failed ??= new Error(`${command} exited (${signal ?? code}) while starting: ${stderr}`);
    });
    children.push(child);
    writeFileSync(pidFile, children.map((c) => c.pid).join(' '));
    return child;
  };
  let stopping = false;
  let failed: Error | undefined;
  const clients: S3Client[] = [];
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const client of clients) client.destroy();
    // memstore keeps nothing worth a clean shutdown: SIGKILL is the quick, sure way.
    const exits = children.map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => child.once('exit', resolve)),
    );
    killAll();
    await Promise.all(exits);
    if (watchdog.pid) {
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.off('exit', onExit);
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = began + timeout;
  const step = (what: string): void => {
    if (process.env.RGW_DEBUG) console.error(`rgw: ${Math.round(performance.now() - began)} ms ${what}`);
  };
  const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    for (;;) {
      if (failed) throw failed;
      if (await check()) return;
      if (performance.now() > deadline)
        throw new Error(`RGW: timed out waiting for ${what} (logs in ${dir}/log)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  try {
    const [monPort, rgwPort] = await freePorts(2);
    const conf = join(dir, 'ceph.conf');
    const template = await readFile(TEMPLATE, 'utf8');
    const values: Record<string, string> = {
      FSID: randomUUID(),
      MON_PORT: String(monPort),
      RGW_PORT: String(rgwPort),
      DIR: dir,
      MEMORY_BYTES: String(options.memoryBytes ?? 8 * 1024 ** 3),
    };
    writeFileSync(
      conf,
      template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name]!),
    );
    for (const sub of ['run', 'log', 'mon', 'osd', 'crash']) await mkdir(join(dir, sub));
    const osdUuid = randomUUID();
    // No keyring with auth none; the monmap names the monitor `a` at its port.
    await run('monmaptool', [
      '--create',
      '--addv',
      'a',
      `[v2:127.0.0.1:${monPort}]`,
      '--fsid',
      values.FSID!,
      join(dir, 'monmap'),
    ]);
    await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')]);
    step('mon mkfs');
    daemon('ceph-mon', ['-c', conf, '-i', 'a', '-f']);

    // One python3-rados client registers the OSD, then creates the pools while the OSD boots.
    const bootstrap = spawn(PYTHON, ['-c', BOOTSTRAP, conf, osdUuid, ...POOLS], {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(bootstrap);
    let said = '';
    let complaint = '';
    bootstrap.stdout!.setEncoding('utf8').on('data', (text: string) => (said += text));
    bootstrap.stderr!.setEncoding('utf8').on('data', (text: string) => (complaint += text));
    const bootstrapped = new Promise<void>((resolve, reject) =>
      bootstrap.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`RGW: pool setup failed (${code}): ${complaint}${said}`)),
      ),
    );
    bootstrapped.catch(() => undefined);
    await until('the OSD id', async () => said.includes('osd 0'));
    step('osd id');
    // mkfs asks the monitor for the OSD map, so it runs once the id exists, and alone (pool creation
    // beside it made it take 1.4 s instead of 0.1 s).
    await run('ceph-osd', ['-c', conf, '--mkfs', '-i', '0', '--osd-uuid', osdUuid]);
    bootstrap.stdin!.end('pools\n');
    step('osd mkfs');
    daemon('ceph-osd', ['-c', conf, '-i', '0', '-f']);
    const osdLog = join(dir, 'log', 'osd.0.log');
    // radosgw started before the OSD is active can stall for 5 s.
    await until('the OSD to become active', async () =>
      (await readFile(osdLog, 'utf8').catch(() => '')).includes('booting -> active'),
    );
    step('osd active');
    await bootstrapped;
    step('pools');

    const admin = run('radosgw-admin', [
      '-c',
      conf,
      '-n',
      'client.rgw',
      '--admin-socket=',
      'user',
      'create',
      '--uid=resumable-upload',
      '--display-name=resumable-upload tests',
      `--access-key=${RGW_ACCESS_KEY_ID}`,
      `--secret-key=${RGW_SECRET_ACCESS_KEY}`,
    ]);
    admin.catch(() => undefined);
    // The user exists before radosgw starts: both would otherwise create the default zone at once.
    await admin;
    step('user');
    daemon('radosgw', ['-c', conf, '-n', 'client.rgw', '-f']);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await until('radosgw to answer', async () => {
      try {
        return (await fetch(endpoint)).ok;
      } catch {
        return false;
      }
    });
    const startedIn = Math.round(performance.now() - began);
    const client = await connect(endpoint);
    clients.push(client);
    return {
      endpoint,
      accessKeyId: RGW_ACCESS_KEY_ID,
      secretAccessKey: RGW_SECRET_ACCESS_KEY,
      region: 'us-east-1',
      dir,
      startedIn,
      bucket: (name) => createBucket(client, name),
      client: async () => client,
      stop,
    };
  } catch (err) {
    const logs = await readLogs(dir);
    await stop();
    throw Object.assign(err as Error, { logs });
  }
}

/** The last lines of each daemon's log, for a failure message. */
async function readLogs(dir: string): Promise<string> {
  const names = ['mon.a.log', 'osd.0.log', 'client.rgw.log'];
  const tails = await Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(dir, 'log', name), 'utf8').catch(() => '');
      return `--- ${name}\n${text.split('\n').slice(-15).join('\n')}`;
    }),
  );
  return tails.join('\n');
}

async function connect(endpoint: string): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: RGW_ACCESS_KEY_ID, secretAccessKey: RGW_SECRET_ACCESS_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function createBucket(client: S3Client, name: string): Promise<string> {
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
  }
  return name;
}

function freePorts(count: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<number>((resolve, reject) => {
          const server = createServer();
          server.on('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const { port } = server.address() as AddressInfo;
            server.close(() => resolve(port));
          });
        }),
    ),
  );
}

/** python3-rados: `osd new` for id 0, then every pool at once (each is a paxos round), tagged for rgw. */
const BOOTSTRAP = `
import json, sys, threading, rados
conf, uuid, pools = sys.argv[1], sys.argv[2], sys.argv[3:]
cluster = rados.Rados(conffile=conf)
cluster.connect(timeout=20)
def command(**cmd):
    code, out, status = cluster.mon_command(json.dumps(cmd), b'', timeout=20)
    if code != 0: raise SystemExit('%s: %s %s' % (cmd['prefix'], code, status))
    return out
print('osd %s' % command(prefix='osd new', uuid=uuid).decode().strip(), flush=True)
sys.stdin.readline()
def pool(name):
    command(prefix='osd pool create', pool=name, pg_num=8, pgp_num=8)
    command(prefix='osd pool application enable', pool=name, app='rgw')
threads = [threading.Thread(target=pool, args=(name,)) for name in pools]
for t in threads: t.start()
for t in threads: t.join()
print('pools', flush=True)
cluster.shutdown()
`;

// CLI: start a gateway, print how to reach it, stop it on Ctrl-C / SIGTERM.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'start') {
    console.error('usage: node --import tsx test/support/rgw.ts start [--bucket NAME]');
    process.exit(2);
  }
  if (!rgwAvailable()) {
    console.error(rgwMissing());
    process.exit(1);
  }
  const rgw = await startRgw();
  const bucketAt = rest.indexOf('--bucket');
  if (bucketAt !== -1 && rest[bucketAt + 1]) await rgw.bucket(rest[bucketAt + 1]!);
  console.log(`RGW ready in ${rgw.startedIn} ms at ${rgw.endpoint} (folder ${rgw.dir})`);
  console.log(`export AWS_ACCESS_KEY_ID=${rgw.accessKeyId}`);
  console.log(`export AWS_SECRET_ACCESS_KEY=${rgw.secretAccessKey}`);
  console.log(`export AWS_REGION=${rgw.region}`);
  console.log(`export S3_ENDPOINT=${rgw.endpoint}`);
  const quit = (): void => void rgw.stop().then(() => process.exit(0));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  // Keeps the process alive until a signal.
  setInterval(() => undefined, 1 << 30);
}
