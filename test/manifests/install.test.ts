import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { K8sObject } from './manifest-tree';
import {
  findObject,
  installObjects,
  isK8sObject,
  kustomizeBuild,
  MANIFESTS_DIR,
  PLUGIN_YAML,
  readYamlDocuments,
  withArgoCdObjects,
  yamlFilesUnder,
} from './manifest-tree';
import { crdKinds } from './schemas';

/*
 * The default install, `kubectl apply -k manifests/` onto an Argo CD already running, as an operator relies on it;
 * and the opt-in manifests/with-argocd/, where the same objects come with Argo CD and the changes to its own objects.
 */

interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
interface Volume {
  name: string;
  emptyDir?: unknown;
  configMap?: { name: string };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Volume[];
}
interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

const objects = installObjects();
const get = (kind: string, name: string): K8sObject => findObject(objects, kind, name);
const specOf = <T>(o: K8sObject): T => o['spec'] as T;
const dataOf = (o: K8sObject): Record<string, string> =>
  (o['data'] ?? {}) as Record<string, string>;

function secretValue(secret: K8sObject, key: string): string | undefined {
  const string = (secret['stringData'] as Record<string, string> | undefined)?.[key];
  if (string !== undefined) return string;
  const data = (secret['data'] as Record<string, string> | undefined)?.[key];
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
}

