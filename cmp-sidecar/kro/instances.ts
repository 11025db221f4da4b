import type { InstanceDeclaration } from './config';
import { compileSimpleSchema } from './simpleschema/compile';
import { checkInstanceSpec } from './simpleschema/instance-check';
import { isMap, type JsonMap, type KroFinding, type SourceRef } from './types';
import type { ValidatedRgd } from './validate';

/**
 * Builds the kro instances eks-overlay.yaml declares for this cluster: strings templated from the cluster context,
 * then (when the RGD is known) coerced to the SimpleSchema's scalar types, checked (types, required, enum,
 * min/max, unknown fields) and completed with its defaults, as the apiserver would.
 */
export const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

export interface InstanceBuild {
  readonly objects: JsonMap[];
  readonly findings: KroFinding[];
}

export function buildInstances(
  decls: readonly InstanceDeclaration[],
  rgds: readonly ValidatedRgd[],
  renderedRgdNames: ReadonlySet<string>,
  template: (text: string) => string,
  source: SourceRef,
): InstanceBuild {
  const objects: JsonMap[] = [];
  const findings: KroFinding[] = [];
  for (const d of decls) {
    const at = `instances[${d.index}]`;
    const name = template(d.name);
    const label = `${d.kind}/${name}`;
    const fail = (path: string, message: string, severity: 'error' | 'warning' = 'error') =>
      findings.push({ severity, rgd: label, path, message, source });
    const candidates = rgds.filter(
      (r) =>
        r.model.schema?.['kind'] === d.kind &&
        (d.rgd === undefined || r.name === d.rgd) &&
        (d.apiVersion === undefined || instanceApiVersion(r.model.schema) === d.apiVersion),
    );
    const spec = templateTree(d.spec, template) as JsonMap;
    let apiVersion = d.apiVersion;
    let finalSpec: JsonMap = spec;
    let rgdInRender = false;
    if (candidates.length > 1) {
      fail(
        at,
        `several ResourceGraphDefinitions define kind ${d.kind}: [${candidates.map((c) => c.name).join(', ')}]; set "rgd:" to pick one`,
      );
      continue;
    }
    const rgd = candidates[0];
    if (rgd?.model.schema) {
      apiVersion = instanceApiVersion(rgd.model.schema);
      rgdInRender = renderedRgdNames.has(rgd.name);
      const compiled = compileSimpleSchema(
        rgd.model.schema['spec'],
        rgd.model.schema['types'],
        'spec',
        'types',
      );
      if (compiled.issues.length === 0) {
        const coerced = coerceScalars(spec, compiled.schema);
        const checked = checkInstanceSpec(compiled.schema, coerced, `${at}.spec`);
        for (const v of checked.violations)
          fail(v.path, `${v.message} (ResourceGraphDefinition ${rgd.name})`);
        finalSpec = checked.spec;
      }
    } else if (apiVersion === undefined) {
      fail(
        at,
        `no ResourceGraphDefinition for kind ${d.kind} in the render or kro.rgdPaths; set apiVersion to emit it unchecked`,
      );
      continue;
    } else {
      fail(
        at,
        `no ResourceGraphDefinition for ${apiVersion} ${d.kind} in the render or kro.rgdPaths: spec not checked`,
        'warning',
      );
    }
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.annotations)) annotations[k] = template(v);
    // The instance CRD only exists once kro has processed the RGD: skip dry-run and apply after the RGD.
    if (annotations[SYNC_OPTIONS] === undefined)
      annotations[SYNC_OPTIONS] = 'SkipDryRunOnMissingResource=true';
    if (rgdInRender && annotations[SYNC_WAVE] === undefined) annotations[SYNC_WAVE] = '1';
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.labels)) labels[k] = template(v);
    const metadata: JsonMap = { name, annotations };
    if (d.namespace !== undefined) metadata['namespace'] = template(d.namespace);
    if (Object.keys(labels).length > 0) metadata['labels'] = labels;
    objects.push({ apiVersion, kind: d.kind, metadata, spec: finalSpec });
  }
  return { objects, findings };
}

export function instanceApiVersion(schema: JsonMap): string {
  const group = typeof schema['group'] === 'string' ? schema['group'] : 'kro.run';
  return `${group}/${String(schema['apiVersion'])}`;
}

function templateTree(value: unknown, template: (text: string) => string): unknown {
  if (typeof value === 'string') return template(value);
  if (Array.isArray(value)) return value.map((v) => templateTree(v, template));
  if (isMap(value)) {
    const out: JsonMap = {};
    for (const [k, v] of Object.entries(value)) out[k] = templateTree(v, template);
    return out;
  }
  return value;
}

/** Templates produce strings; where the schema wants a number or boolean and the string is one, convert it. */
export function coerceScalars(value: unknown, schema: JsonMap): unknown {
  const type = schema['type'];
  if (typeof value === 'string') {
    const t = value.trim();
    if (
      (type === 'integer' && /^[+-]?\d+$/.test(t)) ||
      (type === 'number' && t !== '' && Number.isFinite(Number(t)))
    ) {
      return Number(t);
    }
    if (type === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
    return value;
  }
  if (Array.isArray(value)) {
    const items = isMap(schema['items']) ? schema['items'] : {};
    return value.map((v) => coerceScalars(v, items));
  }
  if (isMap(value)) {
    const props = isMap(schema['properties']) ? schema['properties'] : {};
    const additional = isMap(schema['additionalProperties'])
      ? schema['additionalProperties']
      : undefined;
    const out: JsonMap = {};
    for (const [k, v] of Object.entries(value)) {
      const child = isMap(props[k]) ? props[k] : additional;
      out[k] = child ? coerceScalars(v, child) : v;
    }
    return out;
  }
  return value;
}
