'use strict';
// Builds dist/eks-overlay.cjs: the CLI bundle (cmp-sidecar/main.ts) embedded as a string in the launcher
// (cmp-sidecar/launcher.ts), which compiles it with a V8 code cache. Still one file, run as `node eks-overlay.cjs`.
// Shared by build.mjs and the launcher's end-to-end test, so both produce the same file.
const { createHash } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const { build } = require('esbuild');

const REPO_ROOT = path.join(__dirname, '..');

/**
 * @param {string} outdir where eks-overlay.cjs (and its .map) go
 * @param {import('esbuild').BuildOptions} common esbuild options shared with the other bundles
 * @returns {Promise<import('esbuild').Metafile>} the CLI bundle's metafile
 */
async function buildEksOverlay(outdir, common) {
  const cli = await build({
    ...common,
    absWorkingDir: REPO_ROOT,
    entryPoints: { 'eks-overlay': 'cmp-sidecar/main.ts' },
    outdir,
    sourcemap: 'linked',
    metafile: true,
    write: false,
  });
  const js = cli.outputFiles.find((f) => f.path.endsWith('.cjs')).text;
  const map = cli.outputFiles.find((f) => f.path.endsWith('.cjs.map')).text;
  const launcher = await build({
    ...common,
    absWorkingDir: REPO_ROOT,
    stdin: {
      contents:
        "import { launch } from './cmp-sidecar/launcher';\n" +
        'launch(EKS_OVERLAY_BUNDLE, { module, require, filename: __filename });\n',
      resolveDir: REPO_ROOT,
      loader: 'ts',
      sourcefile: 'eks-overlay-launcher.ts',
    },
    outdir,
    sourcemap: false,
    metafile: false,
    write: false,
  });
  const bundle = { source: js, hash: createHash('sha256').update(js).digest('hex') };
  writeFileSync(
    path.join(outdir, 'eks-overlay.cjs'),
    `"use strict";\nconst EKS_OVERLAY_BUNDLE = ${JSON.stringify(bundle)};\n${launcher.outputFiles[0].text}`,
  );
  // The map is the embedded bundle's, whose lines the launcher keeps.
  writeFileSync(path.join(outdir, 'eks-overlay.cjs.map'), map);
  return cli.metafile;
}

module.exports = { buildEksOverlay };
