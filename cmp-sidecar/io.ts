/** The process boundary of the CLI, injectable so tests run `run()` in-process. */
export interface Io {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
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
