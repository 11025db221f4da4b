import { ConfigError } from '../../core/errors';
import { isObject } from './state-reader';
import type { TfResource } from './types';

/**
 * Typed reads of one resource's attributes. Absent, null and (for strings) empty values read as undefined; a value
 * of the wrong type is an error naming the address and the attribute, never quoting the value.
 */
export class Attributes {
  readonly used = new Set<string>();
  /**
   * @param prefix where a nested block sits (`vpc_config[0]`), for messages and the report
   */
  constructor(
    readonly resource: TfResource,
    private readonly prefix = '',
  ) {}

  private raw(name: string): unknown {
    this.used.add(name);
    const v = this.resource.values[name];
    return v === null ? undefined : v;
  }

  private bad(name: string, expected: string): never {
    throw new ConfigError([
      `${this.resource.address}: attribute ${this.path(name)} is malformed (${expected} expected)`,
    ]);
  }

  string(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') this.bad(name, 'a string');
    return v;
  }

  requiredString(name: string): string {
    const v = this.string(name);
    if (v === undefined && this.resource.withheld.includes(this.path(name)))
      throw new ConfigError([
        `${this.resource.address}: attribute ${this.path(name)} is needed but the state marks it sensitive: it is never written out, so this resource cannot be imported (leave it out with --only)`,
      ]);
    if (v === undefined) this.bad(name, 'a non-empty string');
    return v;
  }

  number(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.bad(name, 'a number');
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.bad(name, 'a boolean');
    return v;
  }

  /** A Terraform set of strings: sorted (a set's order in the state means nothing). */
  strings(name: string): string[] {
    return this.orderedStrings(name).sort();
  }

  /** A Terraform list of strings, in its order (instance types: the first is preferred). */
  orderedStrings(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && x !== null))
      this.bad(name, 'a list of strings');
    return (v as (string | null)[]).filter((x): x is string => x !== null && x !== '');
  }

  stringMap(name: string): Record<string, string> | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string'))
      this.bad(name, 'a map of strings');
    return Object.keys(v).length === 0 ? undefined : sortedMap(v as Record<string, string>);
  }

  /** A nested block (a list of objects in the state); `max1` blocks read as their first element. */
  blocks(name: string): Attributes[] {
    const v = this.raw(name);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => !isObject(x) && x !== null))
      this.bad(name, 'a list of blocks');
    return (v as (Record<string, unknown> | null)[])
      .filter((x): x is Record<string, unknown> => x !== null)
      .map((x, i) => new Attributes({ ...this.resource, values: x }, this.path(`${name}[${i}]`)));
  }

  block(name: string): Attributes | undefined {
    return this.blocks(name)[0];
  }

  /** Tags as AWS holds them: `tags_all` (provider default tags included) when present, else `tags`. */
  tags(): Record<string, string> | undefined {
    this.used.add('tags');
    return this.stringMap('tags_all') ?? this.stringMap('tags');
  }

  /** The attribute path as the report names it (`vpc_config[0].subnet_ids`). */
  path(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}.${name}`;
  }
}

export function sortedMap<T>(m: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, m[k]!]),
  );
}

/** ACK ec2/iam tags: a list of {key, value}, sorted by key. */
export function tagList(
  tags: Record<string, string> | undefined,
): { key: string; value: string }[] | undefined {
  if (!tags) return undefined;
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key]! }));
}
