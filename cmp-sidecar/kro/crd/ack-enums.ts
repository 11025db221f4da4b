import { isMap, type JsonMap } from '../types';

/**
 * Enum values ACK keeps in Go (apis/v1alpha1/enums.go), not in its CRDs (kro-eso-ack.md §2). Added to the CRD
 * schemas so a literal typo (`capacityType: ONDEMAND`) fails at render time instead of at the AWS API.
 * Paths are property names from the kind's root; `[]` steps into array items.
 */
const ENUMS: Record<string, readonly [string, readonly string[]][]> = {
  'eks.services.k8s.aws/Cluster': [
    ['spec.accessConfig.authenticationMode', ['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP']],
    ['spec.kubernetesNetworkConfig.ipFamily', ['ipv4', 'ipv6']],
    [
      'spec.logging.clusterLogging[].types[]',
      ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
    ],
    ['spec.upgradePolicy.supportType', ['STANDARD', 'EXTENDED']],
  ],
  'eks.services.k8s.aws/Nodegroup': [
    ['spec.capacityType', ['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK']],
    ['spec.taints[].effect', ['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE']],
  ],
  'eks.services.k8s.aws/Addon': [['spec.resolveConflicts', ['NONE', 'OVERWRITE', 'PRESERVE']]],
  'eks.services.k8s.aws/AccessEntry': [
    ['spec.accessPolicies[].accessScope.type', ['cluster', 'namespace']],
  ],
};

/** A copy of `schema` with the known ACK enums added (the input, shared through the CRD cache, is not changed). */
export function withAckEnums(group: string, kind: string, schema: JsonMap): JsonMap {
  const enums = ENUMS[`${group}/${kind}`];
  if (!enums) return schema;
  const out = structuredClone(schema);
  for (const [path, values] of enums) {
    let node: JsonMap | undefined = out;
    for (const seg of path.split('.')) {
      const name = seg.replace(/\[\]/g, '');
      const props: unknown = node?.['properties'];
      node = isMap(props) && isMap(props[name]) ? props[name] : undefined;
      for (let i = 0; i < (seg.match(/\[\]/g) ?? []).length; i++) {
        const items: unknown = node?.['items'];
        node = isMap(items) ? items : undefined;
      }
      if (!node) break;
    }
    if (node && node['type'] === 'string' && node['enum'] === undefined) node['enum'] = [...values];
  }
  return out;
}
