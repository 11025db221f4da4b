import { isAppError, SourceUnavailableError } from '../../core/errors';

/**
 * Turns what the AWS SDK throws into short, secret-free descriptions, and tells access problems
 * (which retrying will not fix) from outages.
 */
const FORBIDDEN_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnauthorizedOperation',
  'RegionDisabledException',
]);

export interface AwsFailure {
  /** e.g. `AccessDeniedException: User: arn:... is not authorized to perform: eks:ListClusters ...` */
  readonly message: string;
  readonly forbidden: boolean;
}

const MAX_MESSAGE = 300;

/**
 * One AWS call that failed or answered something unusable (a 2xx without the members the call exists for).
 * The message names the call, so an operator reading a target's lastError knows which one to look at.
 */
export class AwsCallError extends SourceUnavailableError {
  constructor(
    readonly operation: string,
    detail: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`${operation}: ${detail}`, options);
  }
}

/** Wraps what one call threw, keeping the SDK error as the cause (access problems are found through it). */
export function callFailed(operation: string, e: unknown): AwsCallError {
  if (e instanceof AwsCallError) return e;
  return new AwsCallError(operation, describeAwsError(e).message, { cause: e });
}

/** A 2xx answer that lacks what the call exists for: a fault of the target, never an empty result. */
export function degenerateReply(operation: string, what: string): AwsCallError {
  return new AwsCallError(operation, `answered without ${what}`);
}

export function describeAwsError(e: unknown): AwsFailure {
  const chain = causeChain(e);
  const forbidden = chain.some((x) => FORBIDDEN_NAMES.has(errorName(x)));
  const top = chain[0];
  // Our own errors already say what happened in a single line.
  if (isAppError(top)) return { message: clip(top.message.split('\n')[0] ?? ''), forbidden };
  const name = errorName(top);
  let text = top instanceof Error ? top.message : String(top);
  const status = httpStatus(top);
  // The SDK reports HTML or truncated bodies as a SyntaxError, and a JSON `null` body as a TypeError from its
  // deserializer; the status says more than the parser.
  if ((name === 'SyntaxError' || name === 'TypeError') && status !== undefined) {
    text = `unreadable response (HTTP ${status})`;
  }
  // Network errors arrive wrapped; the wrapped error's own text is what an operator needs.
  text = text.replace(/^AWS SDK error wrapper for /, '');
  const firstLine = text.split('\n')[0] ?? '';
  const full = name && !firstLine.startsWith(name) ? `${name}: ${firstLine}` : firstLine;
  return { message: clip(full), forbidden };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

export function isNotFound(e: unknown): boolean {
  return errorName(e) === 'ResourceNotFoundException';
}

function errorName(e: unknown): string {
  if (typeof e !== 'object' || e === null) return '';
  const name = (e as { name?: unknown }).name;
  const code = (e as { Code?: unknown }).Code;
  if (typeof code === 'string' && FORBIDDEN_NAMES.has(code)) return code;
  return typeof name === 'string' ? name : '';
}

function httpStatus(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const md = (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof md?.httpStatusCode === 'number' ? md.httpStatusCode : undefined;
}

function causeChain(e: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = e;
  while (cur !== undefined && cur !== null && out.length < 10) {
    out.push(cur);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}
