// Server children: each runs in its own node process, preloaded with the probe, so its RSS and
// CPU are its own and nothing of the bench (Playwright, sampling) is counted against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256 } from './files.js';
import type { ServerTraceRow } from './probe.js';
import { rssOf } from './proc.js';

export interface Usage {
  /** process.cpuUsage() of the child, in ms. */
  cpuMs: number;
  rss: number;
  heapUsed: number;
}

/** Where a server keeps its uploads when not in its folder (an S3 bucket): how the bench clears and checks them. */
export interface Storage {
  clear(): Promise<void>;
  /** Every stored object, largest first; `path` is whatever `sha256` takes. */
  stored(): Promise<Array<{ path: string; size: number }>>;
  sha256(path: string): Promise<string>;
}

export class ServerChild {
  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    readonly url: string,
    readonly dir: string,
    private readonly log: string[],
  ) {}

  /** Set when the uploads are not files in `dir`. */
  storage: Storage | null = null;

  get pid(): number {
    return this.proc.pid!;
  }

  /**
   * Starts `node --import probe script ...args` (under `taskset -c cpu` when given) and waits for its
   * "listening on http://..." line. taskset execs node, so the pid is node's.
   */
  static async start(
    name: string,
    probe: string,
    script: string,
    args: string[],
    dir: string,
    cpu?: number,
    env?: Record<string, string>,
  ): Promise<ServerChild> {
    const node = [process.execPath, '--expose-gc', '--import', pathToFileURL(probe).href, script, ...args];
    const [cmd, ...rest] = cpu === undefined ? node : ['taskset', '-c', String(cpu), ...node];
    const proc = spawn(cmd, rest, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: env && { ...process.env, ...env },
    });
    const log: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${log.join('')}`)), 15000);
      const onData = (d: Buffer) => {
        log.push(d.toString());
        if (log.length > 200) log.splice(0, 100);
        const m = /listening on (http:\/\/[^\s/]+)/.exec(log.join(''));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code}:\n${log.join('')}`));
      });
    });
    proc.removeAllListeners('exit');
    return new ServerChild(name, proc, url, dir, log);
  }

  /** The child's own process.cpuUsage() and memoryUsage(), asked over IPC. */
  async usage(gc = false): Promise<Usage> {
    const reply = once(this.proc, 'message') as Promise<
      [{ cpu: { user: number; system: number }; mem: { rss: number; heapUsed: number } }]
    >;
    this.proc.send(gc ? 'gc' : 'probe');
    const [{ cpu, mem }] = await reply;
    return { cpuMs: (cpu.user + cpu.system) / 1000, rss: mem.rss, heapUsed: mem.heapUsed };
  }

  /** The probe's request timestamps since the last call (and forgets them). */
  async trace(): Promise<ServerTraceRow[]> {
    const reply = once(this.proc, 'message') as Promise<[{ trace: ServerTraceRow[] }]>;
    this.proc.send('trace');
    return (await reply)[0].trace;
  }

  rss(): number {
    return rssOf(this.pid);
  }

  output(): string {
    return this.log.join('');
  }

  /** Deletes stored files but keeps folders: a server may keep its folder layout open. */
  async clear(dir = this.dir): Promise<void> {
    if (this.storage && dir === this.dir) return this.storage.clear();
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await this.clear(p);
      else await rm(p, { force: true });
    }
  }

  /** Sizes of every stored file, largest first. */
  async stored(dir = this.dir): Promise<Array<{ path: string; size: number }>> {
    if (this.storage && dir === this.dir) return this.storage.stored();
    const out: Array<{ path: string; size: number }> = [];
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) out.push(...(await this.stored(p)));
      else out.push({ path: p, size: (await stat(p)).size });
    }
    return out.sort((a, b) => b.size - a.size);
  }

  /** SHA-256 of one of `stored()`'s entries. */
  sha256(path: string): Promise<string> {
    return this.storage ? this.storage.sha256(path) : sha256(path);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await once(this.proc, 'exit');
    clearTimeout(timer);
  }
}
