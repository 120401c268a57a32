// The script-tag drop-in: one minified ESM file with Lit inside, and beside it the chunks it imports on
// demand (the tus and IETF protocols), named so a CDN path to the folder keeps working.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import terser from '@rollup/plugin-terser';
import { readdirSync } from 'node:fs';

/**
 * The element's stylesheet with its layout whitespace taken out (terser keeps template literals as they
 * are): newlines and indentation become one space, and spaces around `{ } ; ,` go. Nothing else changes,
 * so a selector keeps its meaning (`a :hover` is not `a:hover`). About 100 B of the gzipped bundle.
 */
const compactStyles = () => ({
  name: 'compact-styles',
  transform(code, id) {
    if (!id.endsWith('resumable-upload.styles.ts')) return null;
    const out = code.replace(
      /= css`([^`]*)`/,
      (_, body) =>
        `= css\`${body
          .replace(/\s*\n\s*/g, ' ')
          .replace(/\s*([{};,])\s*/g, '$1')
          .trim()}\``,
    );
    if (out === code) this.error('compact-styles: no css`` template found');
    return { code: out, map: null };
  },
});

const plugins = () => [
  compactStyles(),
  nodeResolve({ browser: true }),
  esbuild({ target: 'es2022', tsconfig: 'tsconfig.build.json' }),
  terser({
    ecma: 2022,
    module: true,
    compress: { passes: 2 },
    format: { comments: false },
  }),
];

// Each locale its own file in dist/locales/, apart from the bundle, so none costs a byte until loaded:
// `import 'resumable-upload/locales/de'`, or <script type="module" src=".../dist/locales/de.js">.
// They share what they need (Intl helpers, the registry, which lives on globalThis) in one small chunk.
const locales = {
  input: Object.fromEntries(
    readdirSync('src/element/locales')
      .filter((f) => f.endsWith('.ts') && f !== 'intl.ts')
      .map((f) => [f.slice(0, -3), `src/element/locales/${f}`]),
  ),
  output: {
    dir: 'dist/locales',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    format: 'es',
    sourcemap: true,
  },
  plugins: plugins(),
};

const bundle = {
  input: 'src/index.ts',
  // The chunks import what they share with the bundle from it, instead of a third chunk.
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'dist',
    entryFileNames: 'resumable-upload.js',
    chunkFileNames: 'resumable-upload-[name]-[hash].js',
    format: 'es',
    sourcemap: true,
  },
  plugins: plugins(),
};

export default [bundle, locales];
