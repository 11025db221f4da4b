import { recordInlinedSecrets } from '../../cmp-sidecar/secrets/inlined-values';
import { evaluatePolicies } from '../../cmp-sidecar/policy/evaluate';
import { loadPolicySet } from '../../cmp-sidecar/policy/load';
import { parsePolicyText } from '../../cmp-sidecar/policy/read';
import { denialError, describeViolation } from '../../cmp-sidecar/policy/report';
import {
  POLICY_MESSAGE_WITHHELD,
  withoutSecretValues,
} from '../../cmp-sidecar/policy/secret-redaction';
import type { Json, PolicyReport } from '../../cmp-sidecar/policy/types';
import { DEPLOYMENT, deploymentPolicy, objectsOf, run } from './helpers';

/** A policy message that quotes a value inline secrets mode wrote never reaches stderr, the error or the report. */
it('withholds a violation message that shows an inlined secret value, and only that one', () => {
  const policies = deploymentPolicy(`validations:
- expression: "false"
  messageExpression: "'token is ' + object.metadata.annotations.token"
- expression: "false"
  message: no secret here`);
  const objects = DEPLOYMENT(1, ', annotations: {token: s3cr3t-value}');
  const report = run({ policies, objects });
  const [rendered] = objectsOf(objects);
  const set = loadPolicySet(parsePolicyText(policies, 'policies.yaml'));
  expect(withoutSecretValues(report, [rendered!], set)).toBe(report); // nothing inlined: unchanged
  recordInlinedSecrets(rendered!, {
    paths: [['metadata', 'annotations', 'token']],
    values: ['s3cr3t-value'],
  });
  expect(withoutSecretValues(report, [rendered!], set).violations.map((v) => v.message)).toEqual([
    POLICY_MESSAGE_WITHHELD,
    'no secret here',
  ]);
});

describe('an object holding inline secret values: only the policy’s own text is shown', () => {
  const SECRET = 'Pw7xQz9Lm2Rt';
  const DB_SECRET = `
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: team-a}
stringData: {pw: ${SECRET}}
`;
  const vap = (validations: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: pw-policy}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [secrets]}
  validations:
${validations}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: pw-binding}
spec:
  policyName: pw-policy
  validationActions: [Deny]
