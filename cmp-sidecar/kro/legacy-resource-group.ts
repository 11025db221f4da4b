import { hasExpression } from './expressions/delimiters';
import { RGD_API_VERSION, RGD_KIND } from './rgd-model';
import { LOWER_CAMEL, RESERVED_WORDS } from './rules/rule';
import { isMap, type JsonMap } from './types';

/**
 * Translates a retired `ResourceGroup` (kro.run v0.1.x, the seed's never-valid `kro.io` group, or the older
 * symphony shape) into a current `kro.run/v1alpha1 ResourceGraphDefinition` (kro-eso-ack.md §1.3). Raw objects
 * under `spec.resources` are wrapped as `{id, template}` with ids derived from their kind (and name when a kind
 * repeats); a minimal schema is added when there is none. Every change is listed in `changes` for the warning.
 */
const LEGACY_GROUPS = ['kro.run/', 'kro.io/', 'x.symphony.k8s.aws/'];

export function isLegacyResourceGroup(o: JsonMap): boolean {
  const av = o['apiVersion'];
  return (
    o['kind'] === 'ResourceGroup' &&
    typeof av === 'string' &&
    LEGACY_GROUPS.some((g) => av.startsWith(g))
  );
}

export interface LegacyTranslation {
  readonly rgd: JsonMap;
  readonly changes: readonly string[];
}

export function translateResourceGroup(rg: JsonMap): LegacyTranslation {
  const changes: string[] = [
    `${String(rg['apiVersion'])} ResourceGroup → ${RGD_API_VERSION} ${RGD_KIND}`,
  ];
  const metadata: JsonMap = isMap(rg['metadata']) ? structuredClone(rg['metadata']) : {};
  if (metadata['namespace'] !== undefined) {
    delete metadata['namespace'];
    changes.push('metadata.namespace dropped (ResourceGraphDefinitions are cluster-scoped)');
  }
  const oldSpec: JsonMap = isMap(rg['spec']) ? structuredClone(rg['spec']) : {};
  const schema = translateSchema(oldSpec, metadata, changes);
  const resources = translateResources(oldSpec['resources'], changes);
  for (const key of Object.keys(oldSpec)) {
    if (!['schema', 'resources', 'definition', 'kind', 'apiVersion'].includes(key)) {
      changes.push(`spec.${key} dropped (not part of ResourceGraphDefinition)`);
    }
  }
  const spec: JsonMap = { schema };
  if (resources.length > 0) spec['resources'] = resources;
  return { rgd: { apiVersion: RGD_API_VERSION, kind: RGD_KIND, metadata, spec }, changes };
}

function translateSchema(oldSpec: JsonMap, metadata: JsonMap, changes: string[]): JsonMap {
  let schema: JsonMap | undefined;
  if (isMap(oldSpec['schema'])) schema = oldSpec['schema'];
  else if (isMap(oldSpec['definition'])) {
    // symphony: spec.kind/apiVersion beside spec.definition{spec,status}
    schema = { ...oldSpec['definition'] };
    if (oldSpec['kind'] !== undefined) schema['kind'] = oldSpec['kind'];
    if (oldSpec['apiVersion'] !== undefined) schema['apiVersion'] = oldSpec['apiVersion'];
    changes.push('spec.definition → spec.schema');
  }
  if (!schema) {
    const kind = kindFromName(typeof metadata['name'] === 'string' ? metadata['name'] : '');
    changes.push(`schema added (kind ${kind}, apiVersion v1alpha1, empty spec)`);
    return { apiVersion: 'v1alpha1', kind, spec: {} };
  }
  if (schema['validation'] !== undefined) {
    delete schema['validation'];
    changes.push('schema.validation dropped (removed in kro v0.7.0; use validation= markers)');
  }
  if (schema['apiVersion'] === undefined) {
    schema['apiVersion'] = 'v1alpha1';
    changes.push('schema.apiVersion v1alpha1 added');
  }
  if (schema['kind'] === undefined) {
    schema['kind'] = kindFromName(typeof metadata['name'] === 'string' ? metadata['name'] : '');
    changes.push(`schema.kind ${String(schema['kind'])} added`);
  }
  if (schema['spec'] === null) schema['spec'] = {};
  if (schema['status'] === null) delete schema['status'];
  return schema;
}

function translateResources(raw: unknown, changes: string[]): JsonMap[] {
  if (!Array.isArray(raw)) return [];
  const items = raw.filter(isMap);
  const kindCounts = new Map<string, number>();
  for (const r of items) {
    if (isRawObject(r))
      kindCounts.set(String(r['kind']), (kindCounts.get(String(r['kind'])) ?? 0) + 1);
  }
  const used = new Set(
    items.map((r) => r['id']).filter((id): id is string => typeof id === 'string'),
  );
  const derived: string[] = [];
  const out = items.map((r) => {
    if (isRawObject(r)) {
      const kind = String(r['kind']);
      const meta = isMap(r['metadata']) ? r['metadata'] : {};
      const name =
        typeof meta['name'] === 'string' && !hasExpression(meta['name']) ? meta['name'] : '';
      const base = (kindCounts.get(kind) ?? 0) > 1 && name !== '' ? `${kind}-${name}` : kind;
      const id = uniqueId(lowerCamel(base), used);
      derived.push(id);
      return { id, template: r };
    }
    // symphony resource fields
    const o: JsonMap = { ...r };
    const renames: [string, string][] = [
      ['name', 'id'],
      ['definition', 'template'],
      ['readyOn', 'readyWhen'],
      ['conditions', 'includeWhen'],
    ];
    for (const [from, to] of renames) {
      if (o[from] !== undefined && o[to] === undefined) {
        o[to] = o[from];
        delete o[from];
        changes.push(`resources[].${from} → ${to}`);
      }
    }
    return o;
  });
  if (derived.length > 0)
    changes.push(`raw objects wrapped as {id, template} with ids [${derived.join(', ')}]`);
  return out;
}

function isRawObject(r: JsonMap): boolean {
  return (
    r['id'] === undefined &&
    r['template'] === undefined &&
    r['apiVersion'] !== undefined &&
    r['kind'] !== undefined
  );
}

/** `eks-cluster.kro.run` → `EksCluster`. */
export function kindFromName(name: string): string {
  const first = name.split('.')[0] ?? '';
  const words = first.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const kind = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return /^[A-Z]/.test(kind) ? kind : `Resource${kind}`;
}

/** `Nodegroup` → `nodegroup`, `Role-eks-node-role` → `roleEksNodeRole`. */
export function lowerCamel(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const joined = words
    .map((w, i) =>
      i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join('');
  return /^[a-z]/.test(joined) ? joined : `r${joined}`;
}

function uniqueId(base: string, used: Set<string>): string {
  let id = LOWER_CAMEL.test(base) ? base : 'resource';
  if (RESERVED_WORDS.has(id)) id = `${id}Resource`;
  let candidate = id;
  for (let n = 2; used.has(candidate); n++) candidate = `${id}${n}`;
  used.add(candidate);
  return candidate;
}
