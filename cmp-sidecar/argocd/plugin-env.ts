/**
 * How the repo server turns a `spec.source.plugin.env` value into `ARGOCD_ENV_<name>` for a CMP
 * (argocd-contract.md B5): `Env.Envsubst`, i.e. Go's `os.Expand` against the build variables only, with `$$`
 * kept as one `$`. Written from Go's os/env.go semantics (byte-wise; `$` at the very end is kept).
 */

/** Go's `os.Expand(s, mapping)`. */
export function goOsExpand(s: string, mapping: (name: string) => string): string {
  let out = '';
  let copiedUpTo = 0;
  let changed = false;
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== '$' || j + 1 >= s.length) continue;
    changed = true;
    out += s.slice(copiedUpTo, j);
    const { name, width } = shellName(s.slice(j + 1));
    if (name === '' && width > 0) {
      // Bad syntax (`${}` or an unclosed `${`): Go drops those characters.
    } else if (name === '') {
      out += '$'; // not followed by a name: the dollar stays
    } else {
      out += mapping(name);
    }
    j += width;
    copiedUpTo = j + 1;
  }
  return changed ? out + s.slice(copiedUpTo) : s;
}

const SPECIAL = new Set([
  '*',
  '#',
  '$',
  '@',
  '!',
  '?',
  '-',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
]);
const isAlphaNum = (c: string | undefined) => c !== undefined && /^[_0-9a-zA-Z]$/.test(c);

/** Go's `getShellName`: the name after a `$` and how many characters it takes. */
function shellName(s: string): { name: string; width: number } {
  if (s[0] === '{') {
    if (s.length > 2 && SPECIAL.has(s[1] ?? '') && s[2] === '}')
      return { name: s[1] ?? '', width: 3 };
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '}')
        return i === 1 ? { name: '', width: 2 } : { name: s.slice(1, i), width: i + 1 };
    }
    return { name: '', width: 1 };
  }
  if (SPECIAL.has(s[0] ?? '')) return { name: s.slice(0, 1), width: 1 };
  let i = 0;
  while (i < s.length && isAlphaNum(s[i])) i++;
  return { name: s.slice(0, i), width: i };
}

/** Argo CD's `Env.Envsubst`: build variables by name, `$$` → `$`, anything else unknown → "". */
export function argocdEnvsubst(value: string, buildEnv: Readonly<Record<string, string>>): string {
  return goOsExpand(value, (name) =>
    name === '$'
      ? '$'
      : Object.prototype.hasOwnProperty.call(buildEnv, name)
        ? (buildEnv[name] ?? '')
        : '',
  );
}
