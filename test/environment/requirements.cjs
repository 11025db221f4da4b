'use strict';
// What the test suites need beyond `npm ci`: the reference material ../shared (beside the clone; this repository
// does not ship it) and external tools. Checked once, up front, by jest.config.js and the global setup: a suite whose
// need is missing is not run and named in one line saying why, instead of failing with ENOENT. With CI=true a
// missing tool fails the run instead (CI installs them: .ci/run), so CI never passes by skipping.
//
// A suite that starts reading ../shared or running a tool is added here; test/environment/requirements.test.ts
// finds suites that use them without being listed.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');

/** Each need: how to tell it is there, what to say when it is not, and the suites (repository paths) needing it. */
const NEEDS = {
  shared: {
    kind: 'reference data',
    available: () => existsSync(SHARED_DIR),
    why: '../shared is absent (reference data this repository does not ship; put it beside the clone to run them)',
    suites: [
      'cmp-sidecar/secrets/external-secret.test.ts',
      'test/cmp/merge-keys.test.ts',
      'test/contract/plugin-generator-vectors.test.ts',
      'test/import-terraform/import-terraform.test.ts',
      'test/import-terraform/rgd.test.ts',
      'test/integration/kro-cli.test.ts',
      'test/integration/kro-corpus-validate.test.ts',
      'test/integration/kro-secrets-and-rgd-paths.test.ts',
      'test/integration/secrets-cli.test.ts',
      'test/integration/secrets-external-secret.test.ts',
      'test/integration/secrets-typed-values.test.ts',
      'test/kro/corpus-verdicts.test.ts',
      'test/kro/legacy-resource-group.test.ts',
      'test/kro/rgd-rules.test.ts',
      'test/kro/typos.test.ts',
      'test/manifests/example-eks-overlay-app.test.ts',
      'test/manifests/examples-applicationsets.test.ts',
      'test/manifests/fleet-view-cluster-upgrades.test.ts',
      'test/manifests/install.test.ts',
      'test/manifests/schemas.test.ts',
      'test/manifests/upgrades-component.test.ts',
      'test/policy/corpus-verdicts.test.ts',
    ],
  },
  kubectl: {
    kind: 'tool',
    available: () => runs('kubectl', ['version', '--client']),
    why: 'kubectl is not on the PATH (install kubectl 1.27 or later: https://kubernetes.io/docs/tasks/tools/)',
    suites: [
      'test/cmp/kustomize-equivalence.test.ts',
      'test/manifests/argocd-integration.test.ts',
      'test/manifests/examples-applicationsets.test.ts',
      'test/manifests/fleet-view-component.test.ts',
      'test/manifests/generator-rbac.test.ts',
      'test/manifests/install.test.ts',
      'test/manifests/kustomize-builds.test.ts',
      'test/manifests/monitoring.test.ts',
      'test/manifests/registrar-component.test.ts',
      'test/manifests/schemas.test.ts',
      'test/manifests/service-config.test.ts',
      'test/manifests/upgrades-component.test.ts',
      'test/preview/preview-escape.test.ts',
      'test/preview/preview-policies.test.ts',
      'test/preview/preview-process.test.ts',
      'test/preview/preview.test.ts',
    ],
  },
  git: {
    kind: 'tool',
    available: () => runs('git', ['--version']),
    why: 'git is not on the PATH (install git)',
    suites: [
      'test/preview/preview-escape.test.ts',
      'test/preview/preview-policies.test.ts',
      'test/preview/preview-process.test.ts',
      'test/preview/preview.test.ts',
    ],
  },
  curl: {
    kind: 'tool',
    available: () => runs('curl', ['--version']),
    // eks-overlay-client, plugin.yaml's generate command, talks to the warm render server with curl (the image
    // installs it); %header{} in --write-out needs curl 7.84 or later.
    why: 'curl is not on the PATH (apt-get install curl)',
    suites: ['test/cmp/warm-entrypoint.test.ts', 'test/cmp/warm-render.test.ts'],
  },
  'lua5.1': {
    kind: 'tool',
    available: () => runs('lua5.1', ['-v']),
    // No npm package is a maintained Lua 5.1, the dialect Argo CD's gopher-lua runs.
    why: 'lua5.1 is not on the PATH (apt-get install lua5.1)',
    suites: ['test/kro/health-checks.test.ts'],
  },
  chromium: {
    kind: 'tool',
    // Debian's chromium package, driven by puppeteer-core (which downloads no browser); CHROMIUM_PATH overrides.
    available: () => runs(process.env.CHROMIUM_PATH || 'chromium', ['--version']),
    why: 'chromium is not on the PATH (apt-get install chromium, or set CHROMIUM_PATH)',
    suites: ['test/integration/fleet-view-browser.test.ts'],
  },
};

function runs(command, args) {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

/**
 * The needs that are missing, each with the suites it keeps from running. With CI=true a missing tool is an error
 * to report (the run must fail), not a reason to skip. `isAvailable` is for the tests of this module.
 */
function checkRequirements(env = process.env, isAvailable = (name, need) => need.available()) {
  const ci = env.CI === 'true' || env.CI === '1';
  const missing = [];
  for (const [name, need] of Object.entries(NEEDS)) {
    if (!isAvailable(name, need)) {
      missing.push({ name, kind: need.kind, why: need.why, suites: need.suites });
    }
  }
  const failing = ci ? missing.filter((m) => m.kind === 'tool') : [];
  const skipped = missing.filter((m) => !failing.includes(m));
  const skippedSuites = [...new Set(skipped.flatMap((m) => m.suites))].sort();
  return { missing, failing, skipped, skippedSuites };
}

/** jest testPathIgnorePatterns for the suites that cannot run here (anchored at the repository root). */
function ignorePatterns(result) {
  return result.skippedSuites.map((s) => `^${escapeRegExp(path.join(REPO_ROOT, s))}$`);
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const suites = (n) => `${n} suite${n === 1 ? '' : 's'}`;

/** One line per missing need that skips suites, naming them and why. Empty when nothing is skipped. */
function report(result) {
  return result.skipped.map(
    (m) => `not run: ${suites(m.suites.length)}, because ${m.why}: ${m.suites.join(', ')}`,
  );
}

/** The one summary line for the end of the run, or undefined when every suite could run. */
function summary(result) {
  if (result.skippedSuites.length === 0) return undefined;
  const causes = result.skipped.map((m) => `${m.name} (${suites(m.suites.length)})`).join(', ');
  return `${suites(result.skippedSuites.length)} not run for want of ${causes}: the first lines of this run say which and why`;
}

module.exports = {
  NEEDS,
  REPO_ROOT,
  SHARED_DIR,
  checkRequirements,
  ignorePatterns,
  report,
  summary,
};
