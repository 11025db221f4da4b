import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
  type YAMLMap,
} from 'yaml';
import { clusterFromRecord, type ClusterRecord } from '../../core/cluster';
import type { AddonDefaults } from '../../core/snapshot';

/**
 * The file cluster source: a YAML file listing clusters in the ClusterRecord shape.
 *
 * ```yaml
 * clusters:
 *   - accountId: "012345678901"   # quoted: YAML would read digits as a number and drop the leading zero
 *     region: eu-west-1
 *     clusterName: prod-eu-1
 *     version: "1.30"             # quoted: YAML reads 1.30 as the number 1.3
 *     endpoint: https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
 *     tags: { env: prod }
 * addonDefaults:                  # optional: Kubernetes minor version → add-on → default version
 *   "1.30": { vpc-cni: v1.18.3-eksbuild.1 }
 * ```
 *
 * Optional per cluster: arn (derived when absent), platformVersion, status (ACTIVE), oidcIssuer, vpcId, tags, caData.
 */
export interface Fleet {
  readonly records: readonly ClusterRecord[];
  readonly addonDefaults: AddonDefaults;
}

const REQUIRED = ['accountId', 'region', 'clusterName', 'version', 'endpoint'] as const;
const OPTIONAL = ['arn', 'platformVersion', 'status', 'oidcIssuer', 'vpcId', 'caData'] as const;
const CLUSTER_KEYS: readonly string[] = [...REQUIRED, ...OPTIONAL, 'tags'];
const TOP_KEYS = ['clusters', 'addonDefaults'];

/**
 * A parsed fleet, or why the file cannot be used. `warnings` name (with file:line) the clusters the registry will
 * quarantine on their own (a reserved tag it cannot use, a name another cluster has): one such cluster must not
 * hold back the rest of the file.
 */
export type FleetParse = { fleet: Fleet; warnings?: string[] } | { issues: string[] };

/** Parses and validates a fleet file. Every problem is returned at once, each as `file:line:col: key: what`. */
export function parseFleetYaml(text: string, file: string): FleetParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (
    node: { range?: readonly number[] | null } | null | undefined,
    offset?: number,
  ): string => {
    const pos = offset ?? node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(pos);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return { issues: doc.errors.map((e) => `${at(undefined, e.pos[0])}: ${e.message}`) };
  }
  const issues: string[] = [];
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return { issues: [`${file}:1:1: file is empty; expected a map with a "clusters" list`] };
  }
  if (!isMap(root)) return { issues: [`${at(root)}: expected a map with a "clusters" list`] };

  for (const pair of root.items) {
    const k = keyString(pair.key);
    if (k === undefined || !TOP_KEYS.includes(k)) {
      issues.push(
        `${at(pair.key)}: unknown top-level key ${JSON.stringify(k ?? String(pair.key))} (expected ${TOP_KEYS.join(', ')})`,
      );
    }
  }

  const records: ClusterRecord[] = [];
  const recordAt: string[] = [];
  const clustersNode = root.get('clusters', true) as YamlNode | undefined;
  if (clustersNode === undefined) {
    issues.push(`${at(root)}: missing key "clusters" (a list of clusters)`);
  } else if (!isSeq(clustersNode)) {
    issues.push(`${at(clustersNode)}: clusters: must be a list`);
  } else {
    clustersNode.items.forEach((item, i) => {
      const where = `clusters[${i}]`;
      const node = item as YamlNode;
      if (!isMap(node)) {
        issues.push(`${at(node)}: ${where}: must be a map`);
        return;
      }
      const rec = readRecord(node, where, at, issues);
      if (rec) {
        records.push(rec);
        recordAt.push(`${at(node)}: ${where}`);
      }
    });
  }

  const addonDefaults: Record<string, Record<string, string>> = {};
  const addonsNode = root.get('addonDefaults', true) as YamlNode | undefined;
  if (addonsNode !== undefined && !(isScalar(addonsNode) && addonsNode.value === null)) {
    if (!isMap(addonsNode)) {
      issues.push(
        `${at(addonsNode)}: addonDefaults: must be a map of Kubernetes version to add-on versions`,
      );
    } else {
      for (const pair of addonsNode.items) {
        const keyNode = pair.key as YamlNode;
        const version = isScalar(keyNode) ? keyNode.value : undefined;
        if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version)) {
          issues.push(
            `${at(keyNode)}: addonDefaults: key ${JSON.stringify(version)} must be a quoted Kubernetes minor version such as "1.30" (YAML reads 1.30 as the number 1.3)`,
          );
          continue;
        }
        const byName = pair.value as YamlNode;
        if (!isMap(byName)) {
          issues.push(
            `${at(byName)}: addonDefaults."${version}": must be a map of add-on name to version`,
          );
          continue;
        }
        const out: Record<string, string> = {};
        for (const p of byName.items) {
          const name = keyString(p.key);
          const v = p.value as YamlNode;
          if (name === undefined || name === '') {
            issues.push(
              `${at(p.key as YamlNode)}: addonDefaults."${version}": add-on names must be strings`,
            );
          } else if (!isScalar(v) || typeof v.value !== 'string' || v.value === '') {
            issues.push(`${at(v)}: addonDefaults."${version}".${name}: must be a non-empty string`);
          } else {
            out[name] = v.value;
          }
        }
        addonDefaults[version] = out;
      }
    }
  }

  // Name here, where the line is known, what the registry will quarantine.
  const warnings: string[] = [];
  const names = new Map<string, string[]>();
  records.forEach((rec, i) => {
    const mapped = clusterFromRecord(rec);
    const where = recordAt[i] ?? file;
    if (mapped.cluster === undefined) {
      for (const issue of mapped.issues) warnings.push(`${where}: ${issue}`);
      return;
    }
    names.set(mapped.cluster.name, [...(names.get(mapped.cluster.name) ?? []), where]);
  });
  for (const [name, places] of names) {
    if (places.length > 1) {
      warnings.push(
        `duplicate cluster name "${name}" at ${places.join(', ')} (set tag argocd-eks-plugins/name to tell them apart)`,
      );
    }
  }
  if (issues.length > 0) return { issues };
  return warnings.length > 0
    ? { fleet: { records, addonDefaults }, warnings }
    : { fleet: { records, addonDefaults } };
}

