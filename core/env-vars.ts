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
