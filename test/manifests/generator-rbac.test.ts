import type { K8sObject } from './manifest-tree';
import { installObjects, withArgoCdObjects } from './manifest-tree';

/*
 * Least privilege for the network-facing generator (issue #17): whatever the install binds to its ServiceAccount
 * touches no Secret, and reaches exactly one ConfigMap, by name, with get and update. A flaw in the HTTP service then
 * hands over one small ConfigMap, not Argo CD's repository and cluster credentials.
 */

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}
interface Binding extends K8sObject {
  subjects?: { kind: string; name: string; namespace?: string }[];
  roleRef: { kind: string; name: string };
}

const SERVICE_ACCOUNT = 'eks-cluster-generator';

/** The rules of every Role / ClusterRole bound to the ServiceAccount in a build (aggregated ClusterRoles refused). */
function rulesOf(objects: K8sObject[], namespace: string): Rule[] {
  const bindings = objects.filter(
    (o): o is Binding =>
      (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') &&
      ((o as Binding).subjects ?? []).some(
        (s) =>
          s.kind === 'ServiceAccount' &&
          s.name === SERVICE_ACCOUNT &&
          (s.namespace ?? o.metadata.namespace) === namespace,
      ),
  );
  return bindings.flatMap((b) => {
    const role = objects.find(
      (o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name,
    );
    // A binding to a role the build does not hold (a built-in ClusterRole such as `view`) is a failure.
    if (!role)
      throw new Error(
        `${b.kind} ${b.metadata.name} binds ${b.roleRef.kind} ${b.roleRef.name}, not in the build`,
      );
    if (role['aggregationRule']) throw new Error(`${role.metadata.name} aggregates other roles`);
    return (role['rules'] ?? []) as Rule[];
  });
}

const reachesSecrets = (r: Rule) =>
  (r.apiGroups ?? []).some((g) => g === '' || g === '*') &&
  (r.resources ?? []).some((res) => res === 'secrets' || res === '*' || res.startsWith('secrets/'));

describe.each([
  ['manifests (the default install)', installObjects],
  ['manifests/with-argocd', withArgoCdObjects],
])('%s: the generator ServiceAccount', (_name, build) => {
  const rules = rulesOf(build(), 'argocd');

  it('touches no Secret', () => {
    expect(rules.filter(reachesSecrets)).toEqual([]);
  });

  it('may only get and update its state ConfigMap, by name', () => {
    expect(rules).toEqual([
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['eks-cluster-generator-state'],
        verbs: ['get', 'update'],
      },
    ]);
  });
});

describe('the state ConfigMap the Role names', () => {
  it('is the one the generator Deployment names (GENERATOR_STATE_CONFIGMAP) and the install creates', () => {
    const objects = installObjects();
    const deployment = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'eks-cluster-generator',
    )!;
    const container = (
      deployment['spec'] as {
        template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } };
      }
    ).template.spec.containers[0]!;
    const named = container.env?.find((e) => e.name === 'GENERATOR_STATE_CONFIGMAP')?.value;
    const [rule] = rulesOf(objects, 'argocd');
    expect(rule?.resourceNames).toEqual([named]);
    expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === named)).toBe(true);
  });
});

describe('the check itself', () => {
  it('sees a Secrets rule bound through a RoleBinding (it would have failed on the previous install)', () => {
    const role: K8sObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'eks-cluster-generator-registrar', namespace: 'argocd' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
    };
    const binding: K8sObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'eks-cluster-generator-registrar', namespace: 'argocd' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: 'argocd' }],
    };
    expect(rulesOf([role, binding], 'argocd').filter(reachesSecrets)).toHaveLength(1);
  });
});
