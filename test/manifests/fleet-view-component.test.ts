/**
 * manifests/components/fleet-view: the fleet view switched on in the generator's Deployment, on its own port, its
 * own Service and NetworkPolicy, read-only rights on ClusterUpgrades. Built offline with `kubectl kustomize` from a
 * kustomization that installs the generator and adds the component, as an operator's overlay would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadServiceConfig } from '../../generator-service/config';
import { findObject, type K8sObject, kustomizeBuild, MANIFESTS_DIR } from './manifest-tree';

const OVERLAY = path.join(MANIFESTS_DIR, 'fleet-view-component-test');

function build(withComponent: boolean): K8sObject[] {
  return kustomizeBuild(
    withComponent ? OVERLAY : path.join(MANIFESTS_DIR, 'base/generator-service'),
    {
      key: `fleet-view-component-${withComponent}`,
      apply: (copy) => {
        const dir = path.join(copy, 'fleet-view-component-test');
        mkdirSync(dir);
        writeFileSync(
          path.join(dir, 'kustomization.yaml'),
          [
            'apiVersion: kustomize.config.k8s.io/v1beta1',
            'kind: Kustomization',
            'namespace: argocd',
            'resources:',
            '  - ../base/generator-service',
            'components:',
            '  - ../components/fleet-view',
            '',
          ].join('\n'),
        );
      },
    },
  );
}

type Obj = K8sObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- built objects are walked freely

const get = (withComponent: boolean, kind: string, name: string) =>
  findObject(build(withComponent), kind, name) as Obj;

/** The generator's environment as the Pod sees it: its ConfigMap plus the Deployment's own env. */
function generatorEnv(withComponent: boolean): NodeJS.ProcessEnv {
  const container = get(withComponent, 'Deployment', 'eks-cluster-generator')['spec'].template.spec
    .containers[0];
  const configMapName = container.envFrom[0].configMapRef.name as string;
  const env: NodeJS.ProcessEnv = { ...get(withComponent, 'ConfigMap', configMapName)['data'] };
  for (const e of container.env as { name: string; value?: string }[]) {
    env[e.name] = e.value ?? 'argocd';
  }
  return env;
}

describe('the fleet view in the manifests', () => {
  it('is off in the default install, which admits nothing to its port', () => {
    const loaded = loadServiceConfig(generatorEnv(false));
    expect('config' in loaded && loaded.config.fleetView).toBeUndefined();
    const policy = get(false, 'NetworkPolicy', 'eks-cluster-generator');
    const ports = (policy['spec'].ingress as { ports: { port: number }[] }[]).flatMap((r) =>
      r.ports.map((p) => p.port),
    );
    expect(new Set(ports)).toEqual(new Set([4355]));
  });

  it('with the component, starts the view on 4358 with its own token file', () => {
    const loaded = loadServiceConfig(generatorEnv(true));
    expect('issues' in loaded ? loaded.issues : []).toEqual([]);
    const view = 'config' in loaded ? loaded.config.fleetView : undefined;
    expect(view).toMatchObject({
      port: 4358,
      token: { kind: 'file', path: '/var/run/eks-cluster-generator-fleet-view/token' },
      registrarUrl: 'http://eks-cluster-registrar:4356',
      upgradesNamespace: 'argocd',
    });
    const spec = get(true, 'Deployment', 'eks-cluster-generator')['spec'].template.spec;
    const mount = (spec.containers[0].volumeMounts as { name: string; mountPath: string }[]).find(
      (m) => m.mountPath === '/var/run/eks-cluster-generator-fleet-view',
    );
    const volume = (spec.volumes as { name: string; secret?: { secretName: string } }[]).find(
      (v) => v.name === mount?.name,
    );
    // Its own Secret, not the generator's token.
    expect(volume?.secret?.secretName).toBe('eks-cluster-generator-fleet-view-token');
    expect(spec.containers[0].ports).toEqual(
      expect.arrayContaining([{ name: 'fleet-view', containerPort: 4358, protocol: 'TCP' }]),
    );
  });

  it("keeps the view's port apart: its own Service and a NetworkPolicy for 4358 only", () => {
    const service = get(true, 'Service', 'eks-cluster-generator-fleet-view');
    expect(service['spec'].ports).toEqual([
      { name: 'fleet-view', port: 4358, targetPort: 'fleet-view', protocol: 'TCP' },
    ]);
    expect(
      get(true, 'Service', 'eks-cluster-generator')['spec'].ports.map(
        (p: { port: number }) => p.port,
      ),
    ).toEqual([4355]);
    const policy = get(true, 'NetworkPolicy', 'eks-cluster-generator-fleet-view');
    expect(policy['spec'].ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: {},
            podSelector: { matchLabels: { 'argocd-eks-plugins.io/fleet-viewer': 'true' } },
          },
        ],
        ports: [{ port: 4358, protocol: 'TCP' }],
      },
    ]);
  });

  it('grants only list on ClusterUpgrades, to the generator', () => {
    expect(get(true, 'Role', 'eks-cluster-generator-fleet-view')['rules']).toEqual([
      { apiGroups: ['argocd-eks-plugins.io'], resources: ['clusterupgrades'], verbs: ['list'] },
    ]);
    expect(get(true, 'RoleBinding', 'eks-cluster-generator-fleet-view')['subjects']).toEqual([
      { kind: 'ServiceAccount', name: 'eks-cluster-generator', namespace: 'argocd' },
    ]);
  });
});
