import { builtinScope } from './builtin-scopes';
import { isMap } from './parse-match';
import type { Json } from './types';

/**
 * Kind → REST resource (plural, scope), which admission rules match on (policy-cel.md §A.13 "Scope and resource
 * names"): built-in kinds from the table of built-in kinds, custom resources from the CRDs the render, the policy
 * directories or the CRD directories hold. A kind none of them knows gets kubectl's guessed plural and the scope
 * its manifest suggests, and is reported as assumed rather than skipped.
 */
export interface ResolvedResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly scope: 'Namespaced' | 'Cluster';
  /** Set when neither a built-in kind nor a known CRD: what was assumed, for the report. */
  readonly assumed?: string;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** kubectl's UnsafeGuessKindToResource: the plural every built-in kind follows. */
export function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === 'endpoints') return lower;
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y') && !/[aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

interface CrdNames {
  readonly plural: string;
  readonly scope: 'Namespaced' | 'Cluster';
}

export class ResourceResolver {
  private readonly crds = new Map<string, CrdNames>();

  /** `crds`: CustomResourceDefinition objects; later ones win. */
  constructor(crds: readonly Json[]) {
    for (const crd of crds) {
      const spec = isMap(crd['spec']) ? crd['spec'] : {};
      const names = isMap(spec['names']) ? spec['names'] : {};
      if (typeof spec['group'] !== 'string' || typeof names['kind'] !== 'string') continue;
      const plural =
        typeof names['plural'] === 'string' ? names['plural'] : guessPlural(names['kind']);
      this.crds.set(`${spec['group']}/${names['kind']}`, {
        plural,
        scope: spec['scope'] === 'Cluster' ? 'Cluster' : 'Namespaced',
      });
    }
  }

  /** Whether `apiVersion`/`kind` is a known kind, and its scope. */
  scopeOf(apiVersion: string, kind: string): 'Namespaced' | 'Cluster' | undefined {
    const crd = this.crds.get(`${splitApiVersion(apiVersion).group}/${kind}`);
    if (crd !== undefined) return crd.scope;
    return builtinScope(splitApiVersion(apiVersion).group, kind);
  }

  resolve(apiVersion: string, kind: string, hasNamespace: boolean): ResolvedResource {
    const { group, version } = splitApiVersion(apiVersion);
    const crd = this.crds.get(`${group}/${kind}`);
    if (crd !== undefined) return { group, version, resource: crd.plural, scope: crd.scope };
    const builtin = builtinScope(group, kind);
    if (builtin !== undefined)
      return { group, version, resource: guessPlural(kind), scope: builtin };
    const scope = hasNamespace ? 'Namespaced' : 'Cluster';
    return {
      group,
      version,
      resource: guessPlural(kind),
      scope,
      assumed: `${apiVersion} ${kind}: no CRD known for this kind; resource "${guessPlural(kind)}" and scope ${scope} assumed (add its CRD to the render, a policy directory or kro.crdDirs)`,
    };
  }
}
