/**
 * One environment variable a module reads, described where it is parsed. Each config module exports its list
 * (SERVICE_ENV_VARS, REGISTRAR_ENV_VARS, and each cluster source's `envVars`: FILE_ENV_VARS, EKS_ENV_VARS); the
 * configuration reference tables in manifests/README.md
 * (`npm run docs:config`, checked by a test) and the generator's `--help` are generated from those lists, so
 * documenting a new variable is adding one entry next to its parser.
 */
export interface EnvVar {
  readonly name: string;
  /** The value used when the variable is unset, rendered as code; absent when there is none. */
  readonly default?: string | number | boolean;
  /**
   * Markdown shown after the default, or instead of it when there is none: where the install sets the variable,
   * or what leaving it unset means (e.g. "— (required)").
   */
  readonly defaultNote?: string;
  /** One line of markdown. */
  readonly description: string;
}

/** The default cell of the reference table (markdown). */
export function defaultCell(v: EnvVar): string {
  if (v.default === undefined) return v.defaultNote ?? '—';
  const code = `\`${String(v.default)}\``;
  return v.defaultNote === undefined ? code : `${code} (${v.defaultNote})`;
}

/** Plain text for a terminal: markdown code spans and links reduced to their text. */
export function plainText(markdown: string): string {
  return markdown.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/`([^`]*)`/g, '$1');
}

/** The integers a variable accepts; without `max`, any integer of at least `min`. */
export interface IntRange {
  readonly min: number;
  readonly max?: number;
  /**
   * How a refused value is worded (`raw` as set, trimmed); by default `NAME: "raw" must be an integer from min to
   * max` (or `of at least min`).
   */
  readonly problem?: (name: string, raw: string, range: { min: number; max?: number }) => string;
}

/**
 * Reads an integer variable: unset or blank gives `fallback`; anything but plain digits within `range` is reported
 * into `issues` (config is validated once, every problem at once) and gives `fallback` too.
 */
export function intFromEnv<T extends number | undefined>(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: T,
  range: IntRange,
  issues: string[],
): number | T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  const { min, max } = range;
  if (!Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
    issues.push(
      range.problem?.(name, raw, { min, ...(max === undefined ? {} : { max }) }) ??
        `${name}: "${raw}" must be an integer ${max !== undefined ? `from ${min} to ${max}` : `of at least ${min}`}`,
    );
    return fallback;
  }
  return n;
}

/** The spellings a boolean variable accepts. */
export interface BoolSpelling {
  /** `1` and `0` as well as `true` and `false`. */
  readonly digits?: boolean;
  /** `TRUE`, `False`… refused (the registrar's variables). */
  readonly caseSensitive?: boolean;
  /** How a refused value is worded (`raw` trimmed); by default `NAME: "raw" must be true or false`. */
  readonly problem?: (name: string, raw: string) => string;
}

/**
 * Reads a boolean variable: unset or blank gives `fallback`; a value not spelled as `spelling` allows is reported
 * into `issues` and gives `fallback`.
 */
export function boolFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: boolean,
  issues: string[],
  spelling: BoolSpelling = {},
): boolean {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const word = spelling.caseSensitive === true ? raw : raw.toLowerCase();
  if (word === 'true' || (spelling.digits === true && word === '1')) return true;
  if (word === 'false' || (spelling.digits === true && word === '0')) return false;
  issues.push(spelling.problem?.(name, raw) ?? `${name}: "${raw}" must be true or false`);
  return fallback;
}
