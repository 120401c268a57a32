// Everything the bench runs besides the project itself, bundled with esbuild into bench/out/.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
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
  /** The project's server CLI (`ours`; `ours-nofsync` is the same with `--sync-on-acknowledge off`). */
  serverCli: string;
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
  return {
    www,
    rawSink: join(children, 'raw-sink.mjs'),
    tusServer: join(children, 'tus-server.mjs'),
    reverseProxy: join(children, 'reverse-proxy.mjs'),
    probe: join(children, 'probe.mjs'),
    engine,
    serverCli: cli,
  };
}
