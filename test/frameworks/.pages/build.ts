// Builds every framework page once, each by its framework's own compiler: ngc (Angular, AOT, strict
// templates) then the Angular linker over Angular's own packages, the Svelte compiler, @vue/compiler-sfc,
// babel-preset-solid, and esbuild's JSX for React and Preact. The package is imported by name, so esbuild
// resolves it through its `exports` and `sideEffects` as an app's bundler does.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { transformAsync } from '@babel/core';
import { build, transform, type BuildOptions, type Plugin } from 'esbuild';
import { compile as compileSvelte } from 'svelte/compiler';
import { compileScript, parse as parseSfc } from 'vue/compiler-sfc';

const root = new URL('../../../', import.meta.url).pathname;
const pages = join(root, 'test/frameworks/.pages');

/** Each page: its bundle, and the element the page's HTML needs for the framework to mount on. */
export const PAGES = {
  react19: { bundle: 'react19' },
  'react-wrapper': { bundle: 'react-wrapper' },
  react18: { bundle: 'react18' },
  vue: { bundle: 'vue' },
  svelte5: { bundle: 'svelte' },
  svelte4: { bundle: 'svelte' },
  preact: { bundle: 'preact' },
  solid: { bundle: 'solid' },
  angular: { bundle: 'angular', host: '<app-root></app-root>' },
} as const satisfies Record<string, { bundle: string; host?: string }>;
export type Page = keyof typeof PAGES;

const svelte: Plugin = {
  name: 'svelte',
  setup(b) {
    b.onLoad({ filter: /\.svelte$/ }, async ({ path }) => {
      const { js, warnings } = compileSvelte(await readFile(path, 'utf8'), { filename: path });
      if (warnings.length) throw new Error(warnings.map((w) => w.message).join('\n'));
      return { contents: js.code, loader: 'js', resolveDir: pages };
    });
  },
};

const vueSfc: Plugin = {
  name: 'vue-sfc',
  setup(b) {
    b.onLoad({ filter: /\.vue$/ }, async ({ path }) => {
      const { descriptor, errors } = parseSfc(await readFile(path, 'utf8'), { filename: path });
      if (errors.length) throw errors[0];
      const script = compileScript(descriptor, {
        id: path,
        inlineTemplate: true,
        templateOptions: { compilerOptions: { isCustomElement: (tag) => tag === 'resumable-upload' } },
      });
      return { contents: script.content, loader: 'ts', resolveDir: pages };
    });
  },
};

const solid: Plugin = {
  name: 'solid',
  setup(b) {
    b.onLoad({ filter: /solid\.tsx$/ }, async ({ path }) => {
      // esbuild strips the types and leaves the JSX for Solid's compiler.
      const stripped = await transform(await readFile(path, 'utf8'), { loader: 'tsx', jsx: 'preserve' });
      const out = await transformAsync(stripped.code, {
        filename: path,
        presets: [['babel-preset-solid', { generate: 'dom' }]],
        babelrc: false,
        configFile: false,
      });
      return { contents: out!.code!, loader: 'js' };
    });
  },
};

/** Angular's packages ship partially compiled; its linker finishes them, as the Angular CLI's build does. */
const angularLinker: Plugin = {
  name: 'angular-linker',
  setup(b) {
    b.onLoad({ filter: /node_modules\/@angular\/.*\.mjs$/ }, async ({ path }) => {
      const code = await readFile(path, 'utf8');
      if (!code.includes('ɵɵngDeclare')) return { contents: code, loader: 'js' };
      const { default: linker } = await import('@angular/compiler-cli/linker/babel');
      const out = await transformAsync(code, {
        filename: path,
        plugins: [linker],
        babelrc: false,
        configFile: false,
        compact: false,
      });
      return { contents: out!.code!, loader: 'js' };
    });
  },
};

/** The files ngc wrote to `out` import packages by name: resolve those from the repo, as if they sat in it. */
const fromRepo = (out: string): Plugin => ({
  name: 'from-repo',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (!args.importer.startsWith(out) || args.pluginData === 'from-repo') return undefined;
      return b.resolve(args.path, { kind: args.kind, resolveDir: pages, pluginData: 'from-repo' });
    });
  },
});

const run = promisify(execFile);

/** ngc, the Angular compiler, in AOT mode with strict templates; returns the compiled entry. */
export async function ngc(project: string, outDir: string): Promise<string> {
  await run(
    process.execPath,
    [
      join(root, 'node_modules/@angular/compiler-cli/bundles/src/bin/ngc.js'),
      '-p',
      project,
      '--outDir',
      outDir,
    ],
    {
      cwd: root,
    },
  );
  return join(outDir, 'angular/main.js');
}

const common: BuildOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  tsconfig: join(root, 'tsconfig.json'),
  define: {
    'process.env.NODE_ENV': '"production"',
    ngDevMode: 'false',
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  logLevel: 'error',
};

/** Builds every page into `www/app/` (one bundle per framework, in parallel) and writes its HTML. */
export async function buildPages(www: string, tmp: string): Promise<void> {
  const app = join(www, 'app');
  const at = (file: string) => join(pages, file);
  const angular = ngc(at('angular/tsconfig.json'), join(tmp, 'ngc')).then((entry) =>
    build({
      ...common,
      entryPoints: { angular: entry },
      outdir: app,
      plugins: [fromRepo(join(tmp, 'ngc')), angularLinker],
    }),
  );
  const main = build({
    ...common,
    entryPoints: {
      react19: at('react19.tsx'),
      'react-wrapper': at('react-wrapper.tsx'),
      vue: at('vue.ts'),
      svelte: at('svelte.ts'),
      preact: at('preact.tsx'),
      solid: at('solid.tsx'),
    },
    outdir: app,
    conditions: ['svelte', 'browser'],
    plugins: [svelte, vueSfc, solid],
  });
  // React 18 for real: the same wrapper page with react and react-dom swapped for their 18 releases.
  const react18 = build({
    ...common,
    entryPoints: { react18: at('react-wrapper.tsx') },
    outdir: app,
    alias: { react: 'react18', 'react-dom': 'react-dom18' },
  });
  await Promise.all([angular, main, react18]);
  await Promise.all(
    Object.entries(PAGES).map(([page, { bundle, ...rest }]) =>
      writeFile(
        join(app, `${page}.html`),
        `<!doctype html><meta charset="utf-8"><title>${page}</title>${'host' in rest ? rest.host : ''}<div id="root"></div><script type="module" src="${bundle}.js"></script>`,
      ),
    ),
  );
}
