/**
 * Resource limits of one render. An app repository is untrusted input to the sidecar: without these, one file
 * (an alias bomb, a 50 MB stream, a million-item list) could exhaust memory or Argo CD's 60 s deadline and take
 * the sidecar down for every Application. Each limit fails with an error naming the file (and line) and the limit;
 * the values are generous for real manifests, the largest CRD bundles included (cmp-sidecar/README.md, "Measured").
 * Documented in cmp-sidecar/README.md ("Limits").
 */
export const LIMITS = {
  /** Bytes of one YAML file read by a layer or eks-overlay.yaml (checked before reading it). */
  maxFileBytes: 8 * 1024 * 1024,
  /** Bytes of all the layer files of one render together. */
  maxRenderBytes: 32 * 1024 * 1024,
  /**
   * YAML tokens (scalars, indicators, line breaks) of one file: the parser's memory grows with them, not with
   * bytes (cmp-sidecar/README.md, "Measured"), so a 4 MB flow list of a million `1`s is refused here rather than
   * running out of heap.
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
   * The render-wide memory bound, in MiB: characters of every key and string value one render builds (aliases and
   * templates expanded, each occurrence counted), and characters of the YAML stream it prints. Reading 32 MiB of
   * files is bounded above (maxRenderBytes); this bounds what they expand to.
   */
  maxRenderMiB: 64,
} as const;

/** The render-wide bound (LIMITS.maxRenderMiB) in characters. */
export const RENDER_BOUND_CHARS = LIMITS.maxRenderMiB * 1024 * 1024;

/** How an error names the render-wide bound. */
export function renderBoundHint(chars: number): string {
  return `${formatBytes(chars)}, the limit per render (a constant: split the app, or repeat less through aliases and templates)`;
}

/** Quotes a value for an error message, eliding what exceeds LIMITS.maxQuotedChars. */
export function quote(text: string): string {
  if (text.length <= LIMITS.maxQuotedChars) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, LIMITS.maxQuotedChars))}... (${text.length} characters)`;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / (1024 * 1024)).toFixed(1)} MiB` : `${n} bytes`;
}
