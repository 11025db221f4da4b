/**
 * Upgrades in progress from ClusterUpgrade objects (argocd-eks-plugins.io/v1alpha1, `clusterupgrades`), listed
 * read-only through @kubernetes/client-node. The resource belongs to the upgrade controller, so it is read loosely:
 * `spec.group` (or `spec.upgradeGroup`), `status.phase`, `status.currentStep`, `status.weights`; anything else
 * is ignored. No CRD (404) is `not-installed`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeCall, type KubeFailure } from '../../kube/call';
import type { SourceRead } from './source-state';

export const CLUSTER_UPGRADE = {
  group: 'argocd-eks-plugins.io',
  version: 'v1alpha1',
  plural: 'clusterupgrades',
} as const;

export interface UpgradeInProgress {
  readonly name: string;
  /** The upgrade group it moves traffic in. */
  readonly group: string;
  readonly phase: string | undefined;
  readonly currentStep: string | undefined;
  /** Color (or any key the controller writes) → weight, as text. */
  readonly weights: Readonly<Record<string, string>>;
}

export interface ClusterUpgrades {
  readonly byGroup: ReadonlyMap<string, UpgradeInProgress>;
  readonly count: number;
}

export function clusterUpgradesRead(
  kc: KubeConfig | undefined,
  namespace: string | undefined,
): SourceRead<ClusterUpgrades> {
  return async () => {
    if (kc === undefined || namespace === undefined)
      return {
        notInstalled:
          'no namespace to read ClusterUpgrade objects in (FLEET_VIEW_UPGRADES_NAMESPACE)',
      };
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const api = kc.makeApiClient(CustomObjectsApi);
    let body: unknown;
    try {
      body = await kubeCall(
        () =>
          api.listNamespacedCustomObject({
            group: CLUSTER_UPGRADE.group,
            version: CLUSTER_UPGRADE.version,
            namespace,
            plural: CLUSTER_UPGRADE.plural,
          }) as Promise<unknown>,
        (f) => new KubeReadError(f),
      );
    } catch (e) {
      if (e instanceof KubeReadError && e.failure.kind === 'status' && e.failure.status === 404)
        return { notInstalled: 'the ClusterUpgrade CRD is not installed' };
      throw e;
    }
    return { data: clusterUpgradesOf(body) };
  };
}

class KubeReadError extends Error {
  constructor(readonly failure: KubeFailure) {
    super(
      `list ${CLUSTER_UPGRADE.plural}.${CLUSTER_UPGRADE.group}: ${
        failure.kind === 'status'
          ? `HTTP ${failure.status}${failure.reason ? ` ${failure.reason}` : ''}`
          : failure.message
      }`,
    );
  }
}

export function clusterUpgradesOf(list: unknown): ClusterUpgrades {
  const items = asObject(list)['items'];
  const byGroup = new Map<string, UpgradeInProgress>();
  let count = 0;
  for (const item of Array.isArray(items) ? items : []) {
    const o = asObject(item);
    const name = str(asObject(o['metadata'])['name']);
    const spec = asObject(o['spec']);
    const status = asObject(o['status']);
    const group = str(spec['group']) ?? str(spec['upgradeGroup']);
    if (name === undefined || group === undefined) continue;
    count++;
    const weights: Record<string, string> = {};
    for (const [k, v] of Object.entries(asObject(status['weights']))) {
      if (typeof v === 'number' || typeof v === 'string')
        weights[k.slice(0, 40)] = String(v).slice(0, 20);
    }
    const step = status['currentStep'];
    byGroup.set(group, {
      name,
      group,
      phase: str(status['phase']),
      currentStep:
        typeof step === 'number' || typeof step === 'string'
          ? String(step).slice(0, 40)
          : undefined,
      weights,
    });
  }
  return { byGroup, count };
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, 253) : undefined;
}
