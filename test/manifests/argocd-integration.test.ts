import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { K8sObject } from './manifest-tree';
import {
  ARGOCD_STUB_DIR,
  findObject,
  installObjects,
  MANIFESTS_DIR,
  OFFLINE_ENV,
  PLUGIN_YAML,
  withArgoCdObjects,
} from './manifest-tree';

/*
 * The changes to Argo CD's own objects come three ways (issue #17): the kustomize components (built here through
 * manifests/with-argocd), the argo-cd Helm chart values, and patch files for `kubectl patch`. All three must give
 * argocd-repo-server the same sidecar and argocd-cm the same health checks.
 */

interface Mount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}
interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  env?: unknown[];
  envFrom?: unknown[];
  resources?: unknown;
  securityContext?: { runAsUser?: number } & Record<string, unknown>;
  volumeMounts?: Mount[];
}
interface Volume {
  name: string;
  configMap?: { name: string };
  emptyDir?: unknown;
}
interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
}
interface HelmValues {
  configs: {
    cm: Record<string, string>;
    cmp: { create: boolean; plugins: Record<string, Record<string, unknown>> };
  };
  repoServer: { extraContainers: Container[]; volumes: Volume[] };
}

const PLUGIN_MOUNT = '/home/argocd/cmp-server/config/plugin.yaml';
const HELM_VALUES = path.join(MANIFESTS_DIR, 'helm', 'argo-cd-values.yaml');
const SIDECAR_PATCH = path.join(
  MANIFESTS_DIR,
  'components',
  'eks-overlay-sidecar',
  'repo-server-sidecar.yaml',
);
const CM_PATCH = path.join(MANIFESTS_DIR, 'patches', 'argocd-cm-health.yaml');

const withArgoCd = withArgoCdObjects();
const podOf = (deployment: K8sObject): PodSpec =>
  (deployment['spec'] as { template: { spec: PodSpec } }).template.spec;
const kustomizePod = podOf(findObject(withArgoCd, 'Deployment', 'argocd-repo-server'));
const kustomizeSidecar = kustomizePod.containers.find((c) => c.name === 'eks-overlay')!;
const helm = parse(readFileSync(HELM_VALUES, 'utf8')) as HelmValues;
const helmSidecar = helm.repoServer.extraContainers.find((c) => c.name === 'eks-overlay')!;
const healthKeys = (data: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(data).filter(([k]) => k.startsWith('resource.customizations.health.')),
  );
const kustomizeHealth = healthKeys(
  findObject(withArgoCd, 'ConfigMap', 'argocd-cm')['data'] as Record<string, string>,
);

/** A container without the plugin.yaml mount, for comparing everything else. */
function withoutPluginMount(c: Container): Container {
  return { ...c, volumeMounts: (c.volumeMounts ?? []).filter((m) => m.mountPath !== PLUGIN_MOUNT) };
}

/** `kubectl patch --local`: what the README's command does to an object, without a cluster. */
function kubectlPatch(file: string, type: 'strategic' | 'merge', patchFile: string): K8sObject {
  const out = execFileSync(
    'kubectl',
    ['patch', '--local', '-f', file, '--type', type, '--patch-file', patchFile, '-o', 'json'],
    { env: OFFLINE_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return JSON.parse(out) as K8sObject;
}

describe('manifests/with-argocd', () => {
  it('holds every object of the default install, unchanged', () => {
    for (const o of installObjects()) {
      const twin = withArgoCd.find((x) => x.kind === o.kind && x.metadata.name === o.metadata.name);
      expect([o.kind, o.metadata.name, twin]).toEqual([o.kind, o.metadata.name, o]);
    }
  });
});

describe('the Helm values sidecar is the kustomize sidecar', () => {
  it('same image, command, pull policy, env, resources and security context (uid 999)', () => {
    expect(helmSidecar.securityContext?.runAsUser).toBe(999);
    for (const key of [
      'image',
      'command',
      'imagePullPolicy',
      'env',
      'resources',
      'securityContext',
    ] as const)
      expect([key, helmSidecar[key]]).toEqual([key, kustomizeSidecar[key]]);
    // And nothing else differs but the plugin.yaml mount.
    expect(withoutPluginMount(helmSidecar)).toEqual(withoutPluginMount(kustomizeSidecar));
  });

  it('the same mounts, but plugin.yaml from the chart’s argocd-cmp-cm', () => {
    expect(withoutPluginMount(helmSidecar).volumeMounts).toEqual(
      withoutPluginMount(kustomizeSidecar).volumeMounts,
    );
    const mount = helmSidecar.volumeMounts?.find((m) => m.mountPath === PLUGIN_MOUNT);
    const volume = helm.repoServer.volumes.find((v) => v.name === mount?.name);
    expect(volume?.configMap?.name).toBe('argocd-cmp-cm');
    // The chart's argocd-cmp-cm holds one key per plugin: <name>.yaml.
    expect(mount?.subPath).toBe('eks-overlay.yaml');
    expect(helm.configs.cmp.plugins['eks-overlay']).toBeDefined();
  });

  it('its other volumes are the kustomize ones (the chart brings var-files and plugins)', () => {
    const own = (volumes: Volume[], c: Container) =>
      volumes.filter((v) => withoutPluginMount(c).volumeMounts!.some((m) => m.name === v.name));
    const chartVolumes = new Set(['var-files', 'plugins']);
    expect(own(helm.repoServer.volumes, helmSidecar)).toEqual(
      own(kustomizePod.volumes ?? [], kustomizeSidecar).filter((v) => !chartVolumes.has(v.name)),
    );
  });

  it('the chart writes plugin.yaml from configs.cmp: same name and spec as manifests/cmp-sidecar/plugin.yaml', () => {
    const plugin = parse(readFileSync(PLUGIN_YAML, 'utf8')) as {
      metadata: { name: string };
      spec: unknown;
    };
    expect(helm.configs.cmp.create).toBe(true);
    expect(Object.keys(helm.configs.cmp.plugins)).toEqual([plugin.metadata.name]);
    expect(helm.configs.cmp.plugins[plugin.metadata.name]).toEqual(plugin.spec);
  });

  it('holds no `{{` in the sidecar (the chart passes repoServer.extraContainers through tpl)', () => {
    expect(JSON.stringify(helm.repoServer.extraContainers)).not.toContain('{{');
  });

  it('configs.cm holds the health checks of the kustomize component, verbatim', () => {
    expect(Object.keys(kustomizeHealth).length).toBeGreaterThan(10);
    expect(helm.configs.cm).toEqual(kustomizeHealth);
  });
});

describe('the patch files, applied as the README says (kubectl patch)', () => {
  it('the sidecar patch gives argocd-repo-server what the component gives it', () => {
    const patched = kubectlPatch(
      path.join(ARGOCD_STUB_DIR, 'argocd-repo-server.yaml'),
      'strategic',
      SIDECAR_PATCH,
    );
    expect(podOf(patched)).toEqual(kustomizePod);
  });

  it('the argocd-cm patch gives argocd-cm what the component gives it', () => {
    const patched = kubectlPatch(path.join(ARGOCD_STUB_DIR, 'argocd-cm.yaml'), 'merge', CM_PATCH);
    expect(patched['data']).toEqual(kustomizeHealth);
  });
});
