// The analyzer's settings, shared by `npm run analyze` and the staleness test.
export default {
  globs: ['src/element/**/*.ts'],
  litelement: true,
  // package.json's "customElements" is written by hand; the analyzer must not rewrite it.
  packagejson: false,
};
