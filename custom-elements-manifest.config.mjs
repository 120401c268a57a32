// The analyzer's settings, shared by `npm run analyze` and the staleness test.
export default {
  globs: ['src/element/**/*.ts'],
  litelement: true,
  // package.json's "customElements" is written by hand; the analyzer must not rewrite it.
  packagejson: false,
  plugins: [
    {
      // The analyzer lists modules in the order the file system gives them, which differs between a
      // working tree and a fresh clone: sort them by path, so every checkout makes the same manifest.
      name: 'sort-modules',
      packageLinkPhase({ customElementsManifest }) {
        customElementsManifest.modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      },
    },
  ],
};
