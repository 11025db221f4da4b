/**
 * The render protocol between `eks-overlay-client` (a POSIX shell script running curl) and `eks-overlay serve`,
 * HTTP/1.1 over a unix socket, chosen so that the client needs no JSON or other tooling:
 *
 *   POST /render    body: `dir=` and the app directory URL-encoded (curl's --data-urlencode: `+` or %20 for a
 *                   space), `&`, then the client's whole environment as the kernel holds it
 *                   (/proc/self/environ, the same bytes `env -0` prints: NAME=value NUL ...)
 *
 * Answers:
 *   200  X-Eks-Overlay-Exit: 0        body: the render (the CLI's stdout), to print as is
 *   422  X-Eks-Overlay-Exit: <code>   body: the error (the CLI's stderr), exit with <code> (1, 2 or 78; never 70:
 *                                     an internal error is answered render-yourself)
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
  // The encoded directory holds no raw `&`: the first one ends it, whatever the environment holds.
  const amp = body.indexOf(0x26);
  if (amp < 0 || body.subarray(0, DIR_FIELD.length).toString('latin1') !== DIR_FIELD)
    return undefined;
  const cwd = formDecode(body.subarray(DIR_FIELD.length, amp));
  if (cwd === undefined || !path.isAbsolute(cwd)) return undefined;
  const fields = body
    .subarray(amp + 1)
    .toString('utf8')
    .split('\0');
  // Every entry ends with NUL, so the last field is empty.
  if (fields.length < 2 || fields[fields.length - 1] !== '') return undefined;
  // Without a prototype, so that an entry named `__proto__` is an entry like any other.
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < fields.length - 1; i++) {
    const entry = fields[i]!;
    const eq = entry.indexOf('=');
    if (eq <= 0) return undefined;
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { cwd, env: { ...env } };
}

const DIR_FIELD = 'dir=';

/** Undoes curl's --data-urlencode (`%XX` for a byte, `+` for a space); undefined for a malformed escape. */
function formDecode(encoded: Buffer): string | undefined {
  const bytes = Buffer.alloc(encoded.length);
  let n = 0;
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded[i]!;
    if (c === 0x2b) bytes[n++] = 0x20;
    else if (c !== 0x25) bytes[n++] = c;
    else {
      const hex = encoded.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes[n++] = parseInt(hex, 16);
      i += 2;
    }
  }
  return bytes.subarray(0, n).toString('utf8');
}

/** What a render worker answers for one job. */
export type WorkerAnswer =
  | {
      readonly kind: 'done';
      readonly code: number;
      readonly stdout: string;
      readonly stderr: string;
    }
  /**
   * Not for this process to render (inline secrets: their values must never live in a long-lived process; an
   * internal error, which the CLI may not have). `log`: what the server's log should keep (an internal error's stack).
   */
  | { readonly kind: 'render-yourself'; readonly reason: string; readonly log?: string };
