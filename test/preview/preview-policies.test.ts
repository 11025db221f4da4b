/**
 * `eks-overlay preview --policies`: the head renders' admission policies, as the render's policy stage reports them
 * (io.onPolicyReport), in the JSON (`summary.policy`, per Application `policy`) and in the markdown; a Deny fails the
 * Application and the preview (exit 1), Warn and Audit do not; objects that exist at base are reviewed as UPDATEs
 * with the base object as oldObject, new ones as CREATEs. Fixture: test/preview/fixture.ts (web goes from 3 to 5
 * replicas on the prod clusters; worker is unchanged; vault is new on the dev cluster).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cmp-sidecar/cli';
import type { AppEntry, PreviewReport } from '../../cmp-sidecar/preview/model';
import { buildFixtureRepo } from './fixture';
import type { FixtureRepo } from './fixture';
import { expectMatchesGolden } from '../cmp/golden';

const vap = (
  name: string,
  rule: string,
  validation: string,
  actions: string,
) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  matchConstraints:
    resourceRules:
    - ${rule}
  validations:
  - ${validation}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}-binding}
spec:
  policyName: ${name}
  validationActions: ${actions}
`;

const DEPLOYMENTS = (ops: string) =>
  `{apiGroups: [apps], apiVersions: [v1], operations: ${ops}, resources: [deployments]}`;

/** Denies what only the head has: 5 replicas (web on the prod clusters). */
const MAX_REPLICAS = vap(
  'max-replicas',
  DEPLOYMENTS('[CREATE, UPDATE]'),
  `expression: object.spec.replicas <= 4
    messageExpression: "'at most 4 replicas, got ' + string(object.spec.replicas)"`,
  '[Deny]',
);

const OWNER_WARN = vap(
  'owner-label',
  DEPLOYMENTS('[CREATE, UPDATE]'),
  `expression: has(object.metadata.labels) && 'owner' in object.metadata.labels
    message: every Deployment needs an owner label`,
  '[Warn]',
);

/** An UPDATE-only rule that reads oldObject: replicas are frozen. */
const FROZEN_REPLICAS = vap(
  'frozen-replicas',
  DEPLOYMENTS('[UPDATE]'),
  `expression: object.spec.replicas == oldObject.spec.replicas
    messageExpression: "'replicas changed from ' + string(oldObject.spec.replicas) + ' to ' + string(object.spec.replicas)"`,
  '[Deny]',
);

/** A CREATE-only rule on every kind, recorded only. */
const CREATED_AUDIT = vap(
  'created',
  `{apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE], resources: ["*"]}`,
  `expression: "false"
    message: created by this change`,
  '[Audit]',
);

/** Denies the base's web Deployment (3 replicas), which the head no longer has: the base must not be reviewed. */
const NOT_THREE_ON_WEB = vap(
  'web-not-three',
  DEPLOYMENTS('[CREATE, UPDATE]'),
  `expression: object.metadata.name != 'web' || object.spec.replicas != 3
    message: web must not run 3 replicas`,
  '[Deny]',
);

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let repo: FixtureRepo;
let tmp: string;
const savedTmp = process.env['TMPDIR'];

beforeAll(() => {
  repo = buildFixtureRepo();
  tmp = mkdtempSync(path.join(tmpdir(), 'preview-policies-'));
  const dir = (name: string, text: string) => {
    mkdirSync(path.join(tmp, name));
    writeFileSync(path.join(tmp, name, 'policy.yaml'), text);
  };
  dir('deny', MAX_REPLICAS);
  dir('warn', OWNER_WARN);
  dir('update', `${FROZEN_REPLICAS}---\n${CREATED_AUDIT}`);
  dir('base-only', NOT_THREE_ON_WEB);
  mkdirSync(path.join(tmp, 'checkouts'));
  process.env['TMPDIR'] = path.join(tmp, 'checkouts');
});

