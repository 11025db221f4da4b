import { ValidationError } from '../../core/errors';
import { validateKroObjects } from '../kro/validate';
import { formatFinding } from '../kro/types';
import { ACK } from './annotations';
import type { ImportResult } from './import';
import type { JsonObject } from './types';

interface SchemaField {
  readonly name: string;
  readonly value: string;
  /** Replaces the literal in the templates: returns the template value, or undefined to leave it. */
  readonly apply: (o: JsonObject, kind: string) => void;
}

/**
 * The imported estate as one kro ResourceGraphDefinition plus the instance reproducing it. The schema is small:
 * the region (every object's region annotation), and, when the estate has exactly one, the EKS cluster name
 * (the Cluster's name and every clusterName) and the VPC CIDR; their defaults are the imported values, so the
 * instance renders the same objects as the flat import. The templates keep the phase's adoption annotations: the
 * graph adopts exactly these resources (the report says how to derive one for new clusters).
 */
export function buildRgd(
  result: ImportResult,
  rgdName: string,
  namespace: string | undefined,
): JsonObject[] {
  const objects = result.objects.map((o) => structuredClone<JsonObject>(o));
  const fields: SchemaField[] = [];
  const regions = [
    ...new Set(result.mapped.map((m) => m.region).filter((r): r is string => r !== undefined)),
  ];
  if (regions.length === 1) {
    fields.push({
      name: 'region',
      value: regions[0]!,
      apply: (o) => {
        const ann = (o['metadata'] as JsonObject)['annotations'] as Record<string, string>;
        if (ann[ACK.region] !== undefined) ann[ACK.region] = '${schema.spec.region}';
      },
    });
  }
  const clusters = result.mapped.filter((m) => m.kind === 'Cluster');
  if (clusters.length === 1) {
    const clusterName = String(clusters[0]!.spec['name']);
    fields.push({
      name: 'clusterName',
      value: clusterName,
      apply: (o, kind) => {
        const spec = o['spec'] as JsonObject;
        if (kind === 'Cluster' && spec['name'] === clusterName)
          spec['name'] = '${schema.spec.clusterName}';
        if (spec['clusterName'] === clusterName) spec['clusterName'] = '${schema.spec.clusterName}';
      },
    });
  }
  const vpcs = result.mapped.filter((m) => m.kind === 'VPC');
  if (vpcs.length === 1) {
    const cidr = (vpcs[0]!.spec['cidrBlocks'] as string[])[0]!;
    fields.push({
      name: 'vpcCIDR',
      value: cidr,
      apply: (o, kind) => {
        const spec = o['spec'] as JsonObject;
        if (kind === 'VPC' && Array.isArray(spec['cidrBlocks']) && spec['cidrBlocks'][0] === cidr)
          spec['cidrBlocks'] = [
            '${schema.spec.vpcCIDR}',
            ...(spec['cidrBlocks'] as string[]).slice(1),
          ];
      },
    });
  }
  const clashes = result.mapped.flatMap((m) =>
    stringsWithExpressionSyntax(m.spec, 'spec').map((p) => `${m.address}: ${p}`),
  );
  if (clashes.length > 0)
    throw new ValidationError(
      `--rgd: these values contain "\${", which kro reads as an expression (IAM policy variables do): ${clashes.join('; ')}; import them without --rgd, or leave them out with --only`,
    );
  const ids = new Set<string>();
  const resources = objects.map((o) => {
    const kind = String(o['kind']);
    for (const f of fields) f.apply(o, kind);
    const meta = o['metadata'] as JsonObject;
    delete meta['namespace']; // the instance's namespace
    return { id: uniqueId(kind, String(meta['name']), ids), template: o };
  });
  const kind = kindName(rgdName);
  const rgd: JsonObject = {
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGraphDefinition',
    metadata: { name: rgdName },
    spec: {
      schema: {
        apiVersion: 'v1alpha1',
        kind,
        spec: Object.fromEntries(
          fields.map((f) => [f.name, `string | default=${JSON.stringify(f.value)}`]),
        ),
      },
      resources,
    },
  };
  const instance: JsonObject = {
    apiVersion: 'kro.run/v1alpha1',
    kind,
    metadata: {
      name: rgdName.replace(/\./g, '-'),
      ...(namespace === undefined ? {} : { namespace }),
      annotations: {
        'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
        'argocd.argoproj.io/sync-wave': '1',
      },
    },
    spec: Object.fromEntries(fields.map((f) => [f.name, f.value])),
  };
  return [rgd, instance];
}

function stringsWithExpressionSyntax(v: unknown, at: string): string[] {
  if (typeof v === 'string') return v.includes('${') ? [at] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringsWithExpressionSyntax(x, `${at}[${i}]`));
  if (typeof v === 'object' && v !== null)
    return Object.entries(v).flatMap(([k, x]) => stringsWithExpressionSyntax(x, `${at}.${k}`));
  return [];
}

/** Fails when kro would reject the RGD (the project's own kro checks, with the CRDs given for templates). */
export function checkRgd(objects: readonly JsonObject[], crdDirs: readonly string[]): void {
  const { findings } = validateKroObjects(
    objects.map((object) => ({ object })),
    { crdDirs },
  );
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0)
    throw new ValidationError(
      `the ResourceGraphDefinition fails kro's checks:\n  - ${errors.map(formatFinding).join('\n  - ')}`,
    );
}

/** `Subnet` + `dev-private-a` → `subnetDevPrivateA`, `NATGateway` → `natGateway…` (kro ids are lowerCamelCase), unique. */
function uniqueId(kind: string, name: string, taken: Set<string>): string {
  // The leading capitals of the kind become lowercase, but for the one starting the next word (NATGateway).
  const head = kind.replace(/^[A-Z]+(?=[A-Z][a-z])|^[A-Z]+$|^[A-Z]/, (m) => m.toLowerCase());
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const base = (head + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')).replace(
    /^[^a-z]+/,
    '',
  );
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  taken.add(id);
  return id;
}

/** `dev-estate` → `DevEstate`: the instance kind. */
function kindName(rgdName: string): string {
  const k = rgdName
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  return /^[A-Z]/.test(k) ? k : `Estate${k}`;
}
