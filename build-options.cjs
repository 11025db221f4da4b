'use strict';
// The esbuild options every shipped bundle is built with. Shared by build.mjs and by the tests that bundle the
// current sources (test/helpers/bundle.ts, cmp-sidecar/compile-cache.test.ts), so a test runs code built as dist/ is.

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  keepNames: true,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
};

module.exports = { common };