describe('the default install (manifests/kustomization.yaml)', () => {
  it('puts every namespaced object in the Argo CD namespace', () => {
    const clusterScoped = new Set([
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
    ]);
    for (const o of objects.filter((x) => !clusterScoped.has(x.kind))) {
      expect(`${o.kind}/${o.metadata.name} ${o.metadata.namespace}`).toBe(
        `${o.kind}/${o.metadata.name} argocd`,
      );
    }
  });

  it('holds exactly the objects this project owns: nothing of Argo CD itself, no registrar', () => {
    const ids = objects
      .map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`)
      .sort();
    expect(ids).toEqual(
      [
        'ServiceAccount/eks-cluster-generator',
        'Deployment/eks-cluster-generator',
        'Service/eks-cluster-generator',
        'PodDisruptionBudget/eks-cluster-generator',
        'NetworkPolicy/eks-cluster-generator',
        'ConfigMap/eks-cluster-generator-config',
        'ConfigMap/eks-cluster-generator-fleet',
        'ConfigMap/eks-cluster-generator-state',
        'Role/eks-cluster-generator-state',
        'RoleBinding/eks-cluster-generator-state',
        'ConfigMap/eks-cluster-generator',
        'Secret/eks-cluster-generator-token',
        'ConfigMap/eks-overlay-plugin',
      ].sort(),
    );
    for (const o of objects) {
      const labels = o.metadata.labels ?? {};
      // The token Secret carries Argo CD's part-of label (Argo CD requires it) and our instance label instead.
      const ours =
        labels['app.kubernetes.io/part-of'] === 'argocd-eks-plugins' ||
        labels['app.kubernetes.io/instance'] === 'argocd-eks-plugins';
      expect([`${o.kind}/${o.metadata.name}`, ours]).toEqual([
        `${o.kind}/${o.metadata.name}`,
        true,
      ]);
    }
  });

  it('creates the generator state ConfigMap empty, under a fixed name (no hash: the generator names it)', () => {
    const state = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'eks-cluster-generator-state',
    );
    expect(state).toBeDefined();
    expect(dataOf(state!)).toEqual({});
  });
});

describe('generator Deployment', () => {
  const deployment = get('Deployment', 'eks-cluster-generator');
  const spec = specOf<DeploymentSpec>(deployment);
  const pod = spec.template.spec;
  const container = pod.containers[0]!;

  it('runs 2 replicas of one container, selected by its name label', () => {
    expect(spec.replicas).toBe(2);
    expect(pod.containers).toHaveLength(1);
    expect(spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'eks-cluster-generator',
    });
    expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
  });

  it('listens on 4355 with readiness on /readyz and liveness on /healthz', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 4355, protocol: 'TCP' }]);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('sets requests and limits', () => {
    expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  it('runs non-root, read-only, without capabilities, under RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext?.['runAsUser']).not.toBe(0);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // A writable /tmp, since the root filesystem is not.
    const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it('mounts the token Secret as a file named by GENERATOR_TOKEN_FILE (a directory mount, so rotation reaches it)', () => {
    const file = container.env?.find((e) => e.name === 'GENERATOR_TOKEN_FILE')?.value;
    expect(file).toBeDefined();
    const mount = container.volumeMounts?.find((m) => m.mountPath === path.posix.dirname(file!));
    expect(mount).toMatchObject({ readOnly: true });
    expect(mount?.subPath).toBeUndefined();
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe('eks-cluster-generator-token');
    expect(volume?.secret?.items).toEqual([{ key: 'token', path: path.posix.basename(file!) }]);
    // Never the token itself in the environment.
    expect(container.env?.map((e) => e.name)).not.toContain('GENERATOR_TOKEN');
  });

  it('reads its settings from the generated config ConfigMap and the Argo CD namespace from the Pod', () => {
    const config = container.envFrom?.[0]?.configMapRef?.name;
    expect(config).toMatch(/^eks-cluster-generator-config-[a-z0-9]{10}$/);
    expect(dataOf(get('ConfigMap', config!))).toMatchObject({
      PORT: '4355',
      REGISTRAR_ENABLED: 'false',
    });
    expect(container.env?.find((e) => e.name === 'ARGOCD_NAMESPACE')?.valueFrom).toEqual({
      fieldRef: { fieldPath: 'metadata.namespace' },
    });
  });

  it('names its state ConfigMap, in its own namespace (downward API)', () => {
    const env = (name: string) => container.env?.find((e) => e.name === name);
    expect(env('GENERATOR_STATE_CONFIGMAP')?.value).toBe('eks-cluster-generator-state');
    expect(get('ConfigMap', 'eks-cluster-generator-state').metadata.name).toBe(
      'eks-cluster-generator-state',
    );
    expect(env('POD_NAMESPACE')?.valueFrom).toEqual({
      fieldRef: { fieldPath: 'metadata.namespace' },
    });
  });

  it('runs as the ServiceAccount that carries the AWS identity, bound to the state Role only', () => {
    expect(pod.serviceAccountName).toBe('eks-cluster-generator');
    const bindings = objects.filter((o) => o.kind === 'RoleBinding');
    expect(bindings.map((b) => [b['subjects'], b['roleRef']])).toEqual([
      [
        [{ kind: 'ServiceAccount', name: 'eks-cluster-generator', namespace: 'argocd' }],
        {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'eks-cluster-generator-state',
        },
      ],
    ]);
  });
});

describe('Service, PodDisruptionBudget, NetworkPolicy', () => {
  it('the Service exposes 4355 to the Deployment pods', () => {
    const svc = specOf<{ selector: Record<string, string>; ports: unknown[] }>(
      get('Service', 'eks-cluster-generator'),
    );
    expect(svc.selector).toEqual({ 'app.kubernetes.io/name': 'eks-cluster-generator' });
    expect(svc.ports).toEqual([{ name: 'http', port: 4355, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('the PodDisruptionBudget keeps one replica up', () => {
    expect(specOf(get('PodDisruptionBudget', 'eks-cluster-generator'))).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'eks-cluster-generator' } },
    });
  });

  it('the NetworkPolicy admits only the applicationset-controller and labelled metrics scrapers, on 4355', () => {
    const np = specOf<{ podSelector: unknown; policyTypes: string[]; ingress: unknown[] }>(
      get('NetworkPolicy', 'eks-cluster-generator'),
    );
    expect(np.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'eks-cluster-generator' },
    });
    expect(np.policyTypes).toEqual(['Ingress']);
    expect(np.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/name': 'argocd-applicationset-controller' },
            },
          },
        ],
        ports: [{ port: 4355, protocol: 'TCP' }],
      },
      {
        from: [
          {
            namespaceSelector: {},
            podSelector: { matchLabels: { 'argocd-eks-plugins.io/metrics-scraper': 'true' } },
          },
        ],
        ports: [{ port: 4355, protocol: 'TCP' }],
      },
    ]);
  });
});

/* argocd-contract.md §A1/§A2: what the ApplicationSet controller checks before it calls the service. */
describe('plugin ConfigMap and token Secret (§A1)', () => {
  const cm = dataOf(get('ConfigMap', 'eks-cluster-generator'));

  it('baseUrl is the Service in the Argo CD namespace on 4355', () => {
    expect(cm['baseUrl']).toBe('http://eks-cluster-generator.argocd.svc.cluster.local:4355');
  });

  it('token is a $<secret>:<key> reference to a Secret and key of the install', () => {
    const token = cm['token']!;
    expect(token).toMatch(/^\$[^:]+:[^:]+$/);
    const [secretName, key] = token.slice(1).split(':') as [string, string];
    const secret = get('Secret', secretName);
    expect(secret.metadata.name).toBe(secretName); // no name hash: the reference is by exact name
    expect(secretValue(secret, key)).toEqual(expect.any(String));
  });

  it('requestTimeout is a bare integer string (Argo CD rejects "30s")', () => {
    expect(cm['requestTimeout']).toMatch(/^[1-9][0-9]*$/);
  });

  it('the token Secret carries app.kubernetes.io/part-of: argocd and only a placeholder value', () => {
    const secret = get('Secret', 'eks-cluster-generator-token');
    expect(secret.metadata.labels?.['app.kubernetes.io/part-of']).toBe('argocd');
    expect(secretValue(secret, 'token')).toMatch(/REPLACE-ME/);
  });

  it('neither object gets a name hash (ApplicationSets and the ConfigMap refer to them by name)', () => {
    expect(
      objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'eks-cluster-generator'),
    ).toBe(true);
    expect(
      objects.some((o) => o.kind === 'Secret' && o.metadata.name === 'eks-cluster-generator-token'),
    ).toBe(true);
  });

  it('baseUrl follows the install namespace when the overlay changes it', () => {
    const moved = kustomizeBuild(MANIFESTS_DIR, {
      key: 'namespace-gitops',
      apply: (copy) => {
        const file = path.join(copy, 'kustomization.yaml');
        writeFileSync(
          file,
          readFileSync(file, 'utf8').replace(/^namespace: argocd$/m, 'namespace: gitops'),
        );
      },
    });
    expect(dataOf(findObject(moved, 'ConfigMap', 'eks-cluster-generator'))['baseUrl']).toBe(
      'http://eks-cluster-generator.gitops.svc.cluster.local:4355',
    );
    expect(findObject(moved, 'RoleBinding', 'eks-cluster-generator-state')['subjects']).toEqual([
      { kind: 'ServiceAccount', name: 'eks-cluster-generator', namespace: 'gitops' },
    ]);
  });
});

/* argocd-contract.md §B2: the CMP sidecar exactly as Argo CD documents it (manifests/with-argocd). */
describe('argocd-repo-server sidecar (§B2)', () => {
  const withArgoCd = withArgoCdObjects();
  const repo = specOf<DeploymentSpec>(findObject(withArgoCd, 'Deployment', 'argocd-repo-server'))
    .template.spec;
  const sidecar = repo.containers.find((c) => c.name === 'eks-overlay')!;
  const repoServer = repo.containers.find((c) => c.name === 'argocd-repo-server')!;
  const volume = (name: string | undefined): Volume | undefined =>
    repo.volumes?.find((v) => v.name === name);
  const mountAt = (p: string) => sidecar.volumeMounts?.find((m) => m.mountPath === p);

  it('is added next to the repo-server container, which is left as it was', () => {
    expect(repo.containers.map((c) => c.name).sort()).toEqual([
      'argocd-repo-server',
      'eks-overlay',
    ]);
    const stub = parse(
      readFileSync(
        path.join(__dirname, 'fixtures', 'argocd-stub', 'argocd-repo-server.yaml'),
        'utf8',
      ),
    ) as { spec: DeploymentSpec };
    expect(repoServer).toEqual(stub.spec.template.spec.containers[0]);
  });

  it('runs argocd-cmp-server from the shared var-files volume as UID 999, non-root, under tini with the warm render server', () => {
    expect(sidecar.command).toEqual([
      '/usr/bin/tini',
      '-g',
      '--',
      '/usr/local/bin/eks-overlay-sidecar',
      '/var/run/argocd/argocd-cmp-server',
    ]);
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    expect(sidecar.image).toMatch(/\/eks-overlay:/);
  });

  it('mounts var-files, plugins, plugin.yaml by subPath, and a dedicated /tmp', () => {
    expect(mountAt('/var/run/argocd')?.name).toBe('var-files');
    expect(mountAt('/home/argocd/cmp-server/plugins')?.name).toBe('plugins');
    const config = mountAt('/home/argocd/cmp-server/config/plugin.yaml');
    expect(config?.subPath).toBe('plugin.yaml');
    // Named as the default install creates it (no hash), so `kubectl patch` can mount it too.
    expect(volume(config?.name)?.configMap?.name).toBe('eks-overlay-plugin');
    const tmp = mountAt('/tmp');
    expect(tmp?.name).toBe('cmp-tmp');
    expect(volume('cmp-tmp')?.emptyDir).toBeDefined();
    // Not the repo-server's own tmp volume.
    const repoTmp = repoServer.volumeMounts?.find((m) => m.mountPath === '/tmp')?.name;
    expect(tmp?.name).not.toBe(repoTmp);
    // Sidecar-wide admission policies: the optional ConfigMap, read-only.
    const policies = mountAt('/home/argocd/cmp-server/policies');
    expect(policies?.readOnly).toBe(true);
    expect(volume(policies?.name)?.configMap).toMatchObject({
      name: 'eks-overlay-policies',
      optional: true,
    });
    expect(sidecar.volumeMounts).toHaveLength(5);
  });

  it('mounts the plugin.yaml ConfigMap generated from manifests/cmp-sidecar/plugin.yaml', () => {
    const name = volume(mountAt('/home/argocd/cmp-server/config/plugin.yaml')?.name)?.configMap
      ?.name;
    const cm = get('ConfigMap', name!); // from the default install, which is all an operator applies
    const plugin = parse(dataOf(cm)['plugin.yaml']!) as {
      kind: string;
      metadata: { name: string };
      spec: { generate: { command: string[] } };
    };
    // argocd-cmp-server's ValidatePluginConfig: name, kind, generate command.
    expect(plugin.metadata.name).toBe('eks-overlay');
    expect(plugin.kind).toBe('ConfigManagementPlugin');
    expect(plugin.spec.generate.command.length).toBeGreaterThan(0);
    // Byte for byte the file in the repository.
    expect(dataOf(cm)['plugin.yaml']).toBe(readFileSync(PLUGIN_YAML, 'utf8'));
  });

  it('names the plugin as the examples do, and runs the executable the sidecar image puts on PATH', () => {
    const plugin = parse(readFileSync(PLUGIN_YAML, 'utf8')) as {
      metadata: { name: string };
      spec: { version?: string; generate: { command: string[] }; discover?: { fileName?: string } };
    };
    expect(`${plugin.metadata.name}-${plugin.spec.version}`).toBe('eks-overlay-v1');
    expect(plugin.spec.discover?.fileName).toBe('eks-overlay.yaml');
    expect(plugin.spec.generate.command).toEqual(['eks-overlay-client']);
    const dockerfile = readFileSync(
      path.join(MANIFESTS_DIR, '..', 'cmp-sidecar', 'Dockerfile'),
      'utf8',
    );
    expect(dockerfile).toContain('/usr/local/bin/eks-overlay ');
    expect(dockerfile).toContain('/usr/local/bin/eks-overlay-client');
    expect(dockerfile).toContain('/usr/local/bin/eks-overlay-sidecar');
  });
});

/* Argo CD health checks: manifests/health/*.lua merged into argocd-cm, one key per group/kind. */
describe('health-check customizations in argocd-cm (manifests/with-argocd)', () => {
  const cm = findObject(withArgoCdObjects(), 'ConfigMap', 'argocd-cm');
  const data = dataOf(cm);
  const healthKeys = Object.keys(data).filter((k) =>
    k.startsWith('resource.customizations.health.'),
  );
  const lua = (file: string) => readFileSync(path.join(MANIFESTS_DIR, 'health', file), 'utf8');
  const groupKind = (key: string) => key.slice('resource.customizations.health.'.length);

  it('patches Argo CD’s own argocd-cm (same name, no hash, Argo CD labels kept)', () => {
    expect(cm.metadata.name).toBe('argocd-cm');
    expect(cm.metadata.labels?.['app.kubernetes.io/part-of']).toBe('argocd');
  });

  it('uses valid ConfigMap keys of the form <group>_<kind>', () => {
    for (const key of healthKeys) {
      expect(key).toMatch(/^[-._a-zA-Z0-9]+$/);
      expect(groupKind(key)).toMatch(/^[a-z0-9.-]+_[A-Z][A-Za-z0-9]*$/);
    }
  });

  it('gives every ACK kind of shared/crds the ACK script, verbatim', () => {
    const ackKinds = crdKinds()
      .map((k) => k.split('/'))
      .filter(([group]) => group!.endsWith('.services.k8s.aws'))
      .map(([group, , kind]) => `${group}_${kind}`);
    expect(ackKinds.length).toBeGreaterThan(10);
    for (const gk of ackKinds) {
      expect([gk, data[`resource.customizations.health.${gk}`]]).toEqual([gk, lua('ack.lua')]);
    }
  });

  it('gives RGDs and every kro kind defined by an example RGD the kro script, verbatim', () => {
    const kinds = yamlFilesUnder(path.join(MANIFESTS_DIR, 'examples'))
      .flatMap((f) => readYamlDocuments(f))
      .filter(isK8sObject)
      .filter((o) => o.kind === 'ResourceGraphDefinition')
      .map((o) => (o['spec'] as { schema: { kind: string; group?: string } }).schema)
      .map((s) => `${s.group ?? 'kro.run'}_${s.kind}`);
    expect(kinds.length).toBeGreaterThan(0);
    for (const gk of ['kro.run_ResourceGraphDefinition', ...kinds]) {
      expect([gk, data[`resource.customizations.health.${gk}`]]).toEqual([gk, lua('kro.lua')]);
    }
  });

  it('holds nothing but the two scripts', () => {
    const scripts = new Set([lua('kro.lua'), lua('ack.lua')]);
    for (const key of healthKeys) expect(scripts.has(data[key]!)).toBe(true);
  });
});
