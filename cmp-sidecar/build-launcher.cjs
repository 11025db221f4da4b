'use strict';
// Builds dist/eks-overlay.cjs, a small entry (cmp-sidecar/entry.ts) that turns on Node's compile cache and then
// loads the CLI bundle beside it, dist/eks-overlay-cli.cjs (cmp-sidecar/main.ts). Run as `node eks-overlay.cjs`.
// Shared by build.mjs and the entry's end-to-end test, so both produce the same files.
const path = require('node:path');
const { build } = require('esbuild');

const REPO_ROOT = path.join(__dirname, '..');

/**
 * @param {string} outdir where eks-overlay.cjs and eks-overlay-cli.cjs (with its .map) go
 * @param {import('esbuild').BuildOptions} common esbuild options shared with the other bundles
 * @returns {Promise<import('esbuild').Metafile>} the bundles' metafile
 */
async function buildEksOverlay(outdir, common) {
  const cli = await build({
    ...common,
    absWorkingDir: REPO_ROOT,
    entryPoints: {
      'eks-overlay-cli': 'cmp-sidecar/main.ts',
      'eks-overlay': 'cmp-sidecar/entry.ts',
    },
    outdir,
    sourcemap: 'linked',
    metafile: true,
  });
  return cli.metafile;
}

module.exports = { buildEksOverlay };
