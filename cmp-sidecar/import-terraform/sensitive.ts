/** A path into a resource's attributes: attribute names and list indexes / map keys. */
export type SensitivePath = readonly (string | number)[];

/**
 * Attribute names whose values are secrets or credentials whatever the state says: providers do not mark all of
 * them (an EKS cluster's certificate authority data is kubeconfig material; a user data script may hold a token).
 * Matched against every key at any depth.
 */
const KNOWN_SENSITIVE =
  /(password|passwd|secret|token|private_key|privatekey|certificate|kubeconfig|credential|user_data|access_key|auth_data|_pem$|^pem$)/i;

export function isKnownSensitiveName(key: string): boolean {
  return KNOWN_SENSITIVE.test(key);
}

/**
 * A copy of `attributes` without the values the state marks sensitive and without known-sensitive attributes,
 * plus the paths that were withheld (for the report; paths only, never values). What is withheld is gone before
 * any mapper sees it, so no later step can write it anywhere.
 */
export function withholdSensitive(
  attributes: Readonly<Record<string, unknown>>,
  marked: readonly SensitivePath[],
): { values: Record<string, unknown>; withheld: string[] } {
  const values = structuredClone(attributes) as Record<string, unknown>;
  const withheld = new Set<string>();
  for (const path of marked) {
    if (path.length === 0) {
      // The whole object is sensitive: nothing of it may be used.
      for (const k of Object.keys(values)) {
        delete values[k];
        withheld.add(k);
      }
      continue;
    }
    if (removeAt(values, path)) withheld.add(formatPath(path));
    else {
      // A path that cannot be followed here (a set element named by its value, a string index into a list) still
      // marks a secret somewhere under its attribute: the whole attribute goes.
      const top = String(path[0]);
      if (Object.hasOwn(values, top)) {
        delete values[top];
        withheld.add(top);
      }
    }
  }
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) node.forEach((x, i) => walk(x, [...path, i]));
    else if (node !== null && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        if (isKnownSensitiveName(k)) {
          if (obj[k] !== null && obj[k] !== undefined && obj[k] !== '')
            withheld.add(formatPath([...path, k]));
          delete obj[k];
        } else walk(obj[k], [...path, k]);
      }
    }
  };
  walk(values, []);
  return { values, withheld: [...withheld].sort() };
}

function removeAt(root: Record<string, unknown>, path: SensitivePath): boolean {
  let node: unknown = root;
  for (const step of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[step];
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === 'number' && last < node.length) {
    // Keep indexes stable for the other paths: the element becomes null (an absent value).
    node[last] = null;
    return true;
  }
  if (node !== null && typeof node === 'object' && !Array.isArray(node) && String(last) in node) {
    delete (node as Record<string, unknown>)[String(last)];
    return true;
  }
  return false;
}

export function formatPath(path: SensitivePath): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}
