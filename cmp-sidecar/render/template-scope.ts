import { ConfigError } from '../../core/errors';
import { CONFIG_FILE } from './config-file';
import { setOwn } from './set-own';
import { markAbsent } from './template';
import type { TemplateScope } from './template';
import type { ArgoEnv, ClusterView, OverlayConfig } from './types';

/**
 * `major.minor` of KUBE_VERSION, or "" when it is empty or not a version. Argo CD versions disagree on the form
 * (`1.31` from some, `1.31.2` from ParseGeneric in others, `v1.31.2-eks-1a2b3c` or `v1.31.2+k3s1` in older ones or
 * through other tooling), so templates that branch on the cluster version compare this instead.
 */
export function kubeMinorOf(kubeVersion: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(kubeVersion.trim());
  return m === null ? '' : `${Number(m[1])}.${Number(m[2])}`;
}

/** What templates see. Declared parameter defaults apply first (Argo CD never sends announced defaults). */
export function templateScope(req: {
  readonly config: OverlayConfig;
  readonly env: ArgoEnv;
  readonly cluster: ClusterView;
  readonly clusterMissing?: string;
}): TemplateScope {
  const params: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const p of req.config.parameters) {
    const v = p.string ?? p.array ?? p.map;
    if (v !== undefined) setOwn(params, p.name, v);
  }
  for (const p of req.env.parameters) {
    if (p.name === 'cluster') continue;
    const decl = req.config.parameters.find((d) => d.name === p.name);
    const type = decl?.collectionType ?? (p.map ? 'map' : p.array ? 'array' : 'string');
    const v = type === 'map' ? p.map : type === 'array' ? p.array : p.string;
    if (v !== undefined) setOwn(params, p.name, v);
  }
  for (const p of req.config.parameters)
    if (p.required && !Object.hasOwn(params, p.name)) missing.push(p.name);
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map((n) => `${CONFIG_FILE}: parameter "${n}" is required and was not given`),
    );
  }
  const e = req.env;
  const scope: Record<string, unknown> = {
    app: {
      name: e.appName,
      namespace: e.appNamespace,
      project: e.projectName,
      revision: e.revision,
      revisionShort: e.revisionShort,
      repoURL: e.sourceRepoUrl,
      path: e.sourcePath,
      targetRevision: e.targetRevision,
    },
    kubeVersion: e.kubeVersion,
    kubeMinor: kubeMinorOf(e.kubeVersion),
    env: e.userEnv,
    params,
  };
  if (req.clusterMissing === undefined) scope['cluster'] = req.cluster;
  else markAbsent(scope, 'cluster', req.clusterMissing);
  return scope;
}