function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return typeof key.value === 'string' ? key.value : undefined;
  return typeof key === 'string' ? key : undefined;
}

function readRecord(
  node: YAMLMap,
  where: string,
  at: (n: YamlNode | null | undefined) => string,
  issues: string[],
): ClusterRecord | undefined {
  const before = issues.length;
  const values: Record<string, string> = {};
  for (const pair of node.items) {
    const k = keyString(pair.key);
    if (k === undefined || !CLUSTER_KEYS.includes(k)) {
      issues.push(
        `${at(pair.key as YamlNode)}: ${where}: unknown key ${JSON.stringify(k ?? String(pair.key))} (expected ${CLUSTER_KEYS.join(', ')})`,
      );
    }
  }
  for (const key of [...REQUIRED, ...OPTIONAL]) {
    const v = node.get(key, true) as YamlNode | undefined;
    if (v === undefined) {
      if ((REQUIRED as readonly string[]).includes(key))
        issues.push(`${at(node)}: ${where}: missing key "${key}"`);
      continue;
    }
    const value = isScalar(v) ? v.value : undefined;
    if (typeof value !== 'string') {
      issues.push(`${at(v)}: ${where}.${key}: must be a string${quoteHint(key, v)}`);
      continue;
    }
    values[key] = value;
  }
  const accountId = values['accountId'];
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    issues.push(
      `${at(node.get('accountId', true))}: ${where}.accountId: "${accountId}" is not a 12-digit AWS account id`,
    );
  }
  const tags: Record<string, string> = {};
  const tagsNode = node.get('tags', true) as YamlNode | undefined;
  if (tagsNode !== undefined && !(isScalar(tagsNode) && tagsNode.value === null)) {
    if (!isMap(tagsNode)) {
      issues.push(`${at(tagsNode)}: ${where}.tags: must be a map of strings`);
    } else {
      for (const p of tagsNode.items) {
        const k = keyString(p.key);
        const v = p.value as YamlNode;
        if (k === undefined) {
          issues.push(`${at(p.key as YamlNode)}: ${where}.tags: keys must be strings`);
        } else if (!isScalar(v) || typeof v.value !== 'string') {
          issues.push(`${at(v)}: ${where}.tags.${k}: must be a string (quote it)`);
        } else {
          tags[k] = v.value;
        }
      }
    }
  }
  if (issues.length > before) return undefined;
  const region = values['region'] ?? '';
  const clusterName = values['clusterName'] ?? '';
  return {
    accountId: accountId ?? '',
    region,
    clusterName,
    arn: values['arn'] ?? `arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`,
    version: values['version'] ?? '',
    platformVersion: values['platformVersion'] ?? '',
    status: values['status'] ?? 'ACTIVE',
    endpoint: values['endpoint'] ?? '',
    oidcIssuer: values['oidcIssuer'] ?? '',
    vpcId: values['vpcId'] ?? '',
    tags,
    caData: values['caData'] ?? '',
  };
}

function quoteHint(key: string, v: YamlNode): string {
  const value = isScalar(v) ? v.value : undefined;
  if (typeof value !== 'number') return '';
  if (key === 'accountId') {
    return ' (quote it, e.g. accountId: "012345678901"; YAML reads unquoted digits as a number and drops leading zeros)';
  }
  if (key === 'version') {
    return ' (quote it, e.g. version: "1.30"; YAML reads 1.30 as the number 1.3)';
  }
  return ' (quote it)';
}
