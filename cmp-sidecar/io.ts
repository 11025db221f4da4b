import type { PolicyReport } from './policy/types';

/** The process boundary of the CLI, injectable so tests run `run()` in-process. */
export interface Io {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /**
   * For in-process callers (the fleet preview): called once per render that evaluated admission policies, with
   * every violation (Deny, Warn, Audit) and what was assumed offline, before a Deny fails the render.
   */
  readonly onPolicyReport?: (report: PolicyReport) => void;
  /**
   * For in-process callers: the objects as they are at the base revision. A rendered object with the same API
   * group, kind, namespace and name is reviewed as an UPDATE with it as `oldObject`; any other as a CREATE.
   * `'unchanged'`: the base revision renders exactly these objects (the preview found the render's inputs equal at
   * base and head), so every object is reviewed as an UPDATE with itself as `oldObject`, without a base render.
   */
  readonly oldObjects?: readonly Readonly<Record<string, unknown>>[] | 'unchanged';
}

/** Writes to stderr: warnings always, debug lines only when EKS_OVERLAY_LOG_LEVEL (or the ARGOCD_ENV_ form) is debug. */
export interface Log {
  readonly warn: (msg: string) => void;
  readonly debug: (msg: string) => void;
  readonly info: (msg: string) => void;
}

export function createLog(io: Io): Log {
  const level =
    io.env['ARGOCD_ENV_EKS_OVERLAY_LOG_LEVEL'] ?? io.env['EKS_OVERLAY_LOG_LEVEL'] ?? 'info';
  return {
    warn: (msg) => io.stderr.write(`eks-overlay: warning: ${msg}\n`),
    info: (msg) => io.stderr.write(`eks-overlay: ${msg}\n`),
    debug:
      level === 'debug'
        ? (msg) => io.stderr.write(`eks-overlay: debug: ${msg}\n`)
        : () => undefined,
  };
}
