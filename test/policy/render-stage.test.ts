import * as path from 'node:path';
import { run } from '../../cmp-sidecar/cli';
import type { Io } from '../../cmp-sidecar/io';
import type { PolicyReport } from '../../cmp-sidecar/policy/types';
import { tempDir, writeTree } from '../cmp/helpers';

/**
 * The policies stage through `run(['generate'], io)`, the code path Argo CD's `generate` takes: the app's
 * templated `policies.paths`, the sidecar-wide EKS_OVERLAY_POLICY_DIRS read from io.env, Deny failing the render
 * with one message and nothing on stdout, Warn on stderr, the report for in-process callers, UPDATE in preview.
 */
const MIN_REPLICAS = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: min-replicas}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: object.spec.replicas >= 2
    messageExpression: "'prod needs 2 replicas, got ' + string(object.spec.replicas)"
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: min-replicas-prod}
spec:
  policyName: min-replicas
  validationActions: [Deny]
`;

const OWNER_LABEL_WARN = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: owner-label}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}
  validations:
  - expression: has(object.metadata.labels) && 'owner' in object.metadata.labels
    message: every object needs an owner label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: owner-label-warn}
spec:
  policyName: owner-label
  validationActions: [Warn, Audit]
`;

const NO_SCALE_DOWN = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-scale-down}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [UPDATE], resources: [deployments]}
  validations:
  - expression: object.spec.replicas >= oldObject.spec.replicas
    message: scaling down is reviewed by hand
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-scale-down}
spec:
  policyName: no-scale-down
  validationActions: [Deny]
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template: {}
`;

const HUNDRED = `[${Array.from({ length: 100 }, (_, i) => i + 1).join(', ')}]`;

let tmp: ReturnType<typeof tempDir>;
let appDir: string;
let sidecarDir: string;

beforeAll(() => {
  tmp = tempDir('policy-stage-');
  writeTree(tmp.dir, {
    'repo/apps/web/eks-overlay.yaml':
      'layers: [base]\npolicies:\n  paths: ["policies/{{cluster.metadata.labels.env}}"]\n',
    'repo/apps/web/base/deploy.yaml': DEPLOYMENT,
    'repo/apps/web/policies/prod/min-replicas.yaml': MIN_REPLICAS,
    'repo/apps/web/policies/update/no-scale-down.yaml': NO_SCALE_DOWN,
    'sidecar/owner-label.yaml': OWNER_LABEL_WARN,
    // Warns on every UPDATE, naming the oldObject it was given.
    'update-probe/policy.yaml': NO_SCALE_DOWN.replace(
      'object.spec.replicas >= oldObject.spec.replicas\n    message: scaling down is reviewed by hand',
      `"false"\n    messageExpression: "'update from ' + oldObject.metadata.name + ' at ' + string(oldObject.spec.replicas)"`,
    ).replace('validationActions: [Deny]', 'validationActions: [Warn]'),
    'broken/policy.yaml': MIN_REPLICAS.replace(
      'object.spec.replicas >= 2',
      'object.spec.replicas >=',
    ),
    // Four nested loops over 100 elements: 10^8 iterations, hours of evaluation without a bound.
    'hostile/policy.yaml': MIN_REPLICAS.replace(
      'object.spec.replicas >= 2',
      JSON.stringify(
        `${HUNDRED}.all(a, ${HUNDRED}.all(b, ${HUNDRED}.all(c, ${HUNDRED}.all(d, a + b + c + d > 0))))`,
      ),
    ),
  });
  appDir = path.join(tmp.dir, 'repo', 'apps', 'web');
  sidecarDir = path.join(tmp.dir, 'sidecar');
});
afterAll(() => tmp.cleanup());

function context(env: string): string {
  return JSON.stringify({
    name: `web-${env}`,
    nameNormalized: `web-${env}`,
    server: 'https://0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com',
    project: 'default',
    metadata: { labels: { env }, annotations: {} },
    aws: { accountId: '111122223333', region: 'us-east-1', clusterName: `web-${env}` },
  });
}

async function generate(
  env: string,
  extra: Partial<Io> & { vars?: Record<string, string> } = {},
  argv: string[] = ['generate'],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const { vars, ...ioExtra } = extra;
  const code = await run(argv, {
    cwd: appDir,
    env: {
      ARGOCD_APP_NAME: 'web',
      ARGOCD_APP_NAMESPACE: 'shop',
      ARGOCD_APP_PARAMETERS: 'null',
      ARGOCD_ENV_CLUSTER_CONTEXT: context(env),
      ...vars,
    },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ...ioExtra,
  });
  return { code, stdout, stderr };
}

describe('the policies stage in generate', () => {
  it('a Deny on a prod cluster fails the render: exit 1, nothing on stdout, one message naming everything', async () => {
    const r = await generate('prod');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('admission policies denied the render (1 violation(s))');
    expect(r.stderr).toContain(
      "Deployment shop/web (base/deploy.yaml:1): ValidatingAdmissionPolicy 'min-replicas' with binding " +
        "'min-replicas-prod' (policies/prod/min-replicas.yaml:2): prod needs 2 replicas, got 1 [reason: Forbidden]",
    );
  });

  it('the same app renders on a dev cluster, whose templated policy path does not exist', async () => {
    const r = await generate('dev');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('kind: Deployment');
  });

  it('sidecar-wide policies come from io.env, never from process.env; Warn goes to stderr and the render succeeds', async () => {
    const before = process.env['EKS_OVERLAY_POLICY_DIRS'];
    process.env['EKS_OVERLAY_POLICY_DIRS'] = path.join(tmp.dir, 'broken');
    try {
      const quiet = await generate('dev');
      expect(quiet.code).toBe(0);
      const r = await generate('dev', { vars: { EKS_OVERLAY_POLICY_DIRS: sidecarDir } });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('kind: Deployment');
      expect(r.stderr).toContain(
        'eks-overlay: warning: policy: Deployment shop/web (base/deploy.yaml:1): ValidatingAdmissionPolicy ' +
          `'owner-label' with binding 'owner-label-warn' (${path.join(sidecarDir, 'owner-label.yaml')}:2): every object needs an owner label [reason: Invalid]`,
      );
    } finally {
      if (before === undefined) delete process.env['EKS_OVERLAY_POLICY_DIRS'];
      else process.env['EKS_OVERLAY_POLICY_DIRS'] = before;
    }
  });

  it('io.onPolicyReport receives every violation of the render: Deny, Warn and Audit', async () => {
    const reports: PolicyReport[] = [];
    const r = await generate('prod', {
      vars: { EKS_OVERLAY_POLICY_DIRS: sidecarDir },
      onPolicyReport: (report) => reports.push(report),
    });
    expect(r.code).toBe(1);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.violations.map((v) => `${v.action} ${v.policy}`).sort()).toEqual([
      'Audit owner-label',
      'Deny min-replicas',
      'Warn owner-label',
    ]);
  });

  it('io.oldObjects makes a rendered object an UPDATE with its base-revision state as oldObject', async () => {
    const old = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 3 },
    };
    const asCreate = await generate('update');
    expect(asCreate.code).toBe(0);
    const asUpdate = await generate('update', { oldObjects: [old] });
    expect(asUpdate.code).toBe(1);
    expect(asUpdate.stderr).toContain('scaling down is reviewed by hand');
  });

  it("io.oldObjects 'unchanged' (the preview's inputs were equal at base) makes every object an UPDATE against itself", async () => {
    const probe = { EKS_OVERLAY_POLICY_DIRS: path.join(tmp.dir, 'update-probe') };
    const messages = async (extra: Partial<Io>) => {
      const reports: PolicyReport[] = [];
      const r = await generate('dev', {
        vars: probe,
        onPolicyReport: (report) => reports.push(report),
        ...extra,
      });
      expect(r.code).toBe(0);
      return reports.flatMap((x) => x.violations.map((v) => v.message));
    };
    expect(await messages({})).toEqual([]);
    expect(await messages({ oldObjects: 'unchanged' })).toEqual(['update from web at 1']);
  });

  it('a policy that does not compile is a configuration error (exit 78) naming its file:line', async () => {
    const r = await generate('dev', {
      vars: { EKS_OVERLAY_POLICY_DIRS: path.join(tmp.dir, 'broken') },
    });
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /policy\.yaml:10: ValidatingAdmissionPolicy min-replicas: spec\.validations\[0\]\.expression: syntax error/,
    );
  });

  it('a policy that would run for hours stops at the cost limit and fails the render (failurePolicy Fail)', async () => {
    const r = await generate('dev', {
      vars: { EKS_OVERLAY_POLICY_DIRS: path.join(tmp.dir, 'hostile') },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('operation cancelled: actual cost limit exceeded');
  });

  it('validate reports the same denial', async () => {
    const r = await generate('prod', {}, ['validate', '.']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAIL environment context: admission policies denied the render');
    expect(r.stderr).toContain('prod needs 2 replicas, got 1');
  });
});
