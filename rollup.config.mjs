// The script-tag drop-in: one minified ESM file with Lit inside, and beside it the chunks it imports on
// demand (the tus and IETF protocols), named so a CDN path to the folder keeps working.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import terser from '@rollup/plugin-terser';

export default {
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
  plugins: [
    nodeResolve({ browser: true }),
    esbuild({ target: 'es2022', tsconfig: 'tsconfig.build.json' }),
    terser({
      ecma: 2022,
      module: true,
      compress: { passes: 2 },
      format: { comments: false },
    }),
  ],
};
