/**
 * Resource limits of one render. An app repository is untrusted input to the sidecar: without these, one file
 * (an alias bomb, a 50 MB stream, a million-item list) could exhaust memory or Argo CD's 60 s deadline and take
 * the sidecar down for every Application. Each limit fails with an error naming the file (and line) and the limit;
 * the values are generous for real manifests (the largest CRD bundles are ~1.5 MB and ~150,000 YAML tokens).
 * Documented in cmp-sidecar/README.md ("Limits").
 */
export const LIMITS = {
  /** Bytes of one YAML file read by a layer or eks-overlay.yaml (checked before reading it). */
  maxFileBytes: 8 * 1024 * 1024,
  /** Bytes of all the layer files of one render together. */
  maxRenderBytes: 32 * 1024 * 1024,
  /**
   * YAML tokens (scalars, indicators, line breaks) of one file: the parser's memory grows with them (~300 bytes
   * each), not with bytes, so a 4 MB flow list of a million `1`s is refused here rather than running out of heap.
   */
  maxYamlTokens: 400_000,
  /** Objects (documents, List items counted one by one) of all layers of one render together. */
  maxObjects: 10_000,
  /** Nesting depth of maps and lists in one document (aliases resolved); the parser itself fails near 900. */
  maxDepth: 256,
  /** Nodes that aliases of one file may expand to, all aliases together (stops "billion laughs"). */
  maxAliasNodes: 10_000,
  /** Characters one template value may produce (any helper result, any `each` output, the whole value). */
  maxTemplateOutput: 1024 * 1024,
  /** Iterations of `each` blocks while rendering one template value. */
  maxTemplateIterations: 100_000,
  /** Characters of a template or value quoted in an error message (the rest is elided). */
  maxQuotedChars: 200,
  /**
   * The render-wide memory bound, in MiB, by default: characters of every key and string value one render builds
   * (aliases and templates expanded, each occurrence counted), and characters of the YAML stream it prints. Reading
   * 32 MiB of files is bounded above; this bounds what they expand to. The sidecar's EKS_OVERLAY_MAX_RENDER_MIB
   * sets it (an Application cannot: its env reaches the plugin prefixed ARGOCD_ENV_).
   */
  defaultMaxRenderMiB: 64,
} as const;

/** The sidecar environment variable that sets the render-wide bound (LIMITS.defaultMaxRenderMiB). */
export const MAX_RENDER_ENV = 'EKS_OVERLAY_MAX_RENDER_MIB';
const MAX_RENDER_MIB_CEILING = 4096;
const MIB = 1024 * 1024;

/**
 * The render-wide bound in characters from the sidecar's environment, or an error message naming the variable.
 * ARGOCD_ENV_* is never read here: a repository must not be able to raise its own bound.
 */
export function renderBoundFrom(
  env: Readonly<Record<string, string | undefined>>,
): { chars: number } | { problem: string } {
  const raw = env[MAX_RENDER_ENV];
  if (raw === undefined || raw.trim() === '') return { chars: LIMITS.defaultMaxRenderMiB * MIB };
  const mib = Number(raw.trim());
  if (!Number.isInteger(mib) || mib < 1 || mib > MAX_RENDER_MIB_CEILING) {
    return {
      problem: `${MAX_RENDER_ENV} must be a whole number of MiB from 1 to ${MAX_RENDER_MIB_CEILING} (default ${LIMITS.defaultMaxRenderMiB})`,
    };
  }
  return { chars: mib * MIB };
}

/** How an error names the render-wide bound and the way to raise it. */
export function renderBoundHint(chars: number): string {
  return `${formatBytes(chars)}, the limit per render (the sidecar's ${MAX_RENDER_ENV} raises it)`;
}

/** Quotes a value for an error message, eliding what exceeds LIMITS.maxQuotedChars. */
export function quote(text: string): string {
  if (text.length <= LIMITS.maxQuotedChars) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, LIMITS.maxQuotedChars))}... (${text.length} characters)`;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / (1024 * 1024)).toFixed(1)} MiB` : `${n} bytes`;
}
