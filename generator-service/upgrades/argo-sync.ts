/**
 * What Argo CD made of a step: which ApplicationSets select the pair (and are asked to refresh), and whether the
 * generator serves the new weights and the pair's Applications synced after the refresh. Both are read the way
 * Argo CD reads them: the generator's answers to each ApplicationSet's own input, and the Applications' status.
 */
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { GeneratorRefusal } from './generator-client';
import type { ApplicationView, ArgoStore, GeneratorClient, ServedCluster } from './ports';
import { GROUP_TAG, targets } from './prechecks';
import type { PairMember, UpgradeStatus, Weights } from './status';

/** Argo CD reconciles an ApplicationSet carrying it at once (a plugin generator's own requeue is 30 minutes). */
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/application-set-refresh';

export interface ArgoSyncDeps {
  readonly argo: ArgoStore;
  readonly generator: GeneratorClient;
  /** The plugin ConfigMap name of this generator: ApplicationSets using another are not ours to refresh. */
  readonly generatorConfigMap: string;
  readonly log: Logger;
}

/** ApplicationSets with a plugin generator of this generator whose answer holds a cluster of the pair. */
export async function selectingApplicationSets(
  d: ArgoSyncDeps,
  pair: { blue: PairMember; green: PairMember },
): Promise<string[]> {
  const out: string[] = [];
  for (const set of await d.argo.applicationSets()) {
    for (const g of set.pluginGenerators) {
      if (g.configMap !== d.generatorConfigMap) continue;
      let served: ServedCluster[];
      try {
        served = await d.generator.clusters(g.parameters);
      } catch (e) {
        // The generator refuses this ApplicationSet's own input (400): Argo CD cannot render it either and keeps its
        // Applications; it selects nothing this controller could wait for. Any other failure is retried.
        if (e instanceof GeneratorRefusal && e.status === 400) {
          d.log.warn('ApplicationSet input refused by the generator; not refreshed', {
            applicationSet: set.name,
            error: describeError(e),
          });
          continue;
        }
        throw e;
      }
      if (served.some((c) => c.arn === pair.blue.arn || c.arn === pair.green.arn)) {
        out.push(set.name);
        break;
      }
    }
  }
  return out.sort();
}

/**
 * Where a step stands in Argo CD: `converged` when the generator serves the target weights and the pair's
 * Applications synced after the refresh; `waiting` while that may still come; `suspicious` when nothing selects or
 * targets the pair any more. The pre-checks found Applications on the pair, so an empty set now is a change nobody
 * announced (an ApplicationSet deleted or edited, Applications removed), never a reason to go on.
 */
export type Convergence =
  | { readonly state: 'converged' }
  | { readonly state: 'waiting'; readonly reason: string }
  | { readonly state: 'suspicious'; readonly reason: string };

export async function converged(d: ArgoSyncDeps, st: UpgradeStatus): Promise<Convergence> {
  const pair = st.pair as { blue: PairMember; green: PairMember };
  const target = st.targetWeights as Weights;
  const waiting = (reason: string): Convergence => ({ state: 'waiting', reason });
  const group = await groupOf(d, pair);
  for (const color of ['blue', 'green'] as const) {
    const c = group.find((x) => x.arn === pair[color].arn);
    if (c === undefined)
      return waiting(`waiting: the generator does not serve ${color} ${pair[color].name}`);
    if (c.upgrade.weight !== String(target[color])) {
      return waiting(
        `waiting for the generator to serve ${color} ${pair[color].name} at weight ${target[color]} (serves ${c.upgrade.weight})`,
      );
    }
  }
  const pairNames = `blue ${pair.blue.name} / green ${pair.green.name}`;
  const refreshed = st.refreshedApplicationSets ?? [];
  if (refreshed.length === 0) {
    return {
      state: 'suspicious',
      reason: `no ApplicationSet of generator ${d.generatorConfigMap} selects ${pairNames}`,
    };
  }
  const sets = new Set(refreshed);
  const refreshedAt = Date.parse(st.refreshedAt ?? '');
  const apps = (await d.argo.applications()).filter(
    (a: ApplicationView) =>
      a.applicationSet !== undefined &&
      sets.has(a.applicationSet) &&
      (targets(a, pair.blue) || targets(a, pair.green)),
  );
  if (apps.length === 0) {
    return {
      state: 'suspicious',
      reason: `no Application of ApplicationSet ${refreshed.join(', ')} targets ${pairNames}`,
    };
  }
  for (const a of apps) {
    const fresh = a.reconciledAt !== undefined && Date.parse(a.reconciledAt) >= refreshedAt;
    if (!fresh || a.syncStatus !== 'Synced' || a.healthStatus !== 'Healthy') {
      return waiting(
        `waiting for Application ${a.name} to be Synced and Healthy with the new weights`,
      );
    }
  }
  return { state: 'converged' };
}

async function groupOf(
  d: ArgoSyncDeps,
  pair: { blue: PairMember; green: PairMember },
): Promise<ServedCluster[]> {
  const group = pair.blue.labels[GROUP_TAG] ?? pair.green.labels[GROUP_TAG] ?? '';
  return d.generator.clusters({ selector: { matchLabels: { [GROUP_TAG]: group } } });
}