`;
  const gatekeeper = `
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8spw}
spec:
  crd: {spec: {names: {kind: K8sPw}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    code:
    - engine: K8sNativeValidation
      source:
        validations:
        - expression: "false"
          messageExpression: "'pw starts ' + variables.anyObject.stringData.pw.substring(0, 8)"
        - expression: "false"
          message: static gatekeeper text
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sPw
metadata: {name: pw}
spec:
  match: {kinds: [{apiGroups: [""], kinds: [Secret]}]}
`;

  /** Every piece of the value at least 4 characters long, any letter case. */
  const parts = (): string[] => {
    const out: string[] = [];
    for (let i = 0; i < SECRET.length; i++)
      for (let j = i + 4; j <= SECRET.length; j++) out.push(SECRET.slice(i, j).toLowerCase());
    return out;
  };

  const evaluate = (policies: string): { raw: PolicyReport; shown: PolicyReport } => {
    const set = loadPolicySet(parsePolicyText(policies, 'policies.yaml'));
    const objects = parsePolicyText(DB_SECRET, 'objects.yaml');
    const rendered: Json[] = objects.map((d) => d.object);
    recordInlinedSecrets(rendered[0]!, { paths: [['stringData', 'pw']], values: [SECRET] });
    const raw = evaluatePolicies({
      policies: set,
      subjects: objects.map((d) => ({
        object: d.object,
        oldObject: null,
        operation: 'CREATE',
        source: d.source,
      })),
      rendered,
      defaultNamespace: 'default',
    });
    return { raw, shown: withoutSecretValues(raw, rendered, set) };
  };

  /** What reaches stderr, the error that fails the render and the report (io.onPolicyReport). */
  const everythingShown = (report: PolicyReport): string =>
    [
      ...report.violations.map(describeViolation),
      denialError(report.violations).message,
      JSON.stringify(denialError(report.violations).violations),
      JSON.stringify(report),
    ]
      .join('\n')
      .toLowerCase();

  it.each([
    ['substring', `object.stringData.pw.substring(0, 12)`],
    ['upperAscii', `object.stringData.pw.upperAscii()`],
    ['lowerAscii of a part', `object.stringData.pw.substring(2, 9).lowerAscii()`],
    ['a part after a prefix', `'pw is ' + object.stringData.pw.substring(3, 7)`],
  ])('a messageExpression quoting the value (%s) is withheld', (_, expression) => {
    const { raw, shown } = evaluate(
      vap(`  - expression: "false"
    messageExpression: ${JSON.stringify(expression)}
  - expression: "false"
    message: static text stays`),
    );
    // The evaluator did compute a message from the value: the redaction is what keeps it out.
    expect(raw.violations[0]!.message).not.toBe(POLICY_MESSAGE_WITHHELD);
    expect(shown.violations.map((v) => v.message)).toEqual([
      POLICY_MESSAGE_WITHHELD,
      'static text stays',
    ]);
    expect(shown.violations[0]).toMatchObject({
      policy: 'pw-policy',
      binding: 'pw-binding',
      object: { kind: 'Secret', name: 'db', namespace: 'team-a' },
    });
    const text = everythingShown(shown);
    for (const p of parts()) expect(text).not.toContain(p);
    expect(text).not.toContain(raw.violations[0]!.message.toLowerCase());
  });

  it('base64 of a part (this CEL has no base64 encoder; a computed message is withheld whatever it holds)', () => {
    const { raw } = evaluate(
      vap(`  - expression: "false"
    messageExpression: "object.stringData.pw.substring(2, 9)"`),
    );
    const encoded = Buffer.from(SECRET.slice(2, 9)).toString('base64');
    const computed: PolicyReport = {
      ...raw,
      violations: raw.violations.map((v) => ({ ...v, message: `pw: ${encoded}` })),
    };
    const set = loadPolicySet(parsePolicyText(vap('  - expression: "false"'), 'policies.yaml'));
    const [db] = objectsOf(DB_SECRET);
    recordInlinedSecrets(db!, { paths: [['stringData', 'pw']], values: [SECRET] });
    const shown = withoutSecretValues(computed, [db!], set);
    expect(shown.violations.map((v) => v.message)).toEqual([POLICY_MESSAGE_WITHHELD]);
    expect(everythingShown(shown)).not.toContain(encoded.toLowerCase());
  });

  it('an evaluation error quoting the value is withheld (failurePolicy Fail)', () => {
    const { raw, shown } = evaluate(vap(`  - expression: "int(object.stringData.pw) > 0"`));
    expect(raw.violations[0]!.message).toContain('resulted in error');
    expect(shown.violations.map((v) => v.message)).toEqual([POLICY_MESSAGE_WITHHELD]);
    const text = everythingShown(shown);
    for (const p of parts()) expect(text).not.toContain(p);
  });

  it('the default message naming the expression is the policy’s own text and stays', () => {
    const { shown } = evaluate(vap(`  - expression: "object.stringData.pw == 'x'"`));
    expect(shown.violations.map((v) => v.message)).toEqual([
      "failed expression: object.stringData.pw == 'x'",
    ]);
  });

  it('Gatekeeper: a computed message is withheld, the static one stays', () => {
    const { raw, shown } = evaluate(gatekeeper);
    expect(raw.violations[0]!.message).toBe(`pw starts ${SECRET.slice(0, 8)}`);
    expect(shown.violations.map((v) => `${v.binding}: ${v.message}`)).toEqual([
      `K8sPw/pw: ${POLICY_MESSAGE_WITHHELD}`,
      'K8sPw/pw: static gatekeeper text',
    ]);
    const text = everythingShown(shown);
    for (const p of parts()) expect(text).not.toContain(p);
  });
});
