// Linux /proc readers: resident memory and CPU ticks of a process or a process tree.
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ: /proc reports CPU time in 1/100 s on every Linux the bench targets. */
const TICK_MS = 10;

/** VmRSS in bytes, or 0 when the process is gone. */
export function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function stat(pid: number): { ppid: number; cpuMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (not `root` itself). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) parent.set(Number(name), s.ppid);
  }
  const out: number[] = [];
  const want = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent)
      if (want.has(ppid) && !want.has(pid)) {
        want.add(pid);
        out.push(pid);
        grew = true;
      }
  }
  return out;
}

/** User + system CPU milliseconds summed over `pids` (exited ones count as 0). */
export function cpuMsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (stat(pid)?.cpuMs ?? 0), 0);
}

export interface RssSamples {
  base: number;
  min: number;
  peak: number;
  /** Every sample, in order, the first being `base`. */
  series: number[];
}

/** Samples VmRSS every `everyMs` until stopped. */
export function sampleRss(pids: () => number[], everyMs: number): () => RssSamples {
  const read = () => pids().reduce((sum, pid) => sum + rssOf(pid), 0);
  const series = [read()];
  const timer = setInterval(() => {
    const v = read();
    if (v > 0) series.push(v);
  }, everyMs);
  return () => {
    clearInterval(timer);
    series.push(read());
    return { base: series[0], min: Math.min(...series), peak: Math.max(...series), series };
  };
}

/** Chromium's process role from its command line: browser, renderer, network, gpu, ... */
export function chromiumRole(pid: number): string {
  try {
    // Chromium rewrites its argv into one space-separated string.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = args.find((a) => a.startsWith('--type='))?.slice(7);
    if (!type) return 'browser';
    if (type === 'utility') {
      const sub = args.find((a) => a.startsWith('--utility-sub-type='))?.slice(19) ?? 'utility';
      return sub.includes('Network') ? 'network' : 'utility';
    }
    return type.replace('-process', '');
  } catch {
    return 'gone';
  }
}

/** CPU ms per Chromium role. */
export function cpuByRole(pids: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of pids) {
    const role = chromiumRole(pid);
    out[role] = (out[role] ?? 0) + cpuMsOf([pid]);
  }
  return out;
}

/** CPU ms per process outside the bench's own tree, kernel threads excluded. */
export function foreignCpu(): Map<number, number> {
  const mine = new Set([process.pid, ...descendants(process.pid)]);
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (mine.has(pid)) continue;
    const s = stat(pid);
    if (s && s.ppid !== 2 && pid !== 2) out.set(pid, s.cpuMs);
  }
  return out;
}

export function foreignDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}