afterAll(() => {
  if (savedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmp;
  rmSync(tmp, { recursive: true, force: true });
  repo.cleanup();
});

/** The preview of base against head; `raw` gives every argument but the fleet. */
async function preview(...args: string[]): Promise<Ran> {
  return raw('--base', 'base', '--head', 'head', ...args);
}

async function raw(...args: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await run(['preview', '--fleet', repo.fleetFile, ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: repo.dir,
  });
  return { code, stdout, stderr };
}

const policies = (...names: string[]) => names.flatMap((n) => ['--policies', path.join(tmp, n)]);
const byName = (report: PreviewReport) =>
  new Map(report.applications.map((a): [string, AppEntry] => [a.name, a]));
const violations = (e: AppEntry | undefined) =>
  (e?.policy ?? []).map((v) => `${v.action} ${v.policy}: ${v.message}`);

describe('a Deny that only the head meets, on the prod clusters', () => {
  let json: PreviewReport;
  let code: number;
  let markdown: string;

  beforeAll(async () => {
    const ran = await preview('--format', 'json', ...policies('deny'));
    code = ran.code;
    json = JSON.parse(ran.stdout) as PreviewReport;
    markdown = (await preview(...policies('deny'))).stdout;
  });

  test('fails the preview and each prod Application, with the violation as the evaluator reports it', () => {
    expect(code).toBe(1);
    expect(json.summary.policy).toEqual({ deny: 2, warn: 0, audit: 0 });
    const apps = byName(json);
    for (const cluster of ['prod-euw1', 'prod-use1']) {
      const web = apps.get(`web-${cluster}`);
      expect(web).toMatchObject({ cluster, status: 'error' });
      expect(web?.error).toContain('admission policies denied the render');
      expect(web?.error).toContain('at most 4 replicas, got 5');
      expect(web?.policy).toEqual([
        {
          engine: 'ValidatingAdmissionPolicy',
          policy: 'max-replicas',
          binding: 'max-replicas-binding',
          action: 'Deny',
          message: 'at most 4 replicas, got 5',
          reason: 'Invalid',
          object: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: 'web',
            name: 'web',
            source: expect.objectContaining({ file: 'base/deployment.yaml' }) as unknown,
          },
          policySource: expect.objectContaining({
            file: expect.stringContaining('policy.yaml'),
          }) as unknown,
        },
      ]);
    }
  });

  test('the other Applications are evaluated and clean: worker on prod (unchanged), vault on dev (new)', () => {
    const apps = byName(json);
    expect(apps.get('worker-prod-euw1')).toMatchObject({ status: 'unchanged', policy: [] });
    expect(apps.get('vault-dev-euw1')).toMatchObject({ status: 'added', policy: [] });
    const flagged = json.applications.filter((a) => (a.policy ?? []).length > 0);
    expect(flagged.map((a) => a.cluster).sort()).toEqual(['prod-euw1', 'prod-use1']);
    // Sources eks-overlay does not render are not evaluated.
    expect(apps.get('plain')?.policy).toBeNull();
  });

  test('the markdown lists the denial once, with both prod Applications and clusters', () => {
    expect(markdown).toContain('Admission policies: 2 denials, 0 warnings, 0 audit.');
    expect(markdown).toContain(
      '### :no_entry: Policy denials (the render fails on these clusters): 2\n\n' +
        '- `Deployment web/web` (base/deployment.yaml:1): policy `max-replicas` (binding `max-replicas-binding`): at most 4 replicas, got 5\n' +
        '  ApplicationSet `web`, 2 Applications: `web-prod-euw1` on `prod-euw1`, `web-prod-use1` on `prod-use1`',
    );
    expect(markdown).not.toContain('Policy warnings');
    expect(markdown).not.toMatch(/Policy denials[^#]*dev-euw1/);
  });
});

test('a Warn is listed and does not fail the preview', async () => {
  const ran = await preview(
    '--format',
    'json',
    '--appsets',
    'fleet/worker.yaml',
    ...policies('warn'),
  );
  expect(ran.code).toBe(0);
  const report = JSON.parse(ran.stdout) as PreviewReport;
  expect(report.summary.policy).toEqual({ deny: 0, warn: 2, audit: 0 });
  for (const name of ['worker-prod-euw1', 'worker-prod-use1']) {
    // Unchanged by input hash, rendered once at head for the policies.
    expect(byName(report).get(name)).toMatchObject({ status: 'unchanged', skipped: true });
    expect(violations(byName(report).get(name))).toEqual([
      'Warn owner-label: every Deployment needs an owner label',
    ]);
  }
  const md = await preview('--appsets', 'fleet/worker.yaml', ...policies('warn'));
  expect(md.code).toBe(0);
  expect(md.stdout).toContain('### Policy warnings: 2\n');
  expect(md.stdout).toContain(
    '  ApplicationSet `worker`, 2 Applications: `worker-prod-euw1` on `prod-euw1`, `worker-prod-use1` on `prod-use1`',
  );
});

test('objects the base has are UPDATEs with the base object as oldObject; new ones are CREATEs', async () => {
  // base-only denies web's base Deployment: were the base reviewed (and so not rendered), web's Deployment would
  // have no base object, be a CREATE, and the UPDATE-only rule would not see it.
  const ran = await preview('--format', 'json', ...policies('update', 'base-only'));
  expect(ran.code).toBe(1);
  const report = JSON.parse(ran.stdout) as PreviewReport;
  const apps = byName(report);
  for (const name of ['web-prod-euw1', 'web-prod-use1']) {
    expect(apps.get(name)?.status).toBe('error');
    expect(violations(apps.get(name))).toEqual([
      'Deny frozen-replicas: replicas changed from 3 to 5',
    ]);
  }
  // worker is unchanged (skipped by input hash): each object is an UPDATE against itself, nothing changed.
  expect(apps.get('worker-prod-euw1')).toMatchObject({ status: 'unchanged', skipped: true });
  expect(violations(apps.get('worker-prod-euw1'))).toEqual([]);
  // vault is new at head: its Secret is a CREATE.
  expect(violations(apps.get('vault-dev-euw1'))).toEqual(['Audit created: created by this change']);
  expect(report.summary.policy).toEqual({ deny: 2, warn: 0, audit: 1 });
});

test('the markdown comment with denials, warnings and audit matches the golden file', async () => {
  const ran = await preview(...policies('deny', 'warn', 'update'));
  expect(ran.code).toBe(1);
  expectMatchesGolden(
    ran.stdout,
    path.join(__dirname, '..', 'golden', 'preview', 'fixture-policies.md'),
  );
});

test("an app's own policies.paths are evaluated as in a real render, without --policies", async () => {
  // The working tree is the head: worker gains its own (templated) policy directory.
  const config = path.join(repo.dir, 'apps', 'worker', 'eks-overlay.yaml');
  const committed = readFileSync(config, 'utf8');
  const own = path.join(repo.dir, 'apps', 'worker', 'policies', 'prod');
  mkdirSync(own, { recursive: true });
  writeFileSync(path.join(own, 'warn.yaml'), OWNER_WARN);
  writeFileSync(
    config,
    `${committed}policies:\n  paths: ['policies/{{cluster.metadata.labels.env}}']\n`,
  );
  try {
    const ran = await raw('--base', 'head', '--format', 'json', '--appsets', 'fleet/worker.yaml');
    expect(ran.code).toBe(0);
    const report = JSON.parse(ran.stdout) as PreviewReport;
    expect(report.summary.policy).toEqual({ deny: 0, warn: 2, audit: 0 });
    expect(violations(byName(report).get('worker-prod-use1'))).toEqual([
      'Warn owner-label: every Deployment needs an owner label',
    ]);
  } finally {
    writeFileSync(config, committed);
    rmSync(path.join(repo.dir, 'apps', 'worker', 'policies'), { recursive: true, force: true });
  }
});

test('without --policies nothing is evaluated: no policy section', async () => {
  const ran = await preview('--format', 'json');
  const report = JSON.parse(ran.stdout) as PreviewReport;
  expect(report.summary.policy).toBeNull();
  expect(report.applications.every((a) => a.policy === null)).toBe(true);
});
