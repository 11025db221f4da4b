/**
 * Upgrades from ClusterUpgrade objects (argocd-eks-plugins.io/v1alpha1, `clusterupgrades`), listed read-only through
 * @kubernetes/client-node. The resource and its status belong to the upgrade controller
 * (manifests/components/upgrades/crd.yaml, generator-service/upgrades/status.ts); the view reads the fields a person
 * needs, defensively (a field of the wrong type is absent, not a fault): `spec.group`, `spec.steps`,
 * `status.phase`, `stage`, `message`, `stepIndex`, `weights`, `targetWeights`, `plan.steps` and the name and color
 * of `status.pair.green` (the cluster traffic moves to). No CRD (404) is `not-installed`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeCall, type KubeFailure } from '../../kube/call';
import type { SourceRead } from './source-state';

export const CLUSTER_UPGRADE = {
  group: 'argocd-eks-plugins.io',
  version: 'v1alpha1',
  plural: 'clusterupgrades',
} as const;

/** Weights of the pair; in the status `blue` is the cluster traffic leaves, `green` the one it moves to. */
export interface PairWeights {
  readonly blue: number;
  readonly green: number;
}

export interface UpgradeInProgress {
  readonly name: string;
  /** The upgrade group it moves traffic in. */
  readonly group: string;
  readonly phase: string | undefined;
  readonly stage: string | undefined;
  readonly message: string | undefined;
  /** 0-based index into `steps`. */
  readonly stepIndex: number | undefined;
  /** Green weights of the steps in force (`status.plan.steps`, else `spec.steps`). */
  readonly steps: readonly number[] | undefined;
  /** Confirmed written. */
  readonly weights: PairWeights | undefined;
  /** What the current step asks for. */
  readonly targetWeights: PairWeights | undefined;
  /** The cluster traffic moves to (`status.pair.green`) and its own color tag, which may be `blue`. */
  readonly movesTo: { readonly name: string; readonly color: string | undefined } | undefined;
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
    const group = str(spec['group']);
    if (name === undefined || group === undefined) continue;
    count++;
    const green = asObject(asObject(status['pair'])['green']);
    const movesTo = str(green['name']);
    byGroup.set(group, {
      name,
      group,
      phase: str(status['phase']),
      stage: str(status['stage']),
      message: str(status['message'], 1000),
      stepIndex: int(status['stepIndex']),
      steps: ints(asObject(status['plan'])['steps']) ?? ints(spec['steps']),
      weights: weightsOf(status['weights']),
      targetWeights: weightsOf(status['targetWeights']),
      movesTo: movesTo === undefined ? undefined : { name: movesTo, color: str(green['color']) },
    });
  }
  return { byGroup, count };
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function str(v: unknown, max = 253): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined;
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

function ints(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > 100) return undefined;
  const out: number[] = [];
  for (const x of v) {
    const n = int(x);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

function weightsOf(v: unknown): PairWeights | undefined {
  const o = asObject(v);
  const blue = int(o['blue']);
  const green = int(o['green']);
  return blue === undefined || green === undefined ? undefined : { blue, green };
}
