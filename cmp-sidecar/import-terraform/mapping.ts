import type { Attributes } from './attributes';
import type { JsonObject } from './types';

/** How one Terraform resource type becomes one ACK kind. One per type, grouped by family in mappers/. */
export interface KindMapper {
  readonly tfType: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** false for IAM: a global service, the object needs no region. */
  readonly regional: boolean;
  /** Attributes AWS computes or only Terraform knows (ids, ARNs, owner, timeouts): never a spec field. */
  readonly computed: readonly string[];
  /** The values other resources use to point at this one: ids, names, ARNs. */
  identities(a: Attributes): string[];
  /** The AWS-side name, when the resource has one, for the object's name. */
  naturalName(a: Attributes): string | undefined;
  /** The `services.k8s.aws/adoption-fields` ACK needs to find the live resource. */
  adoptionFields(a: Attributes): Record<string, string>;
  build(a: Attributes, ctx: BuildContext): JsonObject;
}

/** Auxiliary Terraform types folded into an object of another type (rules, routes, attachments, ...). */
export interface AuxiliaryType {
  readonly tfType: string;
  /** The kind it folds into, for --only and the report. */
  readonly parentKind: string;
}

export interface BuildContext {
  /**
   * A reference to another AWS resource at spec `field`: the emitted object's name when `kind` with identity
   * `target` was imported (the caller writes a `*Ref`), undefined when it stays a literal (recorded for the report).
   */
  ref(kind: string, target: string, field: string): string | undefined;
  /** The emitted name of `kind` with identity `target`, without recording anything. */
  lookup(kind: string, target: string): string | undefined;
  /** Records a reference at `field` as resolved to `name` or (undefined) left literal. */
  note(field: string, target: string, name: string | undefined): void;
  /** A Terraform attribute the ACK kind cannot express. */
  partial(attribute: string, reason: string): void;
  /** The resources of an auxiliary type that belong to this object; each is folded (reported as part of it). */
  children(tfType: string, belongs: (a: Attributes) => boolean): Attributes[];
}

/** `{from: {name}}`: ACK's reference to an object in the same namespace. */
export function refTo(name: string): { from: { name: string } } {
  return { from: { name } };
}

/** Drops undefined entries and empty lists/maps, so the spec holds only what the state says. */
export function compact(o: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
      continue;
    out[k] = v;
  }
  return out;
}

/**
 * A list of AWS ids at `field` (e.g. subnetIDs) split into literal ids and `*Refs` for the imported ones. ACK
 * resolves the refs into the same list, so a field holds either; mixing both is refused by some controllers, so
 * all become refs only when every id was imported.
 */
export function idsOrRefs(
  ctx: BuildContext,
  kind: string,
  ids: readonly string[],
  field: string,
  refField: string,
): Record<string, unknown> {
  const names = ids.map((id) => ctx.lookup(kind, id));
  if (ids.length > 0 && names.every((n): n is string => n !== undefined)) {
    ids.forEach((id, i) => ctx.note(`${refField}[${i}]`, id, names[i]));
    return { [refField]: names.map(refTo) };
  }
  ids.forEach((id, i) => ctx.note(`${field}[${i}]`, id, undefined));
  return ids.length === 0 ? {} : { [field]: [...ids] };
}
