import { ConfigError, InputError } from '../../core/errors';
import { phaseAnnotations } from './annotations';
import { Attributes } from './attributes';
import { providerAlias, resolveLocation } from './location';
import type { BuildContext, KindMapper } from './mapping';
import { AUXILIARY, MAPPERS } from './mappers';
import { assignNames, nameFromAddress, sanitizeName } from './names';
import type {
  JsonObject,
  MappedObject,
  PartialNote,
  Phase,
  ReferenceNote,
  TfResource,
} from './types';

export interface ImportOptions {
  readonly phase: Phase;
  readonly namespace: string | undefined;
  /** ACK kinds or Terraform types to import; empty: all. */
  readonly only: readonly string[];
  readonly region: string | undefined;
  readonly regionByAlias: Readonly<Record<string, string>>;
  readonly accountId: string | undefined;
  readonly accountIdByAlias: Readonly<Record<string, string>>;
}

export interface NotMapped {
  readonly address: string;
  readonly type: string;
  readonly reason: string;
}

export interface ImportResult {
  readonly mapped: readonly MappedObject[];
  readonly objects: readonly JsonObject[];
  readonly notMapped: readonly NotMapped[];
  /** Addresses whose object name got a suffix because another resource would have had the same name. */
  readonly disambiguated: readonly string[];
  /** Sensitive attribute paths withheld, per address (paths only). */
  readonly withheld: readonly { address: string; attribute: string }[];
}

/** The kinds and Terraform types --only accepts (case-insensitive for kinds). */
export function onlyValues(): string[] {
  return [...MAPPERS.map((m) => m.kind), ...MAPPERS.map((m) => m.tfType)];
}

function selectedMappers(only: readonly string[]): readonly KindMapper[] {
  if (only.length === 0) return MAPPERS;
  const unknown = only.filter(
    (o) => !MAPPERS.some((m) => m.tfType === o || m.kind.toLowerCase() === o.toLowerCase()),
  );
  if (unknown.length > 0)
    throw new InputError(
      `--only ${unknown.map((u) => JSON.stringify(u)).join(', ')}: not a mapped kind or Terraform type (one of ${MAPPERS.map((m) => m.kind).join(', ')} or ${MAPPERS.map((m) => m.tfType).join(', ')})`,
    );
  return MAPPERS.filter((m) =>
    only.some((o) => m.tfType === o || m.kind.toLowerCase() === o.toLowerCase()),
  );
}

/**
 * Maps the AWS resources of a state to ACK objects. Pure: the same resources and options give the same objects in
 * the same order. Every problem of the state (a missing region, a malformed attribute) is collected and reported
 * at once, naming the address.
 */
