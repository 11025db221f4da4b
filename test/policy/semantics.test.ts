import { ConfigError } from '../../core/errors';
import { DEPLOYMENT, deploymentPolicy, outcomes, run } from './helpers';

/**
 * The semantics of policy-cel.md, one behaviour per test: what Kubernetes' admission plugin (and Gatekeeper's
 * driver) would decide for the same policy and object, evaluated offline.
 */
describe('matching (matchConstraints, bindings, selectors)', () => {
  const replicasAtMost5 = deploymentPolicy('validations:\n- expression: object.spec.replicas <= 5');

  it('matches rules on the plural resource name and denies a failing object', () => {
    expect(outcomes(run({ policies: replicasAtMost5, objects: DEPLOYMENT(6) }))).toEqual([
      'Deny: failed expression: object.spec.replicas <= 5',
    ]);
    expect(outcomes(run({ policies: replicasAtMost5, objects: DEPLOYMENT(5) }))).toEqual([]);
  });

  it('does not evaluate a kind whose resource the rules do not name', () => {
    const sts = DEPLOYMENT(6).replace('kind: Deployment', 'kind: StatefulSet');
    expect(outcomes(run({ policies: replicasAtMost5, objects: sts }))).toEqual([]);
  });

  it('excludeResourceRules win over resourceRules', () => {
    const policy = deploymentPolicy(`validations:
- expression: "false"
matchConstraints:
  resourceRules:
  - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}
  excludeResourceRules:
  - {apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments]}`).replace(
      / {2}matchConstraints:\n {4}resourceRules:\n {4}- \{apiGroups: \[apps\].*\n/,
      '',
    );
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(1) }))).toEqual([]);
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n';
    expect(run({ policies: policy, objects: cm }).violations).toHaveLength(1);
  });

  it('scope Cluster does not match a namespaced object; Namespaced does', () => {
    const scoped = (scope: string) =>
      deploymentPolicy(`validations:\n- expression: "false"\n  message: scoped`).replace(
        'resources: [deployments]}',
        `resources: [deployments], scope: ${scope}}`,
      );
    expect(run({ policies: scoped('Cluster'), objects: DEPLOYMENT(1) }).violations).toHaveLength(0);
    expect(run({ policies: scoped('Namespaced'), objects: DEPLOYMENT(1) }).violations).toHaveLength(
      1,
    );
  });

  it('objectSelector matches the labels of the object', () => {
    const policy = deploymentPolicy('validations:\n- expression: "false"').replace(
      'resources: [deployments]}',
      'resources: [deployments]}\n    objectSelector: {matchLabels: {tier: web}}',
    );
    expect(run({ policies: policy, objects: DEPLOYMENT(1) }).violations).toHaveLength(0);
    expect(
      run({ policies: policy, objects: DEPLOYMENT(1, ', labels: {tier: web}') }).violations,
    ).toHaveLength(1);
  });

  it('namespaceSelector reads the labels of a Namespace rendered alongside the object', () => {
    const policy = deploymentPolicy(
      'validations:\n- expression: "false"\n  message: prod only',
      'validationActions: [Deny]\n  matchResources:\n    namespaceSelector: {matchLabels: {env: prod}}',
    );
    const ns = (env: string) =>
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a, labels: {env: ${env}}}\n---\n`;
    expect(outcomes(run({ policies: policy, objects: ns('prod') + DEPLOYMENT(1) }))).toEqual([
      'Deny: prod only',
    ]);
    expect(run({ policies: policy, objects: ns('dev') + DEPLOYMENT(1) }).violations).toEqual([]);
  });

  it('a namespace neither rendered nor described has only the name label, and the report says it was assumed', () => {
    const policy = deploymentPolicy(
      'validations:\n- expression: "false"',
      'validationActions: [Deny]\n  matchResources:\n    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-a}}',
    );
    const report = run({ policies: policy, objects: DEPLOYMENT(1) });
    expect(report.violations).toHaveLength(1);
    expect(report.assumptions).toEqual([
      expect.stringContaining('namespace team-a: neither rendered nor in a policy directory'),
    ]);
  });

  it('a namespaced object without metadata.namespace is in the destination namespace (ARGOCD_APP_NAMESPACE)', () => {
    const policy = deploymentPolicy(
      'validations:\n- expression: request.namespace == "payments"\n  messageExpression: "\'namespace: \' + request.namespace"',
    );
    const bare = DEPLOYMENT(1).replace(', namespace: team-a', '');
    expect(
      outcomes(run({ policies: policy, objects: bare, defaultNamespace: 'payments' })),
    ).toEqual([]);
    expect(outcomes(run({ policies: policy, objects: bare, defaultNamespace: 'other' }))).toEqual([
      'Deny: namespace: other',
    ]);
  });

  it('Kubernetes wins over the reference doc: `deployments/*` also matches the main resource (rules.go: sub "*" matches the empty subresource), although policy-cel.md §A.3 says subresources only', () => {
    const policy = deploymentPolicy('validations:\n- expression: "false"').replace(
      'resources: [deployments]}',
      'resources: ["deployments/*"]}',
    );
    expect(run({ policies: policy, objects: DEPLOYMENT(1) }).violations).toHaveLength(1);
  });
});

describe('params (paramKind, paramRef)', () => {
  const policy = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limit}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
  - expression: object.spec.replicas <= int(params.data.max)
    messageExpression: "'at most ' + params.data.max + ' (' + params.metadata.name + ')'"
`;
  const binding = (ref: string) => `---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit-binding}
spec:
  policyName: limit
  validationActions: [Deny]
  paramRef: ${ref}
`;
  const limits = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: small, namespace: team-a, labels: {limit: "yes"}}
data: {max: "2"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: large, namespace: team-a, labels: {limit: "yes"}}
data: {max: "8"}
`;

  it('a selector gives several params; each is evaluated and every denial counts', () => {
    const report = run({
      policies:
        policy +
        binding('{selector: {matchLabels: {limit: "yes"}}, parameterNotFoundAction: Deny}') +
        limits,
      objects: DEPLOYMENT(4),
    });
    expect(outcomes(report)).toEqual(['Deny: at most 2 (small)']);
  });

  it('a name picks one param, in the request namespace', () => {
    const report = run({
      policies: policy + binding('{name: large, parameterNotFoundAction: Deny}') + limits,
      objects: DEPLOYMENT(9),
    });
    expect(outcomes(report)).toEqual(['Deny: at most 8 (large)']);
  });

  it('parameterNotFoundAction Deny: no param is a configuration error that rejects (failurePolicy Fail)', () => {
    const report = run({
      policies: policy + binding('{name: missing, parameterNotFoundAction: Deny}'),
      objects: DEPLOYMENT(1),
    });
    expect(outcomes(report)).toEqual([
      'Deny: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction',
    ]);
  });

  it('parameterNotFoundAction Deny under failurePolicy Ignore: the configuration error is dropped', () => {
    const report = run({
      policies:
        policy.replace('spec:\n', 'spec:\n  failurePolicy: Ignore\n') +
        binding('{name: missing, parameterNotFoundAction: Deny}'),
      objects: DEPLOYMENT(1),
    });
    expect(outcomes(report)).toEqual([]);
  });

  it('parameterNotFoundAction Allow: no param means no evaluation at all', () => {
    const report = run({
      policies: policy + binding('{name: missing, parameterNotFoundAction: Allow}'),
      objects: DEPLOYMENT(100),
    });
    expect(outcomes(report)).toEqual([]);
  });
});

describe('matchConditions × failurePolicy', () => {
  const withCondition = (condition: string, failurePolicy: string) =>
    deploymentPolicy(
      `failurePolicy: ${failurePolicy}\nmatchConditions:\n- name: c1\n  expression: ${JSON.stringify(condition)}\n- name: c2\n  expression: "true"\nvalidations:\n- expression: "false"\n  message: validated`,
    );

  it('a false condition skips the policy', () => {
    expect(
      outcomes(run({ policies: withCondition('false', 'Fail'), objects: DEPLOYMENT(1) })),
    ).toEqual([]);
  });

  it('an error with Fail is a denial carrying the error', () => {
    expect(
      outcomes(
        run({ policies: withCondition('object.nope == 1', 'Fail'), objects: DEPLOYMENT(1) }),
      ),
    ).toEqual(["Deny: expression 'object.nope == 1' resulted in error: no such key: nope"]);
  });

  it('an error with Ignore skips the policy', () => {
    expect(
      outcomes(
        run({ policies: withCondition('object.nope == 1', 'Ignore'), objects: DEPLOYMENT(1) }),
      ),
    ).toEqual([]);
  });

  it('a false condition wins over another that errors', () => {
    const policy = withCondition('object.nope == 1', 'Fail').replace(
      'expression: "true"',
      'expression: "false"',
    );
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(1) }))).toEqual([]);
  });

  it('namespaceObject is null inside matchConditions', () => {
    const policy = deploymentPolicy(
      'matchConditions:\n- name: ns\n  expression: namespaceObject == null\nvalidations:\n- expression: "false"\n  message: reached',
    );
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n---\n';
    expect(outcomes(run({ policies: policy, objects: ns + DEPLOYMENT(1) }))).toEqual([
      'Deny: reached',
    ]);
  });
});

describe('validations, messages and variables', () => {
  it('messageExpression gives the message; message and the expression are the fallbacks', () => {
    const policy = deploymentPolicy(`validations:
- expression: object.spec.replicas < 3
  messageExpression: "'replicas ' + string(object.spec.replicas) + ' is too many'"
  reason: Forbidden
- expression: object.spec.replicas < 4
  message: static message
- expression: object.spec.replicas < 5
- expression: object.spec.replicas < 6
  messageExpression: "object.nope"
  message: fallback after a failed messageExpression`);
    const report = run({ policies: policy, objects: DEPLOYMENT(9) });
    expect(outcomes(report)).toEqual([
      'Deny: replicas 9 is too many',
      'Deny: static message',
      'Deny: failed expression: object.spec.replicas < 5',
      'Deny: fallback after a failed messageExpression',
    ]);
    expect(report.violations.map((v) => v.reason)).toEqual([
      'Forbidden',
      'Invalid',
      'Invalid',
      'Invalid',
    ]);
  });

  it('variables compose: a variable reads earlier ones, lazily', () => {
    const policy = deploymentPolicy(`variables:
- name: replicas
  expression: object.spec.replicas
- name: doubled
  expression: variables.replicas * 2
- name: unused
  expression: object.does.not.exist
validations:
- expression: variables.doubled <= 10
  messageExpression: "'doubled is ' + string(variables.doubled)"`);
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(6) }))).toEqual([
      'Deny: doubled is 12',
    ]);
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(5) }))).toEqual([]);
  });

  it('an error inside a variable is the error of the validation that reads it', () => {
    const policy = deploymentPolicy(`variables:
- name: broken
  expression: object.spec.nope
validations:
- expression: variables.broken == 1`);
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(1) }))[0]).toContain(
      'composited variable "broken" fails to evaluate: no such key: nope',
    );
  });

  it('an omitted field errors as rendered (no defaulting) and the message says to guard it with has()', () => {
    const policy = deploymentPolicy('validations:\n- expression: object.spec.replicas <= 5');
    const [message] = outcomes(run({ policies: policy, objects: DEPLOYMENT(undefined) }));
    expect(message).toContain(
      "expression 'object.spec.replicas <= 5' resulted in error: no such key: replicas",
    );
    expect(message).toContain('may be defaulted when applied live; guard it with has()');
  });

  it('oldObject is null on CREATE and the stored object on UPDATE', () => {
    const policy = deploymentPolicy(`validations:
- expression: oldObject == null
  messageExpression: "'old replicas ' + string(oldObject.spec.replicas)"`);
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(2) }))).toEqual([]);
    expect(
      outcomes(
        run({
          policies: policy,
          objects: DEPLOYMENT(2),
          operation: 'UPDATE',
          oldObjects: DEPLOYMENT(1),
        }),
      ),
    ).toEqual(['Deny: old replicas 1']);
  });

  it('integers stay integers: `%` works on a parsed manifest', () => {
    const policy = deploymentPolicy('validations:\n- expression: object.spec.replicas % 2 == 1');
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(3) }))).toEqual([]);
    expect(run({ policies: policy, objects: DEPLOYMENT(4) }).violations).toHaveLength(1);
  });

  it('regular expressions have RE2 semantics ((?i) flags, \\pL classes)', () => {
    const policy = deploymentPolicy(`validations:
- expression: object.metadata.name.matches('(?i)^WEB$') && object.metadata.name.matches('^\\\\pL+$')
- expression: object.metadata.name.find('[a-z]') == 'w' && object.metadata.name.findAll('[a-z]').size() == 3`);
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(1) }))).toEqual([]);
  });

  it('authorizer is not available at render: an evaluation error under failurePolicy', () => {
    const policy = (fp: string) =>
      deploymentPolicy(
        `failurePolicy: ${fp}\nvalidations:\n- expression: authorizer.group('apps').resource('deployments').check('create').allowed()`,
      );
    expect(outcomes(run({ policies: policy('Fail'), objects: DEPLOYMENT(1) }))[0]).toContain(
      'authorizer is not available when policies are evaluated at render',
    );
    expect(outcomes(run({ policies: policy('Ignore'), objects: DEPLOYMENT(1) }))).toEqual([]);
  });
});

describe('validationActions and enforcementAction', () => {
  it('Warn only warns, Audit only records, Deny denies — errors included', () => {
    const policy = (actions: string) =>
      deploymentPolicy(
        'validations:\n- expression: "false"\n  message: nope',
        `validationActions: [${actions}]`,
      );
    expect(outcomes(run({ policies: policy('Warn'), objects: DEPLOYMENT(1) }))).toEqual([
      'Warn: nope',
    ]);
    expect(outcomes(run({ policies: policy('Warn, Audit'), objects: DEPLOYMENT(1) }))).toEqual([
      'Warn: nope',
      'Audit: nope',
    ]);
    expect(outcomes(run({ policies: policy('Deny'), objects: DEPLOYMENT(1) }))).toEqual([
      'Deny: nope',
    ]);
  });

  it('Deny and Warn together is refused like the API server refuses it', () => {
    expect(() =>
      run({
        policies: deploymentPolicy(
          'validations:\n- expression: "true"',
          'validationActions: [Deny, Warn]',
        ),
        objects: DEPLOYMENT(1),
      }),
    ).toThrow(/Deny and Warn cannot be used together/);
  });

  const template = `
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sminreplicas}
spec:
  crd: {spec: {names: {kind: K8sMinReplicas}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    code:
    - engine: K8sNativeValidation
      source:
        validations:
        - expression: variables.anyObject.spec.replicas >= variables.params.min
          messageExpression: "'needs at least ' + string(variables.params.min)"
`;
  const constraint = (action: string) => `---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sMinReplicas
metadata: {name: min-two}
spec:
  enforcementAction: ${action}
  match: {kinds: [{apiGroups: [apps], kinds: [Deployment]}], excludedNamespaces: ["kube-*"]}
  parameters: {min: 2}
`;

  it.each([
    ['deny', 'Deny'],
    ['warn', 'Warn'],
    ['dryrun', 'Audit'],
  ])('Gatekeeper enforcementAction %s → %s', (action, expected) => {
    const report = run({ policies: template + constraint(action), objects: DEPLOYMENT(1) });
    expect(outcomes(report)).toEqual([`${expected}: needs at least 2`]);
    expect(report.violations[0]?.binding).toBe('K8sMinReplicas/min-two');
  });

  it('Gatekeeper excludedNamespaces globs exclude matching namespaces', () => {
    const inKube = DEPLOYMENT(1).replace('team-a', 'kube-system');
    expect(run({ policies: template + constraint('deny'), objects: inKube }).violations).toEqual(
      [],
    );
  });

  it('a Rego-only template is an error naming it and the remedy, unless unsupported: warn', () => {
    const rego = `
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sregoonly}
spec:
  crd: {spec: {names: {kind: K8sRegoOnly}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: "package x"
`;
    expect(() => run({ policies: rego, objects: DEPLOYMENT(1) })).toThrow(
      /policies\.yaml:2: ConstraintTemplate k8sregoonly: has no K8sNativeValidation .*policies\.unsupported: warn/,
    );
    const report = run({ policies: rego, objects: DEPLOYMENT(1), unsupported: 'warn' });
    expect(report.violations).toEqual([]);
  });
});

describe('hostile policies', () => {
  it('a syntax error is a configuration error naming the policy file, the line of the expression and the field', () => {
    let error: unknown;
    try {
      run({
        policies: deploymentPolicy('validations:\n- expression: "object.spec.replicas <="'),
        objects: '',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /policies\.yaml:10: ValidatingAdmissionPolicy test-policy: spec\.validations\[0\]\.expression: syntax error/,
    );
  });

  it('nested comprehensions that would run for hours stop at the cost limit (failurePolicy Fail → denied)', () => {
    const list = Array.from({ length: 2000 }, (_, i) => i).join(', ');
    const objects = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec: {xs: [${list}]}\n`;
    const policy = deploymentPolicy(`validations:
- expression: object.spec.xs.all(a, object.spec.xs.all(b, object.spec.xs.all(c, a + b + c >= 0)))`);
    expect(outcomes(run({ policies: policy, objects }))[0]).toContain(
      'operation cancelled: actual cost limit exceeded',
    );
    // `||` absorbs errors in CEL; the cost bound still ends the evaluation.
    const absorbed = policy.replace('>= 0)))', '>= 0))) || true');
    expect(outcomes(run({ policies: absorbed, objects }))[0]).toContain(
      'actual cost limit exceeded',
    );
  });

  it('a list doubled in a loop (huge lists) stops at the cost limit instead of exhausting memory', () => {
    const doubling = Array.from(
      { length: 40 },
      (_, i) => `cel.bind(l${i + 1}, l${i} + l${i}, `,
    ).join('');
    const expr = `cel.bind(l0, [1, 2, 3, 4, 5, 6, 7, 8], ${doubling}size(l40) > 0${')'.repeat(41)}`;
    const policy = deploymentPolicy(`validations:\n- expression: ${JSON.stringify(expr)}`);
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(1) }))[0]).toContain(
      'actual cost limit exceeded',
    );
  });

  it('with failurePolicy Ignore a cost-limited expression is ignored like any error', () => {
    const policy = deploymentPolicy(`failurePolicy: Ignore
validations:
- expression: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, a+b+c+d+e+f > 0))))))"`);
    expect(outcomes(run({ policies: policy, objects: DEPLOYMENT(1) }))).toEqual([]);
  });
});

describe('resources the evaluator cannot resolve', () => {
  it('a custom kind without a known CRD is evaluated with the guessed plural, and reported as assumed', () => {
    const policy = deploymentPolicy(
      'validations:\n- expression: "false"\n  message: widgets denied',
    ).replace(
      '{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}',
      '{apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [widgets]}',
    );
    const widget = 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: a}\n';
    const report = run({ policies: policy, objects: widget });
    expect(outcomes(report)).toEqual(['Deny: widgets denied']);
    expect(report.assumptions).toContainEqual(
      expect.stringContaining(
        'example.com/v1 Widget: no CRD known for this kind; resource "widgets"',
      ),
    );
  });

  it('a CRD in the same render gives the real plural and scope', () => {
    const policy = deploymentPolicy('validations:\n- expression: "false"').replace(
      '{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}',
      '{apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [gizmoz], scope: Cluster}',
    );
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmoz.example.com}
spec: {group: example.com, scope: Cluster, names: {kind: Gizmo, plural: gizmoz}, versions: [{name: v1}]}
---
apiVersion: example.com/v1
kind: Gizmo
metadata: {name: g}
`;
    const report = run({ policies: policy, objects: crd });
    expect(report.violations.map((v) => v.object.name)).toEqual(['g']);
    expect(report.assumptions).toEqual([]);
  });
});
