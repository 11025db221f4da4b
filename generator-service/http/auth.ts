import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../../core/errors';

/** Where the expected bearer token comes from; `current()` is asked on every request, so rotation applies at once. */
export interface TokenProvider {
  /** The token, trimmed; undefined when none is available (every request is then refused). */
  current(): string | undefined;
}

const BEARER = /^Bearer[ \t]+(.*)$/i;

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * The expected token's digest, remembered for the last token seen: the provider hands back the same token on
 * every request until it rotates, so only the presented token needs hashing per request.
 */
let expectedCache: {
  readonly raw: string | undefined;
  readonly digest: Buffer;
  readonly empty: boolean;
} = { raw: undefined, digest: digest(''), empty: true };

function expectedDigest(expected: string | undefined): { digest: Buffer; empty: boolean } {
  if (expected !== expectedCache.raw) {
    const want = expected?.trim() ?? '';
    expectedCache = { raw: expected, digest: digest(want), empty: want === '' };
  }
  return expectedCache;
}

/**
 * Checks an Authorization header against the expected token. Argo CD sends `Authorization: Bearer <token>` with
 * the token trimmed (strings.TrimSpace, argocd-contract.md §A2), so the stored token is trimmed the same way.
 * Digests are compared so that the comparison takes the same time whatever the lengths.
 * No header or another scheme → UnauthorizedError (401); a wrong token → ForbiddenError (403).
 */
export function checkBearer(header: string | undefined, expected: string | undefined): void {
  const m = header === undefined ? null : BEARER.exec(header.trim());
  if (!m) throw new UnauthorizedError('missing bearer token: send "Authorization: Bearer <token>"');
  const presented = (m[1] ?? '').trim();
  const want = expectedDigest(expected);
  // An empty expected token must never match an empty presented one.
  const same = timingSafeEqual(digest(presented), want.digest) && !want.empty;
  if (!same) throw new ForbiddenError('invalid bearer token');
}

export function bearerAuth(tokens: TokenProvider): RequestHandler {
  return (req, _res, next) => {
    checkBearer(req.headers.authorization, tokens.current());
    next();
  };
}
