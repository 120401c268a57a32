// Real nginx between the browser and the server, started per test from fixtures/nginx.conf.template.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join, resolve } from 'node:path';

export const NGINX = process.env.NGINX_PATH || '/usr/sbin/nginx';
const TEMPLATE = resolve(import.meta.dirname, '../fixtures/nginx.conf.template');

export interface NginxOptions {
  upstreamPort: number;
  /** More instances behind the same name, besides `upstreamPort` (round robin). */
  morePorts?: number[];
  /** nginx syntax: '1m', '0' for no limit. */
  maxBody: string;
  requestBuffering: boolean;
}

export interface NginxHandle {
  port: number;
  close(): Promise<void>;
}

/** A port free right now (nginx cannot listen on port 0 and tell us which it got). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((r) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), r(true)));
    c.once('error', () => r(false));
  });
}

export async function startNginx(prefix: string, options: NginxOptions): Promise<NginxHandle> {
  await mkdir(prefix, { recursive: true });
  const port = await freePort();
  const conf = (await readFile(TEMPLATE, 'utf8'))
    // Workers of a root master run as nobody, who cannot enter a private temporary folder.
    .replaceAll('{{USER}}', process.getuid?.() === 0 ? 'user root;' : '')
    .replaceAll('{{PREFIX}}', prefix)
    .replaceAll('{{PORT}}', String(port))
    .replaceAll(
      '{{UPSTREAMS}}',
      [options.upstreamPort, ...(options.morePorts ?? [])]
        .map((p) => `    server 127.0.0.1:${p} max_fails=0;`)
        .join('\n'),
    )
    .replaceAll('{{MAX_BODY}}', options.maxBody)
    .replaceAll('{{BUFFERING}}', options.requestBuffering ? 'on' : 'off');
  return runNginx(prefix, conf, port);
}

/** Runs nginx with `conf` (written into `prefix`) in the foreground; resolves once it accepts on `port`. */
export async function runNginx(prefix: string, conf: string, port: number): Promise<NginxHandle> {
  const confPath = join(prefix, 'nginx.conf');
  await writeFile(confPath, conf);
  const child: ChildProcess = spawn(
    NGINX,
    ['-p', prefix, '-c', confPath, '-g', 'daemon off; error_log stderr;'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; !(await accepts(port)); i++) {
    if (child.exitCode !== null || i > 100) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
