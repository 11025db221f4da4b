import { InputError } from '../errors';
import { EVERYTHING, selectorFromObject, type LabelSelector } from '../selector';
import { compileNameGlobs, type NameMatcher } from './name-glob';
import { parseVersionRange, type VersionRange } from './version-range';

/** What `input.parameters` asks for, validated. Every field is optional in the request. */
export interface ClusterQuery {
  readonly selector: LabelSelector;
  readonly regions: ReadonlySet<string> | undefined;
  /** Which parameter gave `regions` (`region` is its one-value alias), for messages naming it. */
  readonly regionsParameter?: 'regions' | 'region';
  readonly accountIds: ReadonlySet<string> | undefined;
  readonly names: NameMatcher | undefined;
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
  'region',
  'accountIds',
  'names',
  'statuses',
  'kubernetesVersion',
  'flatList',
  'addons',
] as const;

const AT = 'input.parameters';

/** Longer lists cannot be a real query (there are ~35 AWS regions); refusing them keeps error messages short. */
export const MAX_LIST_ENTRIES = 1000;
/** EKS cluster names, add-on names and fleet names are far shorter; longer strings are quoted only in part. */
export const MAX_STRING_LENGTH = 256;
/** An error reply lists this many problems, then counts the rest: Argo CD shows it on the ApplicationSet. */
export const MAX_REPORTED_ISSUES = 10;
const MAX_ISSUE_LENGTH = 300;
/** Unknown add-ons are all named in the reply (generate-params.ts), so their count and length stay small. */
const MAX_ADDONS = 64;
const MAX_ADDON_NAME_LENGTH = 100;
const MAX_QUOTED_LENGTH = 60;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const regionProblem = (v: string) => (REGION.test(v) ? undefined : 'is not an AWS region name');

/** A value as it appears in a message: JSON-quoted, and cut short so that a hostile value cannot bloat the reply. */
export function quote(value: string): string {
  return value.length > MAX_QUOTED_LENGTH
    ? `${JSON.stringify(value.slice(0, MAX_QUOTED_LENGTH))}... (${value.length} characters)`
    : JSON.stringify(value);
}

/**
 * One InputError for a list of problems, bounded: the first MAX_REPORTED_ISSUES (each cut at a few hundred
 * characters), then how many more there are. The message ends up in the ApplicationSet status.
 */
export function inputErrorOf(issues: readonly string[]): InputError {
  const shown = issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((i) => (i.length > MAX_ISSUE_LENGTH ? `${i.slice(0, MAX_ISSUE_LENGTH)}...` : i));
  const more = issues.length - shown.length;
  return new InputError(
    `${shown.join('; ')}${more > 0 ? `; and ${more} more problem${more > 1 ? 's' : ''}` : ''}`,
  );
}

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
    const named = unknown.slice(0, MAX_REPORTED_ISSUES).map(quote).join(', ');
    const more =
      unknown.length > MAX_REPORTED_ISSUES
        ? ` and ${unknown.length - MAX_REPORTED_ISSUES} more`
        : '';
    issues.push(
      `${AT}: unknown parameter${unknown.length > 1 ? 's' : ''} ${named}${more} (accepted: ${QUERY_PARAMETERS.join(', ')})`,
    );
  }

  let selector = EVERYTHING;
  if (parameters['selector'] !== undefined) {
    const r = selectorFromObject(parameters['selector'], `${AT}.selector`);
    if ('issues' in r) issues.push(...r.issues);
    else selector = r.selector;
  }

  const regions = regionsOf(parameters, issues);
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
  const addons = stringList('addons', parameters['addons'], issues, undefined, undefined, {
    maxEntries: MAX_ADDONS,
    maxLength: MAX_ADDON_NAME_LENGTH,
  });

  let kubernetesVersion: VersionRange | undefined;
  const kv = parameters['kubernetesVersion'];
  if (kv !== undefined) {
    if (typeof kv !== 'string') {
      issues.push(
        `${AT}.kubernetesVersion: must be a string such as ">=1.29 <1.31", got ${typeName(kv)}`,
      );
    } else if (kv.length > MAX_STRING_LENGTH) {
      issues.push(
        `${AT}.kubernetesVersion: ${quote(kv)} is longer than ${MAX_STRING_LENGTH} characters`,
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

  if (issues.length > 0) throw inputErrorOf(issues);
  return {
    selector,
    regions: regions && new Set(regions),
    ...(parameters['region'] !== undefined ? { regionsParameter: 'region' as const } : {}),
    accountIds: accountIds && new Set(accountIds),
    names: names && compileNameGlobs(names),
    statuses: new Set(statusList ?? ['ACTIVE', 'UPDATING']),
    kubernetesVersion,
    flatList,
    addons,
  };
}

/**
 * `regions`, or `region` (one region string) as its alias: the shape of the native Cluster generator's examples
 * (shared/vectors, derived-cluster-generator-compatible-shape). Both at once is ambiguous and refused.
 */
function regionsOf(
  parameters: Readonly<Record<string, unknown>>,
  issues: string[],
): string[] | undefined {
  const single = parameters['region'];
  if (single === undefined)
    return stringList('regions', parameters['regions'], issues, regionProblem);
  if (parameters['regions'] !== undefined) {
    issues.push(
      `${AT}.region and ${AT}.regions: give one or the other (region is one region, regions a list)`,
    );
    return undefined;
  }
  if (typeof single !== 'string' || single === '') {
    issues.push(`${AT}.region: must be a region name such as "eu-west-1", got ${typeName(single)}`);
    return undefined;
  }
  const problem = regionProblem(single);
  if (problem !== undefined) {
    issues.push(`${AT}.region: ${quote(single)} ${problem}`);
    return undefined;
  }
  return [single];
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
  limits: { maxEntries: number; maxLength: number } = {
    maxEntries: MAX_LIST_ENTRIES,
    maxLength: MAX_STRING_LENGTH,
  },
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
  if (value.length > limits.maxEntries) {
    issues.push(`${at}: has ${value.length} entries, more than the limit of ${limits.maxEntries}`);
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
    if (v.length > limits.maxLength) {
      issues.push(`${at}[${i}]: ${quote(v)} is longer than ${limits.maxLength} characters`);
      ok = false;
      return;
    }
    const problem = check?.(v);
    if (problem !== undefined) {
      issues.push(`${at}[${i}]: ${quote(v)} ${problem}`);
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