export function importResources(
  resources: readonly TfResource[],
  opts: ImportOptions,
): ImportResult {
  const sorted = [...resources].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
  );
  const aws = sorted.filter((r) => r.type.startsWith('aws_'));
  if (aws.length === 0)
    throw new ConfigError([
      `the state holds no AWS resources (managed resources of type aws_*): ${sorted.length === 0 ? 'it holds no managed resources at all' : `found only ${[...new Set(sorted.map((r) => r.type))].sort().join(', ')}`}`,
    ]);
  const selected = selectedMappers(opts.only);
  const mapperOf = new Map(selected.map((m) => [m.tfType, m]));
  const allMapped = new Map(MAPPERS.map((m) => [m.tfType, m]));
  const auxOf = new Map(AUXILIARY.map((x) => [x.tfType, x]));
  const issues: string[] = [];
  const notMapped: NotMapped[] = [];

  const primaries: { r: TfResource; m: KindMapper; a: Attributes; base: string }[] = [];
  for (const r of sorted) {
    const m = mapperOf.get(r.type);
    if (m) {
      const a = new Attributes(r);
      try {
        const natural = m.naturalName(a);
        const base =
          sanitizeName(natural ?? nameFromAddress(r.address)) ||
          sanitizeName(nameFromAddress(r.address));
        primaries.push({ r, m, a, base });
      } catch (e) {
        issues.push(...messages(e));
      }
    } else if (allMapped.has(r.type)) {
      notMapped.push({ address: r.address, type: r.type, reason: 'left out by --only' });
    } else if (!auxOf.has(r.type)) {
      notMapped.push({
        address: r.address,
        type: r.type,
        reason: r.type.startsWith('aws_') ? 'no ACK mapping for this type' : 'not an AWS resource',
      });
    }
  }
  const { names, disambiguated } = assignNames(
    primaries.map((p) => ({ kind: p.m.kind, address: p.r.address, base: p.base })),
  );

  // Who is who: every identity (id, name, ARN) of an imported resource → its emitted name, per kind.
  const byIdentity = new Map<string, string>();
  for (const p of primaries) {
    try {
      for (const id of p.m.identities(new Attributes(p.r)))
        byIdentity.set(`${p.m.kind}\u0000${id}`, names.get(p.r.address)!);
    } catch (e) {
      issues.push(...messages(e));
    }
  }

  const folded = new Set<string>();
  const auxiliaries = sorted.filter((r) => auxOf.has(r.type));
  const mapped: MappedObject[] = [];
  for (const p of primaries) {
    const references: ReferenceNote[] = [];
    const partial: PartialNote[] = [];
    const foldedHere: string[] = [];
    const ctx: BuildContext = {
      lookup: (kind, target) => byIdentity.get(`${kind}\u0000${target}`),
      ref(kind, target, field) {
        const name = byIdentity.get(`${kind}\u0000${target}`);
        if (name !== undefined) references.push({ field, target, resolvedTo: name });
        return name;
      },
      note: (field, target, name) => references.push({ field, target, resolvedTo: name }),
      partial: (attribute, reason) => partial.push({ attribute, reason }),
      children(tfType, belongs) {
        const out: Attributes[] = [];
        for (const r of auxiliaries) {
          if (r.type !== tfType || folded.has(r.address)) continue;
          const a = new Attributes(r);
          if (!belongs(a)) continue;
          folded.add(r.address);
          foldedHere.push(r.address);
          for (const w of r.withheld)
            partial.push({ attribute: `${r.address}: ${w}`, reason: 'withheld: sensitive' });
          out.push(new Attributes(r));
        }
        return out;
      },
    };
    try {
      const location = resolveLocation(p.r, opts);
      if (p.m.regional && location.region === undefined) {
        const alias = providerAlias(p.r.provider);
        throw new ConfigError([
          alias === undefined
            ? `${p.r.address}: no region: a state holds no provider configuration, and this resource has no ARN or region attribute: pass --region <region>`
            : `${p.r.address}: no region: it belongs to the provider configuration aws.${alias}, whose region the state does not hold, and has no ARN or region attribute: pass --region ${alias}=<region>`,
        ]);
      }
      const spec = p.m.build(p.a, ctx);
      const adoptionFields = p.m.adoptionFields(p.a);
      for (const w of p.r.withheld) partial.push({ attribute: w, reason: 'withheld: sensitive' });
      for (const attr of unusedAttributes(p.r, p.a, p.m))
        partial.push({
          attribute: attr,
          reason: `set in the state, not carried into the ${p.m.kind} spec`,
        });
      mapped.push({
        address: p.r.address,
        folded: foldedHere.sort(),
        tfType: p.r.type,
        apiVersion: p.m.apiVersion,
        kind: p.m.kind,
        name: names.get(p.r.address)!,
        region: location.region,
        accountId: location.accountId,
        adoptionFields,
        spec,
        references,
        partial: partial.sort((x, y) =>
          x.attribute < y.attribute ? -1 : x.attribute > y.attribute ? 1 : 0,
        ),
      });
    } catch (e) {
      issues.push(...messages(e));
    }
  }
  if (issues.length > 0) throw new ConfigError([...new Set(issues)]);
  if (mapped.length === 0)
    throw new ConfigError([
      `nothing to import: none of the state's ${aws.length} AWS resource(s) is of a mapped type${opts.only.length > 0 ? ` selected by --only ${opts.only.join(', ')}` : ''} (found ${[...new Set(aws.map((r) => r.type))].sort().join(', ')})`,
    ]);

  for (const r of auxiliaries) {
    if (folded.has(r.address)) continue;
    const aux = auxOf.get(r.type)!;
    const parentSelected = selected.some((m) => m.kind === aux.parentKind);
    notMapped.push({
      address: r.address,
      type: r.type,
      reason: parentSelected
        ? `belongs to a ${aux.parentKind} that is not in the state`
        : `folded into ${aux.parentKind}, left out by --only`,
    });
  }

  const kindOrder = new Map(MAPPERS.map((m, i) => [m.kind, i]));
  mapped.sort(
    (x, y) => kindOrder.get(x.kind)! - kindOrder.get(y.kind)! || (x.name < y.name ? -1 : 1),
  );
  const objects = mapped.map((o) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: o.name,
      ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
      annotations: phaseAnnotations(o, opts.phase),
    },
    spec: o.spec,
  }));
  const withheld = sorted.flatMap((r) =>
    r.withheld.map((attribute) => ({ address: r.address, attribute })),
  );
  return {
    mapped,
    objects,
    notMapped: notMapped.sort((x, y) => (x.address < y.address ? -1 : 1)),
    disambiguated,
    withheld,
  };
}

/** Attributes the state sets (to something other than a default-looking empty value) that no spec field took. */
function unusedAttributes(r: TfResource, a: Attributes, m: KindMapper): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(r.values)) {
    if (a.used.has(k) || m.computed.includes(k)) continue;
    if (v === null || v === false || v === '' || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out.push(k);
  }
  return out.sort();
}

function messages(e: unknown): string[] {
  if (e instanceof ConfigError) return [...e.issues];
  throw e;
}
