/**
 * The render protocol between `eks-overlay-client` (a POSIX shell script running curl) and `eks-overlay serve`,
 * HTTP/1.1 over a unix socket, chosen so that the client needs no JSON or other tooling:
 *
 *   POST /render    body: <app directory> NUL, then the client's whole environment as `env -0` prints it
 *                   (NAME=value NUL ...)
 *
 * Answers:
 *   200  X-Eks-Overlay-Exit: 0        body: the render (the CLI's stdout), to print as is
 *   422  X-Eks-Overlay-Exit: <code>   body: the error (the CLI's stderr), exit with <code>
 *   503  X-Eks-Overlay-Answer: render-yourself   body: why (busy, inline secrets, ...): run the plain CLI
 * Anything else (another status, a missing or odd exit code, a cut-off answer) is not an answer: the client runs
 * the plain CLI, which is slower but never wrong.
 */
import * as path from 'node:path';

export const RENDER_PATH = '/render';
export const EXIT_HEADER = 'x-eks-overlay-exit';
export const ANSWER_HEADER = 'x-eks-overlay-answer';
export const RENDER_YOURSELF = 'render-yourself';

export interface RenderJob {
  /** The app directory the client runs in (Argo CD's working directory for the command). */
  readonly cwd: string;
  /** The client's whole environment. */
  readonly env: Readonly<Record<string, string>>;
}

/** Parses a request body; undefined when it is not one (the server then answers 400 and the client falls back). */
export function parseRenderRequest(body: Buffer): RenderJob | undefined {
  const fields = body.toString('utf8').split('\0');
  const cwd = fields[0];
  if (cwd === undefined || !path.isAbsolute(cwd)) return undefined;
  // `env -0` ends every entry with NUL, so the last field is empty.
  if (fields.length < 2 || fields[fields.length - 1] !== '') return undefined;
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of fields.slice(1, -1)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) return undefined;
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { cwd, env: { ...env } };
}

/** What a render worker answers for one job. */
export type WorkerAnswer =
  | {
      readonly kind: 'done';
      readonly code: number;
      readonly stdout: string;
      readonly stderr: string;
    }
  /** Not for this process to render (inline secrets: their values must never live in a long-lived process). */
  | { readonly kind: 'render-yourself'; readonly reason: string };
