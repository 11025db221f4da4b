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
        "import { launch, readEmbeddedSource } from './cmp-sidecar/launcher';\n" +
        'launch({ source: readEmbeddedSource(__filename), hash: EKS_OVERLAY_BUNDLE_HASH },' +
        ' { module, require, filename: __filename });\n',
      resolveDir: REPO_ROOT,
      loader: 'ts',
      sourcefile: 'eks-overlay-launcher.ts',
    },
    outdir,
    sourcemap: false,
    metafile: false,
    write: false,
  });
  const hash = createHash('sha256').update(js).digest('hex');
  writeFileSync(
    path.join(outdir, 'eks-overlay.cjs'),
    embed(launcher.outputFiles[0].text, js, hash),
  );
  // The map is the embedded bundle's, whose lines the launcher keeps.
  writeFileSync(path.join(outdir, 'eks-overlay.cjs.map'), map);
  return cli.metafile;
}

/**
 * The launcher, then BUNDLE_MARKER (cmp-sidecar/launcher.ts), then the bundle with every line commented out, which
 * readEmbeddedSource undoes exactly. Only \n may end a line of the bundle: \r, U+2028 and U+2029 would end a
 * comment too (esbuild escapes them in strings; a raw one would fail the build here, never the launcher).
 */
function embed(launcherJs, bundleJs, hash) {
  if (/[\r\u2028\u2029]/.test(bundleJs))
    throw new Error(
      'eks-overlay bundle: a line ends otherwise than with \\n; it cannot be embedded',
    );
  const marker = '//# eks-overlay: the CLI bundle follows, each line commented out';
  return (
    `"use strict";\nconst EKS_OVERLAY_BUNDLE_HASH = ${JSON.stringify(hash)};\n${launcherJs}\n` +
    `${marker}\n${bundleJs
      .split('\n')
      .map((line) => `//${line}`)
      .join('\n')}`
  );
}

module.exports = { buildEksOverlay, embed };
