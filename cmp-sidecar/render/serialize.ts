import { Document, visit } from 'yaml';
import type { ManifestObject } from './stages';

const HEAD = ['apiVersion', 'kind', 'metadata'];

/**
 * A YAML stream Argo CD reads back exactly (argocd-contract.md §B7): `---`-separated documents, keys sorted
 * (apiVersion, kind, metadata first at the top), no anchors, no line folding, and every string that any YAML
 * parser Argo CD or kubectl might use (YAML 1.1 via sigs.k8s.io/yaml, or 1.2) could read as something else
 * (`yes`, `on`, `0755`, `1e3`, `2024-01-01`, `~`) double-quoted.
 */
export function serializeObjects(objects: readonly ManifestObject[]): string {
  return objects.map((o) => serializeObject(o)).join('---\n');
}

export function serializeObject(object: ManifestObject): string {
  const doc = new Document(sortKeys(object, true), { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && isAmbiguous(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: false });
}

const AMBIGUOUS_WORDS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|=|<<)$/;

export function isAmbiguous(s: string): boolean {
  return (
    s === '' ||
    AMBIGUOUS_WORDS.test(s) ||
    /^[-+]?\.?[0-9]/.test(s) ||
    /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s)
  );
}

function sortKeys(value: unknown, top = false): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v));
  if (typeof value !== 'object' || value === null) return value;
  const src = value as Record<string, unknown>;
  const keys = Object.keys(src).sort();
  const ordered = top
    ? [...HEAD.filter((k) => keys.includes(k)), ...keys.filter((k) => !HEAD.includes(k))]
    : keys;
  const out: Record<string, unknown> = {};
  for (const k of ordered) {
    Object.defineProperty(out, k, {
      value: sortKeys(src[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
