import * as path from 'node:path';
import { run } from '../../cmp-sidecar/cli';
import { tempDir, writeTree } from '../cmp/helpers';
import { deploymentPolicy } from './helpers';

/**
 * `eks-overlay policy test`, the gator-like command for CI and policy authors: exit codes 0/1/2/78, every
 * violation printed, `--output json`, AdmissionReview input, and the same evaluator as renders.
 */
let tmp: ReturnType<typeof tempDir>;

const deployment = (replicas: number, name = 'web') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec: {replicas: ${replicas}}\n`;

beforeAll(() => {
  tmp = tempDir('policy-test-cli-');
  writeTree(tmp.dir, {
    'policies/max-replicas.yaml': deploymentPolicy(
      'validations:\n- expression: object.spec.replicas <= 5\n  messageExpression: "\'at most 5, got \' + string(object.spec.replicas)"',
    ),
    'warn/max-replicas.yaml': deploymentPolicy(
      'validations:\n- expression: object.spec.replicas <= 5\n  message: too many',
      'validationActions: [Warn]',
    ),
    'no-shrink/policy.yaml': deploymentPolicy(
      'validations:\n- expression: request.operation != "UPDATE" || object.spec.replicas >= oldObject.spec.replicas\n  message: no scale-down',
    ),
    'broken/policy.yaml': deploymentPolicy('validations:\n- expression: "object.spec.replicas <"'),
    'objects/small.yaml': deployment(2),
    'objects/big.yaml': `${deployment(9)}---\n${deployment(7, 'api')}`,
    'objects/review.yaml': `apiVersion: admission.k8s.io/v1
kind: AdmissionReview
request:
  operation: UPDATE
  namespace: shop
  object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: shop}, spec: {replicas: 1}}
  oldObject: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: shop}, spec: {replicas: 3}}
`,
  });
});
afterAll(() => tmp.cleanup());

async function policyTest(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(['policy', 'test', ...args], {
    cwd: tmp.dir,
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('eks-overlay policy test', () => {
  it('exit 0 when allowed', async () => {
    const r = await policyTest('--policies', 'policies', 'objects/small.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('allowed: 0 deny, 0 warn, 0 audit over 1 object(s)');
  });

  it('exit 1 when denied, every violation printed', async () => {
    const r = await policyTest('--policies', 'policies', 'objects/big.yaml', 'objects/small.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "DENY  Deployment default/web (objects/big.yaml:1): ValidatingAdmissionPolicy 'test-policy' with binding 'test-binding'",
    );
    expect(r.stdout).toContain('at most 5, got 9');
    expect(r.stdout).toContain('at most 5, got 7');
    expect(r.stdout).toContain('denied: 2 deny, 0 warn, 0 audit over 3 object(s)');
  });

  it('warnings go to stderr and the verdict stays allowed', async () => {
    const r = await policyTest('--policies', 'warn', 'objects/big.yaml');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('eks-overlay: warning: Deployment default/web');
    expect(r.stderr).toContain('too many');
  });

  it('--output json prints {allowed, violations: [{policy, binding, action, message, object}]}', async () => {
    const r = await policyTest(
      '--policies',
      'policies',
      '--namespace',
      'shop',
      '--output',
      'json',
      'objects/big.yaml',
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { allowed: boolean; violations: unknown[] };
    expect(out.allowed).toBe(false);
    expect(out.violations[0]).toEqual({
      policy: 'test-policy',
      binding: 'test-binding',
      action: 'Deny',
      message: 'at most 5, got 9',
      reason: 'Invalid',
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        source: { file: 'objects/big.yaml', line: 1 },
      },
    });
  });

  it('an AdmissionReview is the request: its operation, object and oldObject', async () => {
    const r = await policyTest('--policies', 'no-shrink', 'objects/review.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Deployment shop/web');
    expect(r.stdout).toContain('no scale-down');
  });

  it('--operation UPDATE with --old-object', async () => {
    const allowed = await policyTest('--policies', 'no-shrink', 'objects/small.yaml');
    expect(allowed.code).toBe(0);
    const r = await policyTest(
      '--policies',
      'no-shrink',
      '--operation',
      'UPDATE',
      '--old-object',
      'objects/big.yaml',
      'objects/small.yaml',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no scale-down');
  });

  it('exit 2 on a usage error', async () => {
    expect((await policyTest('objects/small.yaml')).code).toBe(2);
    expect((await policyTest('--policies', 'policies')).code).toBe(2);
    expect(
      (await policyTest('--policies', 'policies', '--operation', 'PATCH', 'objects/small.yaml'))
        .code,
    ).toBe(2);
    expect((await policyTest('--policies', 'policies', 'objects/missing.yaml')).code).toBe(2);
  });

  it('exit 78 on a policy that cannot be loaded, naming its file:line', async () => {
    const r = await policyTest('--policies', 'broken', 'objects/small.yaml');
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `${path.join('broken', 'policy.yaml')}:10: ValidatingAdmissionPolicy test-policy: spec.validations[0].expression: syntax error`,
    );
    expect((await policyTest('--policies', 'nowhere', 'objects/small.yaml')).code).toBe(78);
  });
});
