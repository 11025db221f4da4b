import type { EKSClient } from '@aws-sdk/client-eks';
import { paginateDescribeAddonVersions } from '@aws-sdk/client-eks';
import type { AddonDefaults } from '../../core/snapshot';
import { settleWithConcurrency } from './eks-concurrency';
import { describeAwsError } from './eks-errors';

/** Add-on name → the version EKS marks `defaultVersion` for one Kubernetes minor version. */
export async function fetchAddonDefaults(
  eks: EKSClient,
  kubernetesVersion: string,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const defaults: Record<string, string> = {};
  const pager = paginateDescribeAddonVersions(
    { client: eks, pageSize: 100 },
    { kubernetesVersion },
    { abortSignal: signal },
  );
  const tokens = new Set<string>();
  for await (const page of pager) {
    if (page.nextToken) {
      if (tokens.has(page.nextToken)) {
        throw new Error('DescribeAddonVersions returned a nextToken it had already returned');
      }
      tokens.add(page.nextToken);
    }
    for (const addon of page.addons ?? []) {
      if (addon.addonName === undefined || addon.addonName in defaults) continue;
      const def = (addon.addonVersions ?? []).find((v) =>
        (v.compatibilities ?? []).some(
          (c) => c.clusterVersion === kubernetesVersion && c.defaultVersion === true,
        ),
      );
      if (def?.addonVersion !== undefined) defaults[addon.addonName] = def.addonVersion;
    }
  }
  return defaults;
}

export interface AddonRefreshFailure {
  readonly kubernetesVersion: string;
  readonly error: string;
  /** True when an older answer is still served for this version. */
  readonly keptPrevious: boolean;
}

/**
 * Default add-on versions per Kubernetes minor version, fetched for the versions present in the fleet.
 * A failed fetch keeps the previous answer for that version (clusters never depend on this succeeding);
 * a version that never succeeded is simply absent, so a consumer asking for it can refuse to answer.
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

  async refresh(versions: readonly string[], signal: AbortSignal): Promise<AddonRefreshFailure[]> {
    const due = versions.filter((v) => {
      const e = this.entries.get(v);
      return e === undefined || this.now() - e.fetchedAt >= this.maxAgeMs;
    });
    const outcomes = await settleWithConcurrency(due, 4, async (v) => {
      const defaults = await fetchAddonDefaults(this.eks, v, signal);
      this.entries.set(v, { defaults, fetchedAt: this.now() });
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
    return failures;
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
