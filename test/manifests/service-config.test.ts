import path from 'node:path';
import { loadServiceConfig } from '../../generator-service/config';
import { parseRegistrarConfig } from '../../generator-service/registrar/config';
import { parseEksConfig } from '../../plugins/cluster-sources/eks-config';
import { parseFleetYaml } from '../../plugins/cluster-sources/file';
import type { K8sObject } from './manifest-tree';
import { findObject, kustomizeBuild, MANIFESTS_DIR } from './manifest-tree';

/*
 * The environment each install gives the generator Pod is accepted by the service's own config parsers, and agrees
 * with the Deployment around it (port, token file, fleet file).
 */

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Pod {
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}

function podOf(objects: K8sObject[]): Pod {
  const d = findObject(objects, 'Deployment', 'eks-cluster-generator');
  return (d['spec'] as { template: { spec: Pod } }).template.spec;
}

/** What the kubelet would set: envFrom ConfigMaps, then env (fieldRefs resolved as for a Pod in argocd). */
function podEnv(objects: K8sObject[]): Record<string, string> {
  const container = podOf(objects).containers[0]!;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const cm = findObject(objects, 'ConfigMap', from.configMapRef!.name);
    Object.assign(env, cm['data'] as Record<string, string>);
  }
  const fields: Record<string, string> = {
    'metadata.namespace': 'argocd',
    'metadata.name': 'eks-cluster-generator-5d9c7b-abcde',
  };
  for (const e of container.env ?? []) {
    env[e.name] = e.value ?? fields[e.valueFrom?.fieldRef?.fieldPath ?? ''] ?? '';
  }
  return env;
}

function mountedFile(
  objects: K8sObject[],
  file: string,
): { kind: 'configMap' | 'secret'; name: string } {
  const pod = podOf(objects);
  const mount = pod.containers[0]!.volumeMounts?.find(
    (m) => m.mountPath === path.posix.dirname(file),
  );
  const volume = pod.volumes?.find((v) => v.name === mount?.name);
  if (volume?.configMap) return { kind: 'configMap', name: volume.configMap.name };
  if (volume?.secret) return { kind: 'secret', name: volume.secret.secretName };
  throw new Error(`${file} is not on a mounted ConfigMap or Secret`);
}

const installs = [
  { name: 'manifests (the install)', dir: MANIFESTS_DIR, source: 'file', registrar: false },
  {
    name: 'examples/install-eks-discovery',
    dir: path.join(MANIFESTS_DIR, 'examples', 'install-eks-discovery'),
    source: 'eks',
    // The registrar runs as its own Deployment there (manifests/components/registrar).
    registrar: false,
  },
] as const;

describe.each(installs)('$name', ({ dir, source, registrar }) => {
  const objects = kustomizeBuild(dir);
  const env = podEnv(objects);
  const loaded = loadServiceConfig(env);

  it('passes the service config parser', () => {
    expect(loaded).toHaveProperty('config');
  });

  it('listens on the container port and reads the token from the mounted Secret', () => {
    if (!('config' in loaded)) throw new Error(loaded.issues.join('\n'));
    const { config } = loaded;
    expect(podOf(objects).containers[0]!.ports?.[0]?.containerPort).toBe(config.port);
    expect(config.token?.kind).toBe('file');
    const tokenFile = config.token?.kind === 'file' ? config.token.path : '';
    expect(mountedFile(objects, tokenFile)).toEqual({
      kind: 'secret',
      name: 'eks-cluster-generator-token',
    });
    expect(config.clusterSource).toBe(source);
    expect(config.registrarEnabled).toBe(registrar);
  });

  it('the registrar settings parse (Argo CD namespace from the Pod)', () => {
    expect(parseRegistrarConfig(env)).toMatchObject({ namespace: 'argocd' });
  });

  if (source === 'file') {
    it('the fleet file is the mounted fleet ConfigMap, and it is a valid fleet', () => {
      if (!('config' in loaded)) throw new Error(loaded.issues.join('\n'));
      const file = env['CLUSTERS_FILE']!;
      const mounted = mountedFile(objects, file);
      expect(mounted.kind).toBe('configMap');
      const cm = findObject(objects, 'ConfigMap', mounted.name);
      const text = (cm['data'] as Record<string, string>)[path.posix.basename(file)]!;
      expect(parseFleetYaml(text, file)).toHaveProperty('fleet');
    });
  } else {
    it('the EKS discovery settings parse', () => {
      expect(parseEksConfig(env)).toHaveProperty('config');
    });
  }
});
