import type { Cluster } from '../cluster';
import type { SourcePart } from '../snapshot';
import { inputErrorOf, quote, type ClusterQuery } from './cluster-query';

/** The regions and accounts the configured cluster sources list, whether or not they hold a cluster now. */
export interface Coverage {
  readonly regions: ReadonlySet<string>;
  readonly accountIds: ReadonlySet<string>;
}

/** Covered values named in a refusal (a fleet may span hundreds of accounts); the message stays one line. */
export const MAX_LISTED_COVERED = 10;
/** Uncovered values named in a refusal: a list of typos is rare, and the message is cut at a few hundred characters. */
const MAX_NAMED_UNCOVERED = 3;

const coverageByClusters = new WeakMap<
  readonly Cluster[],
  { readonly parts: readonly SourcePart[]; readonly coverage: Coverage }
>();

/**
 * EKS discovery parts carry the account and region they list (`scope`), so a configured region with no cluster
 * yet is still covered. A part without a scope (the fleet file) covers the regions and accounts of its clusters.
 * Every cluster lies in the scope of the part that listed it, so the union over the snapshot's clusters and
 * scopes is exactly that. Computed once per snapshot (its frozen cluster and part arrays).
 */
export function coverageOf(parts: readonly SourcePart[], clusters: readonly Cluster[]): Coverage {
  const known = coverageByClusters.get(clusters);
  if (known !== undefined && known.parts === parts) return known.coverage;
  const regions = new Set<string>();
  const accountIds = new Set<string>();
  for (const p of parts) {
    if (p.scope === undefined) continue;
    regions.add(p.scope.region);
    accountIds.add(p.scope.accountId);
  }
  for (const c of clusters) {
    regions.add(c.aws.region);
    accountIds.add(c.aws.accountId);
  }
  const coverage = { regions, accountIds };
  coverageByClusters.set(clusters, { parts, coverage });
  return coverage;
}

/**
 * Refuses (400) a `regions`/`region` or `accountIds` value that no configured source covers: it can only be a
 * typo, and answering it with no clusters would make Argo CD delete the ApplicationSet's Applications. A label
 * selector that matches nothing is not checked: a new, still empty environment is normal.
 */
export function checkQueryCovered(q: ClusterQuery, coverage: Coverage): void {
  const issues: string[] = [];
  const check = (
    parameter: string,
    asked: ReadonlySet<string> | undefined,
    covered: ReadonlySet<string>,
    what: string,
  ) => {
    if (asked === undefined) return;
    const uncovered = [...asked].filter((v) => !covered.has(v));
    if (uncovered.length === 0) return;
    const named = uncovered.slice(0, MAX_NAMED_UNCOVERED).map(quote).join(', ');
    const more = uncovered.length - MAX_NAMED_UNCOVERED;
    issues.push(
      `input.parameters.${parameter}: ${named}${more > 0 ? ` and ${more} more` : ''} ${uncovered.length > 1 ? 'are' : 'is'} not ${what} of any configured cluster source (covered: ${listCovered(covered)})`,
    );
  };
  check(q.regionsParameter ?? 'regions', q.regions, coverage.regions, 'a region');
  check('accountIds', q.accountIds, coverage.accountIds, 'an account');
  if (issues.length > 0) throw inputErrorOf(issues);
}

function listCovered(covered: ReadonlySet<string>): string {
  if (covered.size === 0) return 'none';
  const sorted = [...covered].sort();
  const shown = sorted.slice(0, MAX_LISTED_COVERED).join(', ');
  const more = sorted.length - MAX_LISTED_COVERED;
  return more > 0 ? `${shown} and ${more} more` : shown;
}
