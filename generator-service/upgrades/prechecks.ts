/**
 * The checks before the first step. Each failure names the check and the object at fault; any failure leaves the
 * traffic where it is. The pair comes from the generator's own answer for the group, so the controller pairs exactly
 * the clusters Argo CD is served.
 */
import { RESERVED_TAGS } from '../../core/cluster';
import type { ApplicationView, EksUpgradeApi, ServedCluster } from './ports';
import type { PairMember } from './status';

export const RETIRED_TAG = 'argocd-eks-plugins/upgrade-retired';

export interface PreCheckFailure {
  readonly check: 'pair' | 'green-status' | 'version' | 'addons' | 'twins';
  readonly message: string;
}

export type PairResult =
  | { pair: { blue: ServedCluster; green: ServedCluster }; failures: [] }
  | { pair?: undefined; failures: PreCheckFailure[] };

/** Exactly one blue and one green among the group's clusters that are not retired. */
export function findPair(group: string, served: readonly ServedCluster[]): PairResult {
  const members = served.filter((c) => c.upgrade.group === group && c.tags[RETIRED_TAG] !== 'true');
  const blue = members.filter((c) => c.upgrade.color === 'blue');
  const green = members.filter((c) => c.upgrade.color === 'green');
  if (blue.length === 1 && green.length === 1 && blue[0] && green[0]) {
    return { pair: { blue: blue[0], green: green[0] }, failures: [] };
  }
  const list = (cs: ServedCluster[]) =>
    cs.length === 0 ? '(none)' : cs.map((c) => c.name).join(', ');
  return {
    failures: [
      {
        check: 'pair',
        message: `upgrade group "${group}" needs exactly one blue and one green cluster (not retired); found blue: ${list(blue)}; green: ${list(green)}`,
      },
    ],
  };
}

/** Green ACTIVE (or UPDATING, finishing) and on a newer minor than blue. */
export function checkVersions(blue: ServedCluster, green: ServedCluster): PreCheckFailure[] {
  const out: PreCheckFailure[] = [];
  if (green.status !== 'ACTIVE' && green.status !== 'UPDATING') {
    out.push({
      check: 'green-status',
      message: `green cluster ${green.name} is ${green.status || 'of unknown status'}, not ACTIVE`,
    });
  }
  const b = minorOf(blue.version);
  const g = minorOf(green.version);
  if (b === undefined || g === undefined || g.major !== b.major || g.minor <= b.minor) {
    out.push({
      check: 'version',
      message: `green cluster ${green.name} runs Kubernetes ${green.version || '?'}, not a newer minor than blue ${blue.name} (${blue.version || '?'})`,
    });
  }
  return out;
}

function minorOf(v: string): { major: number; minor: number } | undefined {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Every add-on installed on green at a version DescribeAddonVersions lists as compatible with green's Kubernetes. */
export async function checkAddons(
  eks: EksUpgradeApi,
  green: ServedCluster,
): Promise<PreCheckFailure[]> {
  const out: PreCheckFailure[] = [];
  for (const addon of await eks.installedAddons(green)) {
    const compatible = await eks.compatibleVersions(green, addon.name, green.version);
    if (!compatible.includes(addon.version)) {
      out.push({
        check: 'addons',
        message: `add-on ${addon.name} ${addon.version} on green cluster ${green.name} is not listed by DescribeAddonVersions as compatible with Kubernetes ${green.version}${compatible.length > 0 ? ` (compatible: ${compatible.join(', ')})` : ''}`,
      });
    }
  }
  return out;
}

export function targets(app: ApplicationView, c: { name: string; server: string }): boolean {
  const d = app.destination;
  return d.server !== undefined && d.server !== ''
    ? d.server.replace(/\/+$/, '') === c.server
    : d.name === c.name;
}

/**
 * Every Application whose destination is blue has a twin on green: same ApplicationSet, same repository and
 * path, Synced and Healthy at the same revision.
 */
export function checkTwins(
  apps: readonly ApplicationView[],
  blue: { name: string; server: string },
  green: { name: string; server: string },
): PreCheckFailure[] {
  const out: PreCheckFailure[] = [];
  const onGreen = apps.filter((a) => targets(a, green));
  for (const app of apps.filter((a) => targets(a, blue))) {
    const twin = onGreen.find(
      (g) =>
        g.applicationSet === app.applicationSet && g.repoURL === app.repoURL && g.path === app.path,
    );
    const origin = `Application ${app.name} (ApplicationSet ${app.applicationSet ?? '(none)'}, path ${app.path || '.'})`;
    if (twin === undefined) {
      out.push({
        check: 'twins',
        message: `${origin} on blue has no twin on green cluster ${green.name}`,
      });
    } else if (twin.syncStatus !== 'Synced' || twin.healthStatus !== 'Healthy') {
      out.push({
        check: 'twins',
        message: `twin ${twin.name} of ${origin} is ${twin.syncStatus || 'Unknown'}/${twin.healthStatus || 'Unknown'}, not Synced/Healthy`,
      });
    } else if (twin.revision !== app.revision) {
      out.push({
        check: 'twins',
        message: `twin ${twin.name} of ${origin} is at revision ${twin.revision || '?'}, blue at ${app.revision || '?'}`,
      });
    }
  }
  return out;
}

export function pairMember(c: ServedCluster): PairMember {
  return {
    name: c.name,
    arn: c.arn,
    server: c.server,
    version: c.version,
    accountId: c.accountId,
    region: c.region,
    labels: { ...c.labels },
  };
}

export const WEIGHT_TAG = RESERVED_TAGS.upgradeWeight;
export const GROUP_TAG = RESERVED_TAGS.upgradeGroup;
