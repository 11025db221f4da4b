/**
 * The view's query (`GET /api/v1/fleet?...` and `GET /fleet?...`): a label selector in kubectl's string form
 * (`selector=env=prod,team in (payments)`) and/or the structured form (`labelSelector={"matchLabels":...}`),
 * both through core/selector and combined with AND; `sort`, `order`, `limit`, `continue`.
 * Every problem is reported at once, each naming its parameter.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../core/errors';
import {
  EVERYTHING,
  parseSelector,
  selectorFromObject,
  type LabelSelector,
} from '../../core/selector';
import { SORT_KEYS, type SortKey } from './fleet-model';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const MAX_PARAM_LENGTH = 4096;

export interface FleetQuery {
  readonly selectorText: string;
  readonly labelSelectorText: string;
  readonly selector: LabelSelector;
  readonly sort: SortKey;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
  /** Where the page starts in the filtered, sorted list (from `continue`). */
  readonly offset: number;
  /** The snapshot version `continue` was made on; undefined on a first page. */
  readonly continuedFrom: number | undefined;
  /** Identifies the filter and sort; a `continue` token is only valid for the same. */
  readonly key: string;
}

const KNOWN = new Set(['selector', 'labelSelector', 'sort', 'order', 'limit', 'continue']);

export function parseFleetQuery(params: URLSearchParams): FleetQuery {
  const issues: string[] = [];
  for (const name of new Set(params.keys())) {
    if (!KNOWN.has(name)) {
      issues.push(`${name}: unknown parameter (expected ${[...KNOWN].join(', ')})`);
    } else if (params.getAll(name).length > 1) {
      issues.push(`${name}: given more than once`);
    }
  }
  const get = (name: string): string => {
    const v = params.get(name) ?? '';
    if (v.length > MAX_PARAM_LENGTH) {
      issues.push(`${name}: longer than ${MAX_PARAM_LENGTH} characters`);
      return '';
    }
    return v.trim();
  };
  const selectorText = get('selector');
  const labelSelectorText = get('labelSelector');
  const requirements = [];
  try {
    requirements.push(...parseSelector(selectorText).requirements);
  } catch (e) {
    issues.push(`selector: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (labelSelectorText !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(labelSelectorText);
    } catch {
      issues.push('labelSelector: must be JSON, e.g. {"matchLabels":{"env":"prod"}}');
    }
    if (parsed !== undefined) {
      const r = selectorFromObject(parsed, 'labelSelector');
      if ('issues' in r) issues.push(...r.issues);
      else requirements.push(...r.selector.requirements);
    }
  }
  const sortRaw = get('sort') || 'name';
  const sort = (SORT_KEYS as readonly string[]).includes(sortRaw) ? (sortRaw as SortKey) : 'name';
  if (sort !== sortRaw) issues.push(`sort: "${sortRaw}" must be one of ${SORT_KEYS.join(', ')}`);
  const orderRaw = get('order') || 'asc';
  if (orderRaw !== 'asc' && orderRaw !== 'desc')
    issues.push(`order: "${orderRaw}" must be asc or desc`);
  const order = orderRaw === 'desc' ? 'desc' : 'asc';
  const limitRaw = get('limit');
  let limit = DEFAULT_LIMIT;
  if (limitRaw !== '') {
    const n = /^\d{1,7}$/.test(limitRaw) ? Number(limitRaw) : NaN;
    if (!(n >= 1 && n <= MAX_LIMIT))
      issues.push(`limit: "${limitRaw}" must be an integer from 1 to ${MAX_LIMIT}`);
    else limit = n;
  }
  const key = createHash('sha256')
    .update(JSON.stringify([selectorText, labelSelectorText, sort, order]))
    .digest('base64url')
    .slice(0, 16);
  let offset = 0;
  let continuedFrom: number | undefined;
  const token = get('continue');
  if (token !== '') {
    const c = decodeContinue(token);
    if (c === undefined) issues.push('continue: not a token this view issued');
    else if (c.q !== key)
      issues.push(
        'continue: the token belongs to another selector or sort; repeat the first request instead',
      );
    else {
      offset = c.o;
      continuedFrom = c.v;
    }
  }
  if (issues.length > 0) throw new InputError(issues.join('; '));
  const selector = requirements.length === 0 ? EVERYTHING : { requirements };
  return {
    selectorText,
    labelSelectorText,
    selector,
    sort,
    order,
    limit,
    offset,
    continuedFrom,
    key,
  };
}

interface ContinueToken {
  /** Snapshot version. */
  readonly v: number;
  /** Offset of the next page. */
  readonly o: number;
  /** Query key. */
  readonly q: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken | undefined {
  try {
    const t = JSON.parse(
      Buffer.from(token, 'base64url').toString('utf8'),
    ) as Partial<ContinueToken>;
    if (
      Number.isSafeInteger(t.v) &&
      Number.isSafeInteger(t.o) &&
      (t.o ?? -1) >= 0 &&
      typeof t.q === 'string'
    )
      return t as ContinueToken;
  } catch {
    // not ours
  }
  return undefined;
}

/** The query string of a query, with `continue` replaced (for links and the next page). */
export function queryString(
  q: FleetQuery,
  over: { continue?: string; sort?: SortKey; order?: 'asc' | 'desc' } = {},
): string {
  const p = new URLSearchParams();
  if (q.selectorText !== '') p.set('selector', q.selectorText);
  if (q.labelSelectorText !== '') p.set('labelSelector', q.labelSelectorText);
  const sort = over.sort ?? q.sort;
  const order = over.order ?? q.order;
  if (sort !== 'name') p.set('sort', sort);
  if (order !== 'asc') p.set('order', order);
  if (q.limit !== DEFAULT_LIMIT) p.set('limit', String(q.limit));
  if (over.continue !== undefined) p.set('continue', over.continue);
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}
