/**
 * `eks-overlay preview` as the shipped bundle runs it in CI: renders in worker threads (--jobs 2) give exactly the
 * in-process report (admission policies' violations and their oldObjects included), and a SIGTERM mid-preview removes the temporary checkouts before the process ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cmp-sidecar/cli';
import type { PreviewReport } from '../../cmp-sidecar/preview/model';
import { bundleSources } from '../helpers/bundle';
import type { SourceBundles } from '../helpers/bundle';
import { buildFixtureRepo } from './fixture';
import type { FixtureRepo } from './fixture';

let repo: FixtureRepo;
let bundles: SourceBundles;
let tmp: string;

beforeAll(async () => {
  repo = buildFixtureRepo();
  bundles = await bundleSources(['eks-overlay'], 'preview-bundle-');
  tmp = mkdtempSync(path.join(tmpdir(), 'preview-proc-tmp-'));
}, 60_000);

afterAll(() => {
  repo.cleanup();
  bundles.remove();
  rmSync(tmp, { recursive: true, force: true });
});

const args = () => [
  'preview',
  '--base',
  'base',
  '--head',
  'head',
  '--fleet',
  repo.fleetFile,
  '--format',
  'json',
];
const checkouts = () => readdirSync(tmp).filter((n) => n.startsWith('eks-overlay-preview-'));

test('renders in worker threads give the same report as in process', async () => {
  const child = spawnSync(
    process.execPath,
    [bundles.file('eks-overlay'), ...args(), '--jobs', '2'],
    {
      cwd: repo.dir,
      env: { ...process.env, TMPDIR: tmp },
      encoding: 'utf8',
    },
  );
  let inProcess = '';
  await run([...args(), '--jobs', '1'], {
    stdout: { write: (s: string) => (inProcess += s) },
    stderr: { write: () => true },
    env: {},
    cwd: repo.dir,
  });
  expect(child.status).toBe(1); // the fixture's failing render
  expect(JSON.parse(child.stdout)).toEqual(JSON.parse(inProcess));
  expect(checkouts()).toEqual([]);
}, 60_000);

/** Deny on 5 replicas (web at head on prod), an UPDATE-only rule reading oldObject, Audit on every CREATE. */
const POLICIES = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: object.spec.replicas <= 4
    messageExpression: "'at most 4 replicas, got ' + string(object.spec.replicas) + ', was ' + string(oldObject.spec.replicas)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas}
spec: {policyName: max-replicas, validationActions: [Deny]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: created}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE], resources: ["*"]}
  validations:
  - {expression: "false", message: created by this change}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: created}
spec: {policyName: created, validationActions: [Audit]}
`;

test('with --policies, renders in worker threads give the same report as in process', async () => {
  const dir = path.join(tmp, 'policies');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'policy.yaml'), POLICIES);
  const withPolicies = [...args(), '--policies', dir];
  const child = spawnSync(
    process.execPath,
    [bundles.file('eks-overlay'), ...withPolicies, '--jobs', '2'],
    { cwd: repo.dir, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' },
  );
  let inProcess = '';
  const code = await run([...withPolicies, '--jobs', '1'], {
    stdout: { write: (s: string) => (inProcess += s) },
    stderr: { write: () => true },
    env: {},
    cwd: repo.dir,
  });
  expect(code).toBe(1);
  expect(child.status).toBe(1);
  const report = JSON.parse(child.stdout) as PreviewReport;
  expect(report).toEqual(JSON.parse(inProcess));
  expect(report.summary.policy).toEqual({ deny: 2, warn: 0, audit: 1 });
  const web = report.applications.find((a) => a.name === 'web-prod-euw1');
  expect(web?.policy?.map((v) => v.message)).toEqual(['at most 4 replicas, got 5, was 3']);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('SIGTERM during the preview removes the temporary checkouts, and nothing is printed', async () => {
  const child = spawn(process.execPath, [bundles.file('eks-overlay'), ...args(), '--jobs', '2'], {
    cwd: repo.dir,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Wait until the first checkout exists, then stop the preview.
  for (let i = 0; i < 3000 && checkouts().length === 0 && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const sawCheckout = checkouts().length > 0;
  child.kill('SIGTERM');
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  expect(sawCheckout).toBe(true);
  // Ended as SIGTERM ends a process: by the signal itself, or with the status a shell reports for it (143).
  expect(ended.signal === 'SIGTERM' || ended.code === 143).toBe(true);
  expect(stdout).toBe('');
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
  expect(checkouts()).toEqual([]);
}, 60_000);
