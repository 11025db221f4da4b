import { isValidLabelKey, isValidLabelValue } from './labels';

/** A Kubernetes label selector requirement, as in metav1.LabelSelectorRequirement. */
export interface SelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** A parsed selector: every requirement must hold (AND), as in labels.Selector. */
export interface LabelSelector {
  readonly requirements: readonly SelectorRequirement[];
}

export const EVERYTHING: LabelSelector = Object.freeze({ requirements: Object.freeze([]) });

export function matchesSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  return selector.requirements.every((r) => matchesRequirement(r, labels));
}

function matchesRequirement(
  r: SelectorRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'In':
      return value !== undefined && r.values.includes(value);
    case 'NotIn':
      // Kubernetes semantics: a missing key satisfies NotIn.
      return value === undefined || !r.values.includes(value);
  }
}

/**
 * Builds a selector from the metav1.LabelSelector object form (`matchLabels`, `matchExpressions`).
 * Returns every problem found, each naming its path under `at`.
 */
export function selectorFromObject(
  input: unknown,
  at: string,
): { selector: LabelSelector } | { issues: string[] } {
  const issues: string[] = [];
  const requirements: SelectorRequirement[] = [];
  if (!isPlainObject(input)) return { issues: [`${at}: must be an object`] };
  for (const key of Object.keys(input)) {
    if (key !== 'matchLabels' && key !== 'matchExpressions') {
      issues.push(`${at}: unknown key "${key}" (expected matchLabels, matchExpressions)`);
    }
  }
  const matchLabels = input['matchLabels'];
  if (matchLabels !== undefined) {
    if (!isPlainObject(matchLabels)) {
      issues.push(`${at}.matchLabels: must be an object of strings`);
    } else {
      for (const [k, v] of Object.entries(matchLabels)) {
        if (typeof v !== 'string') issues.push(`${at}.matchLabels.${k}: must be a string`);
        else if (!isValidLabelKey(k))
          issues.push(`${at}.matchLabels: "${k}" is not a valid label key`);
        else if (!isValidLabelValue(v))
          issues.push(`${at}.matchLabels.${k}: "${v}" is not a valid label value`);
        else requirements.push({ key: k, operator: 'In', values: [v] });
      }
    }
  }
  const exprs = input['matchExpressions'];
  if (exprs !== undefined) {
    if (!Array.isArray(exprs)) {
      issues.push(`${at}.matchExpressions: must be an array`);
    } else {
      exprs.forEach((e: unknown, i) => {
        const p = `${at}.matchExpressions[${i}]`;
        if (!isPlainObject(e)) {
          issues.push(`${p}: must be an object`);
          return;
        }
        for (const k of Object.keys(e)) {
          if (k !== 'key' && k !== 'operator' && k !== 'values')
            issues.push(`${p}: unknown key "${k}"`);
        }
        const key = e['key'];
        const op = e['operator'];
        const values = e['values'] ?? [];
        if (typeof key !== 'string' || !isValidLabelKey(key)) {
          issues.push(`${p}.key: must be a valid label key`);
          return;
        }
        if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') {
          issues.push(`${p}.operator: must be one of In, NotIn, Exists, DoesNotExist`);
          return;
        }
        if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
          issues.push(`${p}.values: must be an array of strings`);
          return;
        }
        const strs = values as string[];
        if ((op === 'In' || op === 'NotIn') && strs.length === 0) {
          issues.push(`${p}.values: must be non-empty for ${op}`);
          return;
        }
        if ((op === 'Exists' || op === 'DoesNotExist') && strs.length > 0) {
          issues.push(`${p}.values: must be empty for ${op}`);
          return;
        }
        requirements.push({ key, operator: op, values: strs });
      });
    }
  }
  return issues.length > 0 ? { issues } : { selector: { requirements } };
}

/**
 * Parses the string form used by `kubectl -l` (`env=prod,tier!=web,region in (a,b),!legacy,team`).
 * Errors name the offending position.
 */
export function parseSelector(text: string): LabelSelector {
  const requirements: SelectorRequirement[] = [];
  const src = text.trim();
  if (src === '') return EVERYTHING;
  let pos = 0;
  const fail = (msg: string): never => {
    throw new SyntaxError(`selector "${text}": ${msg} at position ${pos + 1}`);
  };
  const skipWs = () => {
    while (pos < src.length && /\s/.test(src[pos] ?? '')) pos++;
  };
  const readToken = (): string => {
    skipWs();
    const start = pos;
    while (pos < src.length && /[A-Za-z0-9_./-]/.test(src[pos] ?? '')) pos++;
    return src.slice(start, pos);
  };
  for (;;) {
    skipWs();
    let negated = false;
    if (src[pos] === '!') {
      negated = true;
      pos++;
    }
    const key = readToken();
    if (key === '') fail('expected a label key');
    if (!isValidLabelKey(key)) fail(`"${key}" is not a valid label key`);
    skipWs();
    if (negated) {
      requirements.push({ key, operator: 'DoesNotExist', values: [] });
    } else if (src.startsWith('!=', pos)) {
      pos += 2;
      requirements.push({ key, operator: 'NotIn', values: [readValue()] });
    } else if (src.startsWith('==', pos)) {
      pos += 2;
      requirements.push({ key, operator: 'In', values: [readValue()] });
    } else if (src[pos] === '=') {
      pos += 1;
      requirements.push({ key, operator: 'In', values: [readValue()] });
    } else if (/^(in|notin)\s*\(/.test(src.slice(pos))) {
      const op = src.startsWith('notin', pos) ? 'NotIn' : 'In';
      pos = src.indexOf('(', pos) + 1;
      const values: string[] = [];
      for (;;) {
        values.push(readValue());
        skipWs();
        if (src[pos] === ',') {
          pos++;
          continue;
        }
        if (src[pos] === ')') {
          pos++;
          break;
        }
        fail('expected "," or ")"');
      }
      requirements.push({ key, operator: op, values });
    } else {
      requirements.push({ key, operator: 'Exists', values: [] });
    }
    skipWs();
    if (pos >= src.length) break;
    if (src[pos] !== ',') fail('expected ","');
    pos++;
  }
  return { requirements };

  function readValue(): string {
    const v = readToken();
    if (!isValidLabelValue(v)) fail(`"${v}" is not a valid label value`);
    return v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
