#!/usr/bin/env node
'use strict';
// Launches the bundled CLI (dist/eks-overlay.cjs), building it first in a checkout where dist/ is missing.
// Build output goes to stderr: stdout carries only manifests.
const path = require('node:path');
const fs = require('node:fs');

const repo = path.join(__dirname, '..');
const bundle = path.join(repo, 'dist', 'eks-overlay.cjs');
if (!fs.existsSync(bundle)) {
  const built = require('node:child_process').spawnSync(process.execPath, ['build.mjs'], {
    cwd: repo,
    stdio: ['ignore', 2, 2],
  });
  if (built.status !== 0 || !fs.existsSync(bundle)) {
    process.stderr.write(
      'eks-overlay: could not build dist/eks-overlay.cjs (run "npm run build")\n',
    );
    process.exit(70);
  }
}
require(bundle);
