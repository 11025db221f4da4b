/**
 * One small registry of error codes. Errors carry a stable `code` and a `cause`; only the HTTP layer
 * (generator-service/http/errors.ts) and the CLI entry (cmp-sidecar/cli.ts) turn them into statuses
 * and exit codes.
 */
export type ErrorCode =
  | 'ERR_INPUT'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_CONFIG'
  | 'ERR_NOT_READY'
  | 'ERR_SOURCE_UNAVAILABLE'
  | 'ERR_SOURCE_FORBIDDEN'
  | 'ERR_REGISTRY_INVALID'
  | 'ERR_RENDER'
  | 'ERR_RENDER_EMPTY'
  | 'ERR_SECRET'
  | 'ERR_VALIDATION'
  | 'ERR_POLICY_DENIED'
  | 'ERR_KUBERNETES'
  | 'ERR_UPGRADE'
  | 'ERR_INTERNAL';

export interface ErrorOptions {
  readonly cause?: unknown;
}

export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** The caller sent something we cannot accept; the message names the field at fault. */
export class InputError extends AppError {
  readonly code = 'ERR_INPUT';
}

/** No credentials were presented. */
export class UnauthorizedError extends AppError {
  readonly code = 'ERR_UNAUTHORIZED';
}

/** Credentials were presented and are wrong. */
export class ForbiddenError extends AppError {
  readonly code = 'ERR_FORBIDDEN';
}

/** Configuration (environment, files) is invalid; every problem is listed at once. */
export class ConfigError extends AppError {
  readonly code = 'ERR_CONFIG';
  constructor(
    readonly issues: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`, options);
  }
}

/** The registry has not loaded a complete snapshot yet (or it is too old to serve). */
export class NotReadyError extends AppError {
  readonly code = 'ERR_NOT_READY';
}

/** An upstream (AWS, a file, the Kubernetes API) could not be read; callers must not treat this as "no clusters". */
export class SourceUnavailableError extends AppError {
  readonly code = 'ERR_SOURCE_UNAVAILABLE';
}

/** An upstream refused our identity (access denied); retrying will not help until permissions change. */
export class SourceForbiddenError extends AppError {
  readonly code = 'ERR_SOURCE_FORBIDDEN';
}

/** The clusters a source produced cannot form a registry (duplicate names, bad records). */
export class RegistryInvalidError extends AppError {
  readonly code = 'ERR_REGISTRY_INVALID';
  constructor(
    readonly issues: readonly string[],
    options?: ErrorOptions,
  ) {
    super(issues.join('; '), options);
  }
}

/** A render failed; `file`/`line` point at the input at fault when known. */
export class RenderError extends AppError {
  readonly code: 'ERR_RENDER' | 'ERR_RENDER_EMPTY' = 'ERR_RENDER';
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, options?: ErrorOptions & { file?: string; line?: number }) {
    super(message, options);
    this.file = options?.file;
    this.line = options?.line;
  }
}

/** A render produced no objects; Argo CD would prune everything, so this is an error unless allowed. */
export class EmptyRenderError extends RenderError {
  override readonly code = 'ERR_RENDER_EMPTY';
}

/** A secret could not be resolved. Messages name the secret id and key, never a value. */
export class SecretError extends AppError {
  readonly code = 'ERR_SECRET';
}

/** A manifest failed validation (schema, kro rules). */
export class ValidationError extends AppError {
  readonly code = 'ERR_VALIDATION';
}

/** One object an admission policy denied, as PolicyDeniedError carries it. */
export interface PolicyDenial {
  /** The ValidatingAdmissionPolicy or ConstraintTemplate. */
  readonly policy: string;
  /** The binding, or the constraint as `Kind/name`. */
  readonly binding?: string;
  readonly message: string;
  readonly reason?: string;
  readonly object: {
    readonly kind: string;
    readonly namespace?: string;
    readonly name: string;
    readonly source?: { readonly file: string; readonly line?: number };
  };
}

/** Admission policies denied objects of a render; the message lists every violation, `violations` carries them. */
export class PolicyDeniedError extends AppError {
  readonly code = 'ERR_POLICY_DENIED';
  constructor(
    message: string,
    readonly violations: readonly PolicyDenial[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The Kubernetes API refused or failed a call. */
export class KubernetesError extends AppError {
  readonly code = 'ERR_KUBERNETES';
}

/** A blue/green upgrade could not take its next step (a dependency refused or answered without substance). */
export class UpgradeError extends AppError {
  readonly code = 'ERR_UPGRADE';
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** A short, single-line description of any thrown value, for logs and error bodies. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
