import { evaluatePolicies } from '../../cmp-sidecar/policy/evaluate';
import { loadPolicySet } from '../../cmp-sidecar/policy/load';
import { parsePolicyText } from '../../cmp-sidecar/policy/read';
import type {
  Json,
  Operation,
  PolicyReport,
  UnsupportedPolicy,
} from '../../cmp-sidecar/policy/types';

/** Policies and objects written inline as YAML streams, evaluated as a render would. */
export interface Scenario {
  readonly policies: string;
  readonly objects: string;
  readonly operation?: Operation;
  readonly oldObjects?: string;
  readonly defaultNamespace?: string;
  readonly unsupported?: UnsupportedPolicy;
}

export function objectsOf(yaml: string): Json[] {
  return parsePolicyText(yaml, 'objects.yaml').map((d) => d.object);
}

export function run(s: Scenario): PolicyReport {
  const policies = loadPolicySet(parsePolicyText(s.policies, 'policies.yaml'), s.unsupported);
  const objects = parsePolicyText(s.objects, 'objects.yaml');
  const old = s.oldObjects === undefined ? [] : objectsOf(s.oldObjects);
  const operation = s.operation ?? 'CREATE';
  return evaluatePolicies({
    policies,
    subjects: objects.map((d, i) => ({
      object: d.object,
      oldObject: old[i] ?? null,
      operation,
      source: d.source,
    })),
    rendered: objects.map((d) => d.object),
    defaultNamespace: s.defaultNamespace ?? 'default',
  });
}

/** `action: message` of every violation, for assertions that read like the expected output. */
export function outcomes(report: PolicyReport): string[] {
  return report.violations.map((v) => `${v.action}: ${v.message}`);
}

/** A ValidatingAdmissionPolicy on apps/v1 deployments with the given spec additions, bound with `actions`. */
export function deploymentPolicy(spec: string, binding = 'validationActions: [Deny]'): string {
  return `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: test-policy}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
${spec
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: test-binding}
spec:
  policyName: test-policy
  ${binding}
`;
}

export const DEPLOYMENT = (replicas: number | undefined, extra = ''): string => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-a${extra}}
spec:
  ${replicas === undefined ? 'template: {}' : `replicas: ${replicas}`}
`;
