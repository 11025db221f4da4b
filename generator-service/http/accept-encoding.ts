import Negotiator from 'negotiator';

/**
 * Content negotiation for the getparams reply, which we hold in two encodings: identity and gzip. Argo CD's Go
 * client sends `Accept-Encoding: gzip` and decodes the reply transparently (argocd-contract.md §A3), and gzip
 * makes a fleet-sized reply many times smaller (README "Measured").
 */

/** `encoding`'s `preferred` option (negotiator 0.6.3 on), which @types/negotiator does not declare. */
interface EncodingNegotiator {
  encoding(
    available: readonly string[],
    options: { preferred: readonly string[] },
  ): string | undefined;
}

/** What we can send, gzip first: on equal weights gzip wins, and the client said it can read either. */
const CODINGS: readonly string[] = ['gzip', 'identity'];
const OPTIONS = { preferred: CODINGS };

/** `x-gzip` is gzip (RFC 9110 §8.4.1.3); negotiator matches coding names exactly. */
const X_GZIP = /(^|,)([ \t]*)x-gzip(?=[ \t]*(?:[;,]|$))/gi;
/**
 * A `q` parameter whose value is no qvalue (RFC 9110 §12.4.2: `0` to `1` with at most three decimals), or that
 * has none. negotiator reads `q=2` as a weight above 1 and `q` alone as 1; a weight we cannot understand counts
 * as 0 instead, so such a client gets identity, which every client can read.
 */
const MALFORMED_WEIGHT =
  /;[ \t]*q[ \t]*(?!=[ \t]*(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)[ \t]*(?:[;,]|$))(?=[=;,]|$)[^;,]*/gi;

/**
 * Whether to send the gzip encoding: the client accepts gzip (or `x-gzip`, or `*`) with a weight above 0, and
 * does not weigh identity higher. Otherwise the reply is identity, even when the client refuses identity
 * (RFC 9110 §12.5.3 allows that instead of a 406), since every client can read it.
 */
export function acceptsGzip(header: string | readonly string[] | undefined): boolean {
  if (header === undefined) return false;
  // Exactly what Go's transport sends, on every request: not worth parsing.
  if (header === 'gzip') return true;
  const text = (typeof header === 'string' ? header : header.join(','))
    .replace(X_GZIP, '$1$2gzip')
    .replace(MALFORMED_WEIGHT, ';q=0');
  const negotiator: EncodingNegotiator = new Negotiator({ headers: { 'accept-encoding': text } });
  return negotiator.encoding(CODINGS, OPTIONS) === 'gzip';
}
