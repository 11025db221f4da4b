import { InputError } from '../core/errors';
import { EVERYTHING, selectorFromObject, type LabelSelector } from '../core/selector';
import { compileNameGlob, type NameGlob } from './name-glob';
import { parseVersionRange, type VersionRange } from './semver-range';

/** What `input.parameters` asks for, validated. Every field is optional in the request. */
export interface ClusterQuery {
  readonly selector: LabelSelector;
  readonly regions: ReadonlySet<string> | undefined;
  readonly accountIds: ReadonlySet<string> | undefined;
  readonly names: readonly NameGlob[] | undefined;
  readonly statuses: ReadonlySet<string>;
  readonly kubernetesVersion: VersionRange | undefined;
  readonly flatList: boolean;
  readonly addons: readonly string[] | undefined;
}

/** EKS cluster statuses (DescribeCluster `cluster.status`). */
export const EKS_STATUSES = ['CREATING', 'ACTIVE', 'DELETING', 'FAILED', 'UPDATING', 'PENDING'];

export const QUERY_PARAMETERS = [
  'selector',
  'regions',
  'accountIds',
  'names',
  'statuses',
  'kubernetesVersion',
  'flatList',
  'addons',
] as const;

const AT = 'input.parameters';

/**
 * Validates `input.parameters` into a ClusterQuery. Throws one InputError listing every problem, each naming
 * the parameter at fault, so an operator fixes the ApplicationSet in one go.
 */
export function parseClusterQuery(parameters: Readonly<Record<string, unknown>>): ClusterQuery {
  const issues: string[] = [];
  const unknown = Object.keys(parameters).filter(
    (k) => !(QUERY_PARAMETERS as readonly string[]).includes(k),
  );
  if (unknown.length > 0) {
    issues.push(
      `${AT}: unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (accepted: ${QUERY_PARAMETERS.join(', ')})`,
    );
  }

  let selector = EVERYTHING;
  if (parameters['selector'] !== undefined) {
    const r = selectorFromObject(parameters['selector'], `${AT}.selector`);
    if ('issues' in r) issues.push(...r.issues);
    else selector = r.selector;
  }

  const regions = stringList('regions', parameters['regions'], issues, (v) =>
    /^[a-z]{2}(-[a-z]+)+-\d+$/.test(v) ? undefined : 'is not an AWS region name',
  );
  const accountIds = stringList(
    'accountIds',
    parameters['accountIds'],
    issues,
    (v) => (/^\d{12}$/.test(v) ? undefined : 'is not a 12-digit AWS account id'),
    'account ids must be strings (quote them) so leading zeros survive',
  );
  const names = stringList('names', parameters['names'], issues);
  const statusList = stringList('statuses', parameters['statuses'], issues, (v) =>
    EKS_STATUSES.includes(v) ? undefined : `is not an EKS status (${EKS_STATUSES.join(', ')})`,
  );
  const addons = stringList('addons', parameters['addons'], issues);

  let kubernetesVersion: VersionRange | undefined;
  const kv = parameters['kubernetesVersion'];
  if (kv !== undefined) {
    if (typeof kv !== 'string') {
      issues.push(
        `${AT}.kubernetesVersion: must be a string such as ">=1.29 <1.31", got ${typeName(kv)}`,
      );
    } else {
      try {
        kubernetesVersion = parseVersionRange(kv);
      } catch (e) {
        issues.push(`${AT}.kubernetesVersion: ${(e as Error).message}`);
      }
    }
  }

  let flatList = false;
  const fl = parameters['flatList'];
  if (fl !== undefined) {
    if (typeof fl !== 'boolean')
      issues.push(`${AT}.flatList: must be true or false, got ${typeName(fl)}`);
    else flatList = fl;
  }

  if (issues.length > 0) throw new InputError(issues.join('; '));
  return {
    selector,
    regions: regions && new Set(regions),
    accountIds: accountIds && new Set(accountIds),
    names: names?.map(compileNameGlob),
    statuses: new Set(statusList ?? ['ACTIVE']),
    kubernetesVersion,
    flatList,
    addons,
  };
}

/**
 * A non-empty array of non-empty strings. An empty list is refused rather than read as "match nothing":
 * an answer with no clusters makes Argo CD delete the Applications (argocd-contract.md §A7).
 */
function stringList(
  name: string,
  value: unknown,
  issues: string[],
  check?: (v: string) => string | undefined,
  numberHint?: string,
): string[] | undefined {
  if (value === undefined) return undefined;
  const at = `${AT}.${name}`;
  if (!Array.isArray(value)) {
    issues.push(`${at}: must be an array of strings, got ${typeName(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    issues.push(`${at}: must not be empty (omit it to match every cluster)`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'string' || v === '') {
      const hint = typeof v === 'number' && numberHint ? ` (${numberHint})` : '';
      issues.push(`${at}[${i}]: must be a non-empty string, got ${typeName(v)}${hint}`);
      ok = false;
      return;
    }
    const problem = check?.(v);
    if (problem !== undefined) {
      issues.push(`${at}[${i}]: "${v}" ${problem}`);
      ok = false;
      return;
    }
    out.push(v);
  });
  return ok ? out : undefined;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v === '' ? 'an empty string' : 'a string';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}
