/**
 * Content negotiation for the getparams reply, which we hold in two encodings: identity and gzip. Argo CD's Go
 * client sends `Accept-Encoding: gzip` and decodes the reply transparently (argocd-contract.md §A3), and gzip
 * makes a fleet-sized reply about twenty times smaller.
 */

/** `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )` (RFC 9110 §12.4.2). */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The weight of each coding the header names (lowercased), per RFC 9110 §12.5.3. An element with a malformed
 * `q` weighs 0: a client we cannot understand gets identity, which every client can read.
 */
export function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const element of header.split(',')) {
    const [codingPart = '', ...params] = element.split(';');
    const coding = codingPart.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
      if (name !== 'q') continue;
      const value = eq < 0 ? '' : param.slice(eq + 1).trim();
      q = QVALUE.test(value) ? Number(value) : 0;
    }
    // A coding listed twice keeps its highest weight.
    weights.set(coding, Math.max(q, weights.get(coding) ?? 0));
  }
  return weights;
}

/**
 * Whether to send the gzip encoding: the client accepts gzip (or `x-gzip`, or `*`) with a weight above 0, and
 * does not weigh identity higher. Otherwise the reply is identity, even when the client refuses identity
 * (RFC 9110 §12.5.3 allows that instead of a 406), since every client can read it.
 */
export function acceptsGzip(header: string | readonly string[] | undefined): boolean {
  if (header === undefined) return false;
  // Exactly what Go's transport sends, on every request: not worth parsing.
  if (header === 'gzip') return true;
  const weights = parseAcceptEncoding(typeof header === 'string' ? header : header.join(','));
  const star = weights.get('*');
  const explicit = [weights.get('gzip'), weights.get('x-gzip')].filter(
    (q): q is number => q !== undefined,
  );
  const gzipQ = explicit.length > 0 ? Math.max(...explicit) : (star ?? 0);
  // Unlisted, identity stays acceptable but is no one's preference over a coding the client names.
  const identityQ = weights.get('identity') ?? star ?? 0;
  return gzipQ > 0 && gzipQ >= identityQ;
}
