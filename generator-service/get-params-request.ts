import { InputError } from '../core/errors';
import { typeName } from './cluster-query';

/** The request body Argo CD sends (argocd-contract.md §A3). Unknown top-level fields are ignored. */
export interface GetParamsRequest {
  readonly applicationSetName: string;
  /** `input.parameters`; `{}` when Argo CD omitted it (it does so for an empty map). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

const MAX_QUOTED = 120;

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
  const issues: string[] = [];
  const name = body['applicationSetName'];
  if (name !== undefined && typeof name !== 'string') {
    issues.push(`applicationSetName: must be a string, got ${typeName(name)}`);
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
