import { readFileSync, statSync } from 'node:fs';
import { describeError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { TokenProvider } from './http/auth';

export interface TokenFileOptions {
  readonly log: Logger;
  /** The file is checked for a change at most this often (ms); requests in between use the token in memory. */
  readonly checkIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * The bearer token from a file (a mounted Secret), re-read when the file changes so that a rotated Secret takes
 * effect without a restart. Kubernetes swaps Secret volumes through a symlink; stat follows it, so the new
 * target shows up as a new inode. A file that later becomes unreadable or empty keeps the last good token
 * (and logs why) rather than locking Argo CD out. The token itself is never logged.
 * Throws when the file cannot give a token at startup.
 */
export function tokenFromFile(file: string, opts: TokenFileOptions): TokenProvider {
  const now = opts.now ?? Date.now;
  const checkIntervalMs = opts.checkIntervalMs ?? 1000;
  const read = (): string => {
    const token = readFileSync(file, 'utf8').trim();
    if (token === '') throw new Error('the file is empty');
    return token;
  };
  const signature = (): string => {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  };
  let sig: string;
  let token: string;
  try {
    sig = signature();
    token = read();
  } catch (e) {
    throw new Error(`GENERATOR_TOKEN_FILE ${file}: ${describeError(e)}`, { cause: e });
  }
  let checkedAt = now();
  let lastProblem: string | undefined;
  return {
    current() {
      if (now() - checkedAt < checkIntervalMs) return token;
      checkedAt = now();
      try {
        const next = signature();
        if (next === sig) return token;
        token = read();
        sig = next;
        lastProblem = undefined;
        opts.log.info('bearer token file changed; using the new token', { file });
      } catch (e) {
        const problem = describeError(e);
        if (problem !== lastProblem) {
          opts.log.warn('bearer token file unreadable; keeping the previous token', {
            file,
            error: problem,
          });
          lastProblem = problem;
        }
      }
      return token;
    },
  };
}
