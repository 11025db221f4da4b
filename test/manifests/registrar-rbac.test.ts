import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findObject, isK8sObject, MANIFESTS_DIR, REPO_ROOT } from './manifest-tree';

/*
 * The registrar's Role (manifests/components/registrar): what the registrar calls, and nothing more. It is not part
 * of the default install (the generator must hold no rights on Secrets); the opt-in component binds it to the
 * registrar's own ServiceAccount. A component cannot be built alone, so its files are read as they are.
 */

const COMPONENT_DIR = path.join(MANIFESTS_DIR, 'components', 'registrar');
const objects = readdirSync(COMPONENT_DIR)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(readFileSync(path.join(COMPONENT_DIR, f), 'utf8')))
  .map((d) => d.toJS() as unknown)
  .filter(isK8sObject);
const role = findObject(objects, 'Role', 'eks-cluster-generator-registrar');
const rules = role['rules'] as { apiGroups: string[]; resources: string[]; verbs: string[] }[];

describe('registrar Role', () => {
  it('is a namespaced Role on secrets and leases only (no ClusterRole)', () => {
    expect(rules.map((r) => [r.apiGroups, r.resources])).toEqual([
      [[''], ['secrets']],
      [['coordination.k8s.io'], ['leases']],
    ]);
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
  });

  it('grants exactly the verbs the registrar calls, no more (least privilege)', () => {
    const source = readFileSync(
      path.join(REPO_ROOT, 'generator-service/registrar/kube-stores.ts'),
      'utf8',
    );
    const verbOf: Record<string, string> = {
      list: 'list',
      read: 'get',
      create: 'create',
      replace: 'update',
      patch: 'patch',
      delete: 'delete',
    };
    const used = (kind: string) =>
      [...source.matchAll(new RegExp(`\\.(\\w+?)Namespaced${kind}\\(`, 'g'))]
        .map((m) => verbOf[m[1]!] ?? `unknown:${m[1]!}`)
        .filter((v, i, all) => all.indexOf(v) === i)
        .sort();
    expect([...rules[0]!.verbs].sort()).toEqual(used('Secret'));
    expect([...rules[1]!.verbs].sort()).toEqual(used('Lease'));
  });
});
