import { CONFIG_FILE } from '../render/config-file';
import type { StageConfig, StageSections } from '../render/stages';
import { isMap, type JsonMap } from './types';

/**
 * The `kro:` and `instances:` sections of eks-overlay.yaml, validated with every problem reported at once.
 *
 * ```yaml
 * kro:
 *   rgdPaths: [../../platform/rgds]   # RGD files/dirs (inside the repo) for chaining and instance checks, not emitted
 *   crdDirs: [crds]                   # extra CRD dirs inside the repo (besides $EKS_OVERLAY_CRD_DIR)
 *   legacyResourceGroups: translate   # or reject
 *   celOmitFunction: false            # kro's CELOmitFunction feature gate
 * instances:
 *   - kind: EksCluster                # the RGD's spec.schema.kind
 *     apiVersion: kro.run/v1alpha1    # optional when the RGD is known
 *     rgd: ekscluster.kro.run         # optional: which RGD, when several define the kind
 *     name: "{{cluster.name}}"
 *     namespace: infra                # optional
 *     labels: {}                      # optional
 *     annotations: {}                 # optional
 *     spec: { region: "{{cluster.aws.region}}" }
 * ```
 */
export interface KroConfig {
  readonly rgdPaths: readonly string[];
  readonly crdDirs: readonly string[];
  readonly legacy: 'translate' | 'reject';
  readonly celOmitFunction: boolean;
}

export interface InstanceDeclaration {
  readonly index: number;
  readonly kind: string;
  readonly apiVersion?: string;
  readonly rgd?: string;
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: JsonMap;
}

const KRO_KEYS = new Set(['rgdPaths', 'crdDirs', 'legacyResourceGroups', 'celOmitFunction']);
const INSTANCE_KEYS = new Set([
  'kind',
  'apiVersion',
  'rgd',
  'name',
  'namespace',
  'labels',
  'annotations',
  'spec',
]);

export const DEFAULT_KRO_CONFIG: KroConfig = {
  rgdPaths: [],
  crdDirs: [],
  legacy: 'translate',
  celOmitFunction: false,
};

export interface KroSettings {
  readonly kro: KroConfig;
  readonly instances: readonly InstanceDeclaration[];
}

/** The kro stage's sections of eks-overlay.yaml, `kro:` and `instances:`, validated with the rest of the file. */
export const kroStageConfig: StageConfig<KroSettings> = {
  keys: ['kro', 'instances'],
  parse: (sections, issues) => {
    const kroIssues: string[] = [];
    const kro = parseKroConfig(sections.value('kro'), kroIssues);
    const instIssues: string[] = [];
    const instances = parseInstances(sections.value('instances'), instIssues);
    issues.push(
      ...kroIssues.map((m) => `${whereIn(sections, 'kro')}: ${m}`),
      ...instIssues.map((m) => `${whereIn(sections, 'instances')}: ${m}`),
    );
    return { kro, instances };
  },
};

/** `eks-overlay.yaml:12` where the key is written, else the file. */
export function whereIn(sections: StageSections, key: string): string {
  const ref = sections.source(key);
  return ref?.line === undefined ? CONFIG_FILE : `${ref.file}:${ref.line}`;
}

export function parseKroConfig(raw: unknown, issues: string[]): KroConfig {
  if (raw === undefined || raw === null) return DEFAULT_KRO_CONFIG;
  if (!isMap(raw)) {
    issues.push('kro: must be a map (rgdPaths, crdDirs, legacyResourceGroups, celOmitFunction)');
    return DEFAULT_KRO_CONFIG;
  }
  for (const k of Object.keys(raw)) {
    if (!KRO_KEYS.has(k))
      issues.push(`kro: unknown key "${k}" (allowed: ${[...KRO_KEYS].join(', ')})`);
  }
  const strings = (key: string): string[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '')) return v as string[];
    issues.push(`kro.${key}: must be a list of relative paths`);
    return [];
  };
  const legacy = raw['legacyResourceGroups'] ?? 'translate';
  if (legacy !== 'translate' && legacy !== 'reject') {
    issues.push(
      `kro.legacyResourceGroups: must be "translate" or "reject", got ${JSON.stringify(legacy)}`,
    );
  }
  const omit = raw['celOmitFunction'] ?? false;
  if (typeof omit !== 'boolean') issues.push('kro.celOmitFunction: must be true or false');
  return {
    rgdPaths: strings('rgdPaths'),
    crdDirs: strings('crdDirs'),
    legacy: legacy === 'reject' ? 'reject' : 'translate',
    celOmitFunction: omit === true,
  };
}

export function parseInstances(raw: unknown, issues: string[]): InstanceDeclaration[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push('instances: must be a list of {kind, name, spec, ...}');
    return [];
  }
  const out: InstanceDeclaration[] = [];
  raw.forEach((item, index) => {
    const at = `instances[${index}]`;
    if (!isMap(item)) {
      issues.push(`${at}: must be a map {kind, name, spec, ...}`);
      return;
    }
    for (const k of Object.keys(item)) {
      if (!INSTANCE_KEYS.has(k))
        issues.push(`${at}: unknown key "${k}" (allowed: ${[...INSTANCE_KEYS].join(', ')})`);
    }
    const str = (key: string, required: boolean): string | undefined => {
      const v = item[key];
      if (v === undefined || v === null) {
        if (required) issues.push(`${at}.${key}: is required`);
        return undefined;
      }
      if (typeof v === 'string' && v !== '') return v;
      issues.push(`${at}.${key}: must be a non-empty string`);
      return undefined;
    };
    const stringMap = (key: string): Record<string, string> => {
      const v = item[key];
      if (v === undefined || v === null) return {};
      if (isMap(v) && Object.values(v).every((x) => typeof x === 'string'))
        return v as Record<string, string>;
      issues.push(`${at}.${key}: must map strings to strings`);
      return {};
    };
    const kind = str('kind', true);
    const name = str('name', true);
    const apiVersion = str('apiVersion', false);
    const rgd = str('rgd', false);
    const namespace = str('namespace', false);
    const spec = item['spec'] ?? {};
    if (!isMap(spec)) issues.push(`${at}.spec: must be a map`);
    if (kind === undefined || name === undefined || !isMap(spec)) return;
    out.push({
      index,
      kind,
      name,
      ...(apiVersion === undefined ? {} : { apiVersion }),
      ...(rgd === undefined ? {} : { rgd }),
      ...(namespace === undefined ? {} : { namespace }),
      labels: stringMap('labels'),
      annotations: stringMap('annotations'),
      spec,
    });
  });
  return out;
}
