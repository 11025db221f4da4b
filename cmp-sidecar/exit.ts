import { describeError, isAppError } from '../core/errors';
import type { Io } from './io';

/** Exit codes (sysexits-style where one fits). Argo CD shows stderr of a failed run in the Application's conditions. */
export const EXIT = {
  ok: 0,
  /** The render failed: a file, template, merge, secret or validation problem. */
  render: 1,
  /** Bad command line. */
  usage: 2,
  /** A bug: anything that is not one of our errors. */
  internal: 70,
  /** Configuration: eks-overlay.yaml, ARGOCD_APP_PARAMETERS, the cluster context. */
  config: 78,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Only the CLI turns errors into exit codes: each error code of core/errors.ts has one. */
export function exitCodeFor(e: unknown): ExitCode {
  if (!isAppError(e)) return EXIT.internal;
  if (e.code === 'ERR_INPUT') return EXIT.usage;
  if (e.code === 'ERR_CONFIG') return EXIT.config;
  if (e.code === 'ERR_INTERNAL') return EXIT.internal;
  return EXIT.render;
}

/** Writes the error to stderr (a stack only for bugs) and returns its exit code; stdout is left untouched. */
export function reportError(e: unknown, io: Io): ExitCode {
  const code = exitCodeFor(e);
  if (code === EXIT.internal) {
    const stack = e instanceof Error && e.stack !== undefined ? e.stack : describeError(e);
    io.stderr.write(`eks-overlay: internal error: ${stack}\n`);
  } else {
    io.stderr.write(`eks-overlay: error: ${describeError(e)}\n`);
    if (code === EXIT.usage) io.stderr.write('run "eks-overlay --help" for usage\n');
  }
  return code;
}
