/**
 * manifests/components/registrar: the registrar as its own Deployment. Built offline with `kubectl kustomize` from
 * a kustomization that installs the generator and adds the component, as an operator's overlay would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseRegistrarConfig, parseSplitConfig } from '../../generator-service/registrar/config';
import { findObject, type K8sObject, kustomizeBuild, MANIFESTS_DIR } from './manifest-tree';

const OVERLAY = path.join(MANIFESTS_DIR, 'registrar-component-test');

function build(): K8sObject[] {
  return kustomizeBuild(OVERLAY, {
    key: 'registrar-component',
    apply: (copy) => {
      const dir = path.join(copy, 'registrar-component-test');
      mkdirSync(dir);
      writeFileSync(
        path.join(dir, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'namespace: argocd',
          'resources:',
          '  - ../base/generator-service',
          '  - ../base/plugin-generator',
          'components:',
          '  - ../components/registrar',
          '',
        ].join('\n'),
      );
    },
  });
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}
type Obj = K8sObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- built objects are walked freely

const objects = () => build() as Obj[];
const get = (kind: string, name: string) => findObject(build(), kind, name) as Obj;
const podSpec = (name: string) => get('Deployment', name)['spec'].template.spec;
const container = (name: string) => podSpec(name).containers[0];

describe('the registrar component', () => {
  it('builds offline with the generator', () => {
    expect(objects().map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'ServiceAccount/eks-cluster-registrar',
        'Deployment/eks-cluster-registrar',
        'Role/eks-cluster-generator-registrar',
        'RoleBinding/eks-cluster-generator-registrar',
        'NetworkPolicy/eks-cluster-registrar',
        'Service/eks-cluster-registrar',
      ]),
    );
    expect(objects().every((o) => o.metadata.namespace === 'argocd')).toBe(true);
  });

  it('binds the Secrets Role to the registrar ServiceAccount only', () => {
    const secretRoles = objects()
      .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .filter((o) =>
        ((o['rules'] ?? []) as Rule[]).some(
          (r) => r.apiGroups.includes('') && r.resources.some((x) => x === 'secrets' || x === '*'),
        ),
      )
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(secretRoles).toEqual(['Role/eks-cluster-generator-registrar']);

    const bindings = objects().filter(
      (o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding',
    );
    const subjectsOfSecretRoles = bindings
      .filter((b) => secretRoles.includes(`${b['roleRef'].kind}/${b['roleRef'].name}`))
      .flatMap((b) => b['subjects'] as Subject[]);
    expect(subjectsOfSecretRoles).toEqual([
      { kind: 'ServiceAccount', name: 'eks-cluster-registrar', namespace: 'argocd' },
    ]);
    // No other binding in the build names the registrar's ServiceAccount or the generator's onto Secrets.
    expect(podSpec('eks-cluster-generator').serviceAccountName).toBe('eks-cluster-generator');
    expect(podSpec('eks-cluster-registrar').serviceAccountName).toBe('eks-cluster-registrar');
  });

  it('lets the registrar do what it calls, and hold its Lease', () => {
    const rules = get('Role', 'eks-cluster-generator-registrar')['rules'] as Rule[];
    const verbsOn = (group: string, resource: string) =>
      rules
        .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
        .flatMap((r) => r.verbs)
        .sort();
    expect(verbsOn('', 'secrets')).toEqual(['create', 'delete', 'get', 'list', 'update']);
    expect(verbsOn('coordination.k8s.io', 'leases')).toEqual(['create', 'get', 'update']);
  });

  it("runs the generator's image as the `registrar` subcommand, with the generator's token", () => {
    const registrar = container('eks-cluster-registrar');
    const generator = container('eks-cluster-generator');
    expect(registrar.image).toBe(generator.image);
    expect(registrar.args).toEqual(['registrar']);
    expect(registrar.securityContext).toEqual(generator.securityContext);
    const tokenVolume = (spec: Obj) =>
      (spec['volumes'] as { name: string; secret?: { secretName: string } }[]).find(
        (v) => v.name === 'token',
      )?.secret?.secretName;
    expect(tokenVolume(podSpec('eks-cluster-registrar'))).toBe(
      tokenVolume(podSpec('eks-cluster-generator')),
    );
    expect(get('Secret', tokenVolume(podSpec('eks-cluster-registrar'))!)).toBeDefined();
  });

  it('is configured so that the registrar starts: its settings parse without a problem', () => {
    const registrar = container('eks-cluster-registrar');
    const configMapName = registrar.envFrom[0].configMapRef.name as string;
    const configMap = objects().find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === configMapName,
    );
    expect(configMap).toBeDefined();
    const env: NodeJS.ProcessEnv = { ...configMap!['data'] };
    for (const e of registrar.env as { name: string; value?: string }[]) {
      env[e.name] = e.value ?? 'from-the-downward-api';
    }
    env['ARGOCD_NAMESPACE'] = 'argocd';
    expect(parseSplitConfig(env).issues).toEqual([]);
    expect(() => parseRegistrarConfig(env)).not.toThrow();
    // The generator's Service is where the registrar reads the fleet.
    const url = new URL(env['REGISTRAR_GENERATOR_URL']!);
    const service = get('Service', url.hostname);
    expect(service['spec'].ports.map((p: { port: number }) => String(p.port))).toContain(url.port);
  });

  it('has no ingress but its metrics and status port, and the generator admits it', () => {
    const port = container('eks-cluster-registrar').ports[0];
    expect(port).toMatchObject({ name: 'http', containerPort: 4356 });
    const policy = get('NetworkPolicy', 'eks-cluster-registrar')['spec'];
    expect(policy.podSelector.matchLabels).toEqual(
      get('Deployment', 'eks-cluster-registrar')['spec'].selector.matchLabels,
    );
    expect(policy.policyTypes).toEqual(['Ingress']);
    const ports = (policy.ingress as { ports: { port: number }[] }[]).flatMap((i) =>
      i.ports.map((p) => p.port),
    );
    expect(new Set(ports)).toEqual(new Set([4356]));

    const service = get('Service', 'eks-cluster-registrar')['spec'];
    expect(service.ports.map((p: { port: number }) => p.port)).toEqual([4356]);

    const generatorPolicy = get('NetworkPolicy', 'eks-cluster-generator')['spec'];
    expect(generatorPolicy.ingress).toContainEqual({
      from: [
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'eks-cluster-registrar' } } },
      ],
      ports: [{ port: 4355, protocol: 'TCP' }],
    });
  });
});
