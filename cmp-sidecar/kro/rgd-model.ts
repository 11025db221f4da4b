import { isMap, type JsonMap } from './types';

/** A ResourceGraphDefinition read leniently, so that every rule can report on a partly broken document. */
export interface ForEachDimension {
  readonly name: string;
  readonly value: unknown;
  readonly path: string;
}

export interface RgdResource {
  readonly index: number;
  /** `spec.resources[i]` */
  readonly path: string;
  readonly id: string | undefined;
  readonly raw: JsonMap;
  readonly template: JsonMap | undefined;
  readonly externalRef: JsonMap | undefined;
  readonly forEach: readonly ForEachDimension[];
}

export interface RgdModel {
  readonly name: string;
  readonly object: JsonMap;
  readonly spec: JsonMap;
  readonly schema: JsonMap | undefined;
  readonly resources: readonly RgdResource[];
  /** Ids of resources, in declaration order (string ids only). */
  readonly ids: readonly string[];
}

export const KRO_GROUP = 'kro.run';
export const RGD_API_VERSION = 'kro.run/v1alpha1';
export const RGD_KIND = 'ResourceGraphDefinition';

export function isRgd(o: JsonMap): boolean {
  return o['apiVersion'] === RGD_API_VERSION && o['kind'] === RGD_KIND;
}

export function rgdName(o: JsonMap): string {
  const meta = o['metadata'];
  const name = isMap(meta) ? meta['name'] : undefined;
  return typeof name === 'string' && name !== '' ? name : '<unnamed>';
}

export function readRgd(object: JsonMap): RgdModel {
  const spec = isMap(object['spec']) ? object['spec'] : {};
  const schema = isMap(spec['schema']) ? spec['schema'] : undefined;
  const list = Array.isArray(spec['resources']) ? (spec['resources'] as unknown[]) : [];
  const resources: RgdResource[] = list.map((r, index) => {
    const raw = isMap(r) ? withoutNulls(r) : {};
    const path = `spec.resources[${index}]`;
    const forEach: ForEachDimension[] = [];
    if (Array.isArray(raw['forEach'])) {
      (raw['forEach'] as unknown[]).forEach((entry, j) => {
        if (!isMap(entry)) return;
        for (const [name, value] of Object.entries(entry)) {
          forEach.push({ name, value, path: `${path}.forEach[${j}].${name}` });
        }
      });
    }
    return {
      index,
      path,
      id: typeof raw['id'] === 'string' ? raw['id'] : undefined,
      raw,
      template: isMap(raw['template']) ? raw['template'] : undefined,
      externalRef: isMap(raw['externalRef']) ? raw['externalRef'] : undefined,
      forEach,
    };
  });
  const ids = resources.map((r) => r.id).filter((id): id is string => id !== undefined);
  return { name: rgdName(object), object, spec, schema, resources, ids };
}

/**
 * The API server prunes null fields of a custom resource before kro reads it (structural schemas, no field is
 * nullable), so `template: null` beside an externalRef is absent, not a template that is not a map.
 */
function withoutNulls(resource: JsonMap): JsonMap {
  return Object.fromEntries(Object.entries(resource).filter(([, v]) => v !== null));
}

/** Calls `visit` for every string value under `value`, with its dotted path. */
export function walkStrings(
  value: unknown,
  path: string,
  visit: (s: string, path: string) => void,
): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
  else if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) walkStrings(v, joinPath(path, k), visit);
  }
}

export function joinPath(base: string, key: string): string {
  const seg = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  if (base === '') return seg;
  return /^[A-Za-z_$]/.test(seg) ? `${base}.${seg}` : `${base}[${seg}]`;
}
