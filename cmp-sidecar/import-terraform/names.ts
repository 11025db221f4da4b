import { createHash } from 'node:crypto';

/** Kubernetes object names: a DNS-1123 label (the strictest any ACK kind needs), at most 63 characters. */
const MAX = 63;

export function sanitizeName(raw: string): string {
  const s = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length <= MAX) return s;
  return `${s.slice(0, MAX - 9).replace(/-+$/, '')}-${shortHash(raw)}`;
}

/** The name from a Terraform address when the resource has none of its own: `module.net.aws_subnet.a["x"]` → `net-a-x`. */
export function nameFromAddress(address: string): string {
  const parts = address
    .replace(/^data\./, '')
    .split(/\.(?![^[]*\])/)
    .filter((p, i, all) => !(p === 'module') && !(p.startsWith('aws_') && i < all.length - 1));
  return parts.join('-').replace(/[[\]"]/g, '-');
}

export function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

export interface Named {
  readonly kind: string;
  readonly address: string;
  readonly base: string;
}

/**
 * Names unique per kind (objects of one kind share a namespace). Colliding ones all get a suffix derived from
 * their own address, so a name does not depend on which other resources are in the state or their order.
 */
export function assignNames(items: readonly Named[]): {
  names: Map<string, string>;
  disambiguated: string[];
} {
  const byKey = new Map<string, Named[]>();
  for (const it of items) {
    const k = `${it.kind}/${it.base}`;
    byKey.set(k, [...(byKey.get(k) ?? []), it]);
  }
  const names = new Map<string, string>();
  const disambiguated: string[] = [];
  for (const group of byKey.values()) {
    if (group.length === 1) {
      names.set(group[0]!.address, group[0]!.base);
      continue;
    }
    for (const it of group) {
      const suffix = shortHash(it.address);
      const name = `${it.base.slice(0, MAX - 9).replace(/-+$/, '')}-${suffix}`;
      names.set(it.address, name);
      disambiguated.push(it.address);
    }
  }
  return { names, disambiguated: disambiguated.sort() };
}
