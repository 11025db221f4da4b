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

/**
 * Which way traffic moves: to the cluster on the newer minor. A group's first upgrade moves it from blue to green;
 * the next one pairs today's green (serving) with a new cluster, tagged blue, so the roles follow the versions, not
 * the tags. With no newer side, green is the target (and checkVersions says why it cannot be).
 */
export function roles(pair: { blue: ServedCluster; green: ServedCluster }): {
  from: ServedCluster;
  to: ServedCluster;
} {
  const b = minorOf(pair.blue.version);
  const g = minorOf(pair.green.version);
  const blueIsNewer =
    b !== undefined && g !== undefined && b.major === g.major && b.minor > g.minor;
  return blueIsNewer ? { from: pair.green, to: pair.blue } : { from: pair.blue, to: pair.green };
}

/** The target ACTIVE (or UPDATING, finishing) and on a newer minor than the cluster traffic leaves. */
export function checkVersions(from: ServedCluster, to: ServedCluster): PreCheckFailure[] {
  const out: PreCheckFailure[] = [];
  if (to.status !== 'ACTIVE' && to.status !== 'UPDATING') {
    out.push({
      check: 'green-status',
      message: `${to.upgrade.color} cluster ${to.name} is ${to.status || 'of unknown status'}, not ACTIVE`,
    });
  }
  const f = minorOf(from.version);
  const t = minorOf(to.version);
  if (f === undefined || t === undefined || t.major !== f.major || t.minor <= f.minor) {
    out.push({
      check: 'version',
      message: `${to.upgrade.color} cluster ${to.name} runs Kubernetes ${to.version || '?'}, not a newer minor than ${from.upgrade.color} ${from.name} (${from.version || '?'})`,
    });
  }
  return out;
}

function minorOf(v: string): { major: number; minor: number } | undefined {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Every add-on installed on the target at a version DescribeAddonVersions lists as compatible with its Kubernetes. */
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
        message: `add-on ${addon.name} ${addon.version} on ${green.upgrade.color} cluster ${green.name} is not listed by DescribeAddonVersions as compatible with Kubernetes ${green.version}${compatible.length > 0 ? ` (compatible: ${compatible.join(', ')})` : ''}`,
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
  blue: ServedCluster,
  green: ServedCluster,
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
        message: `${origin} on ${blue.upgrade.color} has no twin on ${green.upgrade.color} cluster ${green.name}`,
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
    color: c.upgrade.color,
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
