import { InputError } from '../core/errors';
import { quote, typeName } from '../core/fleet-query';

/** The request body Argo CD sends (argocd-contract.md §A3). Unknown top-level fields are ignored. */
export interface GetParamsRequest {
  readonly applicationSetName: string;
  /** `input.parameters`; `{}` when Argo CD omitted it (it does so for an empty map). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

const MAX_QUOTED = 120;
/**
 * Deeper JSON cannot be a query (a selector is 7 levels below the body) and would exhaust the stack of any
 * recursive walk (canonical cache keys, serialization): refused up front, before anything recurses.
 */
export const MAX_BODY_DEPTH = 64;
/** A Kubernetes object name is at most 253 characters; the name is only logged, but never unbounded. */
const MAX_APPSET_NAME = 253;

/** Parses the raw body (any content type; Argo CD appends a newline). Throws InputError naming the problem. */
export function parseGetParamsRequest(raw: Buffer | undefined): GetParamsRequest {
  const text = raw === undefined ? '' : raw.toString('utf8');
  if (text.trim() === '') {
    throw new InputError(
      'request body is empty: expected JSON {"applicationSetName": ..., "input": {"parameters": {...}}}',
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    const detail = (e as Error).message;
    throw new InputError(
      `request body is not valid JSON: ${detail.length > MAX_QUOTED ? `${detail.slice(0, MAX_QUOTED)}...` : detail}`,
    );
  }
  if (!isObject(body)) {
    throw new InputError(`request body must be a JSON object, got ${typeName(body)}`);
  }
  const tooDeep = firstTooDeep(body, MAX_BODY_DEPTH);
  if (tooDeep !== undefined) {
    const at = tooDeep.length > MAX_QUOTED ? `${tooDeep.slice(0, MAX_QUOTED)}...` : tooDeep;
    throw new InputError(`${at}: nested deeper than ${MAX_BODY_DEPTH} levels`);
  }
  const issues: string[] = [];
  const name = body['applicationSetName'];
  if (name !== undefined && typeof name !== 'string') {
    issues.push(`applicationSetName: must be a string, got ${typeName(name)}`);
  } else if (typeof name === 'string' && name.length > MAX_APPSET_NAME) {
    issues.push(
      `applicationSetName: ${quote(name)} is longer than ${MAX_APPSET_NAME} characters (not a Kubernetes name)`,
    );
  }
  const input = body['input'];
  let parameters: Record<string, unknown> = {};
  if (input !== undefined && input !== null) {
    if (!isObject(input)) {
      issues.push(`input: must be an object, got ${typeName(input)}`);
    } else {
      const p = input['parameters'];
      if (p !== undefined && p !== null) {
        if (!isObject(p)) issues.push(`input.parameters: must be an object, got ${typeName(p)}`);
        else parameters = p;
      }
    }
  }
  if (issues.length > 0) throw new InputError(issues.join('; '));
  return { applicationSetName: typeof name === 'string' ? name : '', parameters };
}

/**
 * Where a value nests deeper than `limit` (objects and arrays), named by the field that holds it: a body field,
 * `input.<field>` or `input.parameters.<parameter>`; undefined when it does not. Iterative, so that the depth it
 * is guarding against cannot overflow the check itself.
 */
function firstTooDeep(body: Record<string, unknown>, limit: number): string | undefined {
  // `open`: the path is still being extended (the body, `input`, `input.parameters`); else it is final.
  const stack: { value: unknown; depth: number; at: string; open: boolean }[] = [
    { value: body, depth: 1, at: '', open: true },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth, at, open } = item;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return at === '' ? 'request body' : at;
    const named = open && isObject(value);
    for (const [key, child] of Object.entries(value)) {
      const childAt = named ? (at === '' ? key : `${at}.${key}`) : at;
      const stillOpen = named && (childAt === 'input' || childAt === 'input.parameters');
      stack.push({ value: child, depth: depth + 1, at: childAt, open: stillOpen });
    }
  }
  return undefined;
}

/** JSON with object keys sorted at every level, so equal parameters give equal cache keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
