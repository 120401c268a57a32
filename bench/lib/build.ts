// Everything the bench runs besides the project itself, bundled with esbuild into bench/out/.
import { build } from 'esbuild';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OUT = join(ROOT, 'bench/out');

export interface Built {
  /** Served as the site root by every server: index.html, bench-page.js, tus.js, resumable-upload.js. */
  www: string;
  rawSink: string;
  tusServer: string;
  /** A plain Node reverse proxy (bench/lib/reverse-proxy.ts), optionally adding latency. */
  reverseProxy: string;
  probe: string;
  /** Where /resumable-upload.js came from. */
  engine: string;
  /** The project's server CLI. */
  serverCli: string;
  /** A copy of dist/ with the per-request fsync patched out, and the calls removed. */
  noFsyncCli: string | null;
  noFsyncPatches: string[];
}

export async function buildAll(distDir = join(ROOT, 'dist')): Promise<Built> {
  const www = join(OUT, 'www');
  rmSync(www, { recursive: true, force: true });
  mkdirSync(www, { recursive: true });
  copyFileSync(join(ROOT, 'bench/page/index.html'), join(www, 'index.html'));
  const common = { bundle: true, format: 'esm', logLevel: 'error', absWorkingDir: ROOT } as const;
  await build({
    ...common,
    entryPoints: ['bench/page/bench-page.ts'],
    outfile: join(www, 'bench-page.js'),
    platform: 'browser',
    target: 'es2022',
    // Loaded at run time from what the server under test serves.
    external: ['/resumable-upload.js', '/tus.js'],
  });
  await build({
    ...common,
    stdin: { contents: "export * from 'tus-js-client';", resolveDir: ROOT },
    outfile: join(www, 'tus.js'),
    platform: 'browser',
    target: 'es2022',
    minify: true,
  });

  // The element's bundle, and the protocol chunks it imports from beside it on first use.
  const engine = join(distDir, 'resumable-upload.js');
  if (!existsSync(engine)) throw new Error(`${engine} is missing: run \`npm run build\` first`);
  copyFileSync(engine, join(www, 'resumable-upload.js'));
  for (const chunk of readdirSync(distDir).filter((f) => /^resumable-upload-.+\.js$/.test(f)))
    copyFileSync(join(distDir, chunk), join(www, chunk));

  const children = join(OUT, 'children');
  const node = { ...common, platform: 'node', target: 'node20', packages: 'external' } as const;
  await build({ ...node, entryPoints: ['bench/lib/raw-sink.ts'], outfile: join(children, 'raw-sink.mjs') });
  await build({
    ...node,
    entryPoints: ['bench/lib/tus-server.ts'],
    outfile: join(children, 'tus-server.mjs'),
  });
  await build({ ...node, entryPoints: ['bench/lib/probe.ts'], outfile: join(children, 'probe.mjs') });
  await build({
    ...node,
    entryPoints: ['bench/lib/reverse-proxy.ts'],
    outfile: join(children, 'reverse-proxy.mjs'),
  });

  const cli = join(distDir, 'server/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const serverCli = cli;
  const noFsync = patchedDist(distDir, 'dist-nofsync', NO_FSYNC);
  return {
    www,
    rawSink: join(children, 'raw-sink.mjs'),
    tusServer: join(children, 'tus-server.mjs'),
    reverseProxy: join(children, 'reverse-proxy.mjs'),
    probe: join(children, 'probe.mjs'),
    engine,
    serverCli,
    noFsyncCli: noFsync.cli,
    noFsyncPatches: noFsync.applied,
  };
}

/** A copy of dist/ with one server file rewritten, for what-if variants; null when a pattern is gone. */
function patchedDist(
  distDir: string,
  name: string,
  edits: Array<[RegExp, string]>,
  file = 'stores/file/append.js',
): { cli: string | null; applied: string[] } {
  const copy = join(OUT, name);
  rmSync(copy, { recursive: true, force: true });
  cpSync(distDir, copy, { recursive: true });
  const path = join(copy, 'server', file);
  let text = readFileSync(path, 'utf8');
  const applied: string[] = [];
  for (const [from, to] of edits) {
    const before = text;
    text = text.replace(from, (m: string, ...groups: unknown[]) => {
      applied.push(`${file}: ${m.replace(/\s+/g, '')}`);
      return to.replace(/\$(\d)/g, (_, d: string) => String(groups[Number(d) - 1] ?? ''));
    });
    if (text === before) return { cli: null, applied: [] };
  }
  writeFileSync(path, text);
  return { cli: join(copy, 'server/cli.js'), applied };
}

/**
 * No per-request fsync: every `datasync()` of the body writer (the closing one and the periodic
 * checkpoints) becomes a no-op; the once-per-upload sidecar and folder fsyncs (`.sync()`) stay.
 * The difference to the shipped server is what fsync per request costs.
 */
const NO_FSYNC: Array<[RegExp, string]> = [
  [/(?:\bthis\s*\.\s*#?)?\b\w+\s*\.datasync\(\)/g, 'Promise.resolve()'],
];
