import type { EKSClient } from '@aws-sdk/client-eks';
import { paginateDescribeAddonVersions } from '@aws-sdk/client-eks';
import type { AddonDefaults } from '../../core/snapshot';
import { settleWithConcurrency } from '../../core/concurrency';
import { withCallSignal } from './eks-call-scheduler';
import { AwsCallError, callFailed, degenerateReply, describeAwsError } from './eks-errors';

/**
 * Add-on name → the version EKS marks `defaultVersion` for one Kubernetes minor version. An answer that names no
 * default at all, or a page without its `addons` list (the SDK reads an empty body, `{}` or a 204 that way), is a
 * failed lookup: published, it would give every add-on of that version "".
 */
export async function fetchAddonDefaults(
  eks: EKSClient,
  kubernetesVersion: string,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const call = `DescribeAddonVersions ${kubernetesVersion}`;
  const defaults: Record<string, string> = {};
  const pager = paginateDescribeAddonVersions(
    { client: eks, pageSize: 100 },
    { kubernetesVersion },
    { abortSignal: signal },
  );
  const tokens = new Set<string>();
  let pages = 0;
  try {
    for await (const page of pager) {
      pages++;
      if (page.nextToken) {
        if (tokens.has(page.nextToken)) {
          throw new AwsCallError(call, 'returned a nextToken it had already returned');
        }
        tokens.add(page.nextToken);
      }
      if (!Array.isArray(page.addons))
        throw degenerateReply(call, `an "addons" list on page ${pages}`);
      for (const addon of page.addons) {
        if (addon.addonName === undefined || addon.addonName in defaults) continue;
        const def = (addon.addonVersions ?? []).find((v) =>
          (v.compatibilities ?? []).some(
            (c) => c.clusterVersion === kubernetesVersion && c.defaultVersion === true,
          ),
        );
        if (def?.addonVersion !== undefined && def.addonVersion !== '')
          defaults[addon.addonName] = def.addonVersion;
      }
    }
  } catch (e) {
    throw callFailed(call, e);
  }
  if (Object.keys(defaults).length === 0) {
    throw new AwsCallError(call, 'named no default version for any add-on');
  }
  return defaults;
}

export interface AddonRefreshFailure {
  readonly kubernetesVersion: string;
  readonly error: string;
  /** True when an older answer is still served for this version. */
  readonly keptPrevious: boolean;
}

/** Add-ons that had a default for a version and are missing from its latest (successful) answer. */
export interface AddonsKept {
  readonly kubernetesVersion: string;
  readonly addons: readonly string[];
}

export interface AddonRefreshOutcome {
  readonly failures: AddonRefreshFailure[];
  readonly kept: AddonsKept[];
}

/**
 * Default add-on versions per Kubernetes minor version, fetched for the versions present in the fleet.
 * A failed fetch keeps the previous answer for that version (clusters never depend on this succeeding);
 * a version that never succeeded is simply absent, so a consumer asking for it can refuse to answer.
 * A known default is never replaced by nothing: an add-on missing from a later answer keeps its last value
 * (the generator would otherwise hand Argo CD "" for it).
 */
export class AddonDefaultsCache {
  private readonly entries = new Map<
    string,
    { defaults: Record<string, string>; fetchedAt: number }
  >();

  constructor(
    private readonly eks: EKSClient,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  async refresh(versions: readonly string[], signal: AbortSignal): Promise<AddonRefreshOutcome> {
    const due = versions.filter((v) => {
      const e = this.entries.get(v);
      return e === undefined || this.now() - e.fetchedAt >= this.maxAgeMs;
    });
    const kept: AddonsKept[] = [];
    const outcomes = await settleWithConcurrency(due, 4, async (v) => {
      // The calls go through the first target's call gate, which must see the abort to free their slots.
      const fresh = await withCallSignal(signal, () => fetchAddonDefaults(this.eks, v, signal));
      const previous = this.entries.get(v)?.defaults ?? {};
      const missing = Object.keys(previous).filter((name) => !(name in fresh));
      if (missing.length > 0) kept.push({ kubernetesVersion: v, addons: missing.sort() });
      this.entries.set(v, { defaults: { ...previous, ...fresh }, fetchedAt: this.now() });
    });
    const failures: AddonRefreshFailure[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') {
        const v = due[i] ?? '';
        failures.push({
          kubernetesVersion: v,
          error: describeAwsError(o.reason).message,
          keptPrevious: this.entries.has(v),
        });
      }
    });
    return { failures, kept };
  }

  /** The known defaults for the given versions (versions never fetched successfully are left out). */
  defaultsFor(versions: readonly string[]): AddonDefaults {
    const out: Record<string, Readonly<Record<string, string>>> = {};
    for (const v of [...versions].sort()) {
      const e = this.entries.get(v);
      if (e !== undefined) out[v] = e.defaults;
    }
    return out;
  }
}
