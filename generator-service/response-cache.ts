/**
 * A bounded LRU of serialized reply bodies, keyed by snapshot version and canonical parameters, so repeated
 * identical requests (Argo CD calls on every reconcile, argocd-contract.md §A7) neither filter nor serialize again.
 */
export interface ResponseCache {
  get(version: number, paramsKey: string): string | undefined;
  set(version: number, paramsKey: string, body: string): void;
  readonly size: number;
}

export function createResponseCache(maxEntries = 256): ResponseCache {
  const entries = new Map<string, string>();
  let currentVersion = -1;
  const keyOf = (version: number, paramsKey: string) => `${version}\u0000${paramsKey}`;
  // Bodies of an older snapshot can never be served again.
  const forgetOlder = (version: number) => {
    if (version > currentVersion) {
      entries.clear();
      currentVersion = version;
    }
  };
  return {
    get(version, paramsKey) {
      const key = keyOf(version, paramsKey);
      const body = entries.get(key);
      if (body !== undefined) {
        entries.delete(key);
        entries.set(key, body);
      }
      return body;
    },
    set(version, paramsKey, body) {
      forgetOlder(version);
      if (version < currentVersion || maxEntries <= 0) return;
      const key = keyOf(version, paramsKey);
      entries.delete(key);
      entries.set(key, body);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
