import { gzip, constants as zlibConstants } from 'node:zlib';

/** Default entry bound (RESPONSE_CACHE_ENTRIES overrides it). */
export const DEFAULT_MAX_ENTRIES = 256;
/**
 * Default byte bound, counting both encodings of every entry: enough for a few full replies of a
 * 10,000-cluster fleet and many selective ones (sizes in generator-service/README.md, "Measured").
 */
export const DEFAULT_MAX_BYTES = 96 * 1024 * 1024;
/**
 * zlib's default level: compression runs once per entry, on the thread pool, so the smaller reply is worth more
 * than the time level 1 would save; level 9 costs much more for little (generator-service/README.md, "Measured").
 */
export const GZIP_LEVEL = zlibConstants.Z_DEFAULT_COMPRESSION;

/** Compresses a body to gzip; injectable so tests can count and control compressions. */
export type Compress = (body: Buffer) => Promise<Buffer>;

export const gzipCompress: Compress = (body) =>
  new Promise((resolve, reject) =>
    gzip(body, { level: GZIP_LEVEL }, (err, out) => (err ? reject(err) : resolve(out))),
  );

/** One reply, serialized once and sent to every request that asks the same of the same snapshot. */
export interface CachedReply {
  /** The JSON body, exactly as generated. */
  readonly identity: Buffer;
  /** The gzip encoding of `identity`, once compressed. */
  readonly gzip: Buffer | undefined;
  /**
   * Compresses `identity` on first call (off the event loop); every caller shares that one compression. A
   * failed compression is forgotten, so a later call tries again.
   */
  gzipped(): Promise<Buffer>;
}

export interface CacheLookup {
  readonly reply: CachedReply;
  /** False when `compute` ran for this call. */
  readonly hit: boolean;
}

/**
 * A bounded LRU of replies, keyed by snapshot version and canonical parameters, so repeated identical requests
 * (Argo CD calls on every reconcile, argocd-contract.md §A7) neither filter, serialize nor compress again.
 */
export interface ResponseCache {
  /**
   * The reply for this key, from the cache or from `compute` (run synchronously, so requests arriving while it
   * runs wait and then hit). What `compute` throws is thrown here and nothing is cached.
   */
  lookup(version: number, paramsKey: string, compute: () => Buffer): CacheLookup;
  /** Entries held. */
  readonly size: number;
  /** Bytes held: identity bodies plus the gzip encodings compressed so far. */
  readonly bytes: number;
}

export interface ResponseCacheOptions {
  /**
   * Bound on `bytes`. A reply whose identity body alone is larger is served but not cached (the next identical
   * request computes it again); when a gzip encoding lands, least recently used entries go until the bound holds.
   */
  readonly maxBytes?: number;
  readonly compress?: Compress;
}

interface Entry {
  readonly reply: CachedReply;
  bytes: number;
}

export function createResponseCache(
  maxEntries = DEFAULT_MAX_ENTRIES,
  opts: ResponseCacheOptions = {},
): ResponseCache {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const compress = opts.compress ?? gzipCompress;
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let currentVersion = -1;
  const keyOf = (version: number, paramsKey: string) => `${version}\u0000${paramsKey}`;

  const remove = (key: string, entry: Entry) => {
    entries.delete(key);
    bytes -= entry.bytes;
  };
  /** Drops least recently used entries until both bounds hold; `keep` (an entry whose gzip just landed) stays. */
  const evictWhileOver = (keep?: string) => {
    for (const [key, entry] of entries) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      if (key !== keep) remove(key, entry);
    }
  };

  function newReply(identity: Buffer, onGzip: (gz: Buffer) => void): CachedReply {
    let gz: Buffer | undefined;
    let pending: Promise<Buffer> | undefined;
    return {
      identity,
      get gzip() {
        return gz;
      },
      gzipped() {
        pending ??= compress(identity).then(
          (out) => {
            gz = out;
            onGzip(out);
            return out;
          },
          (e: unknown) => {
            pending = undefined;
            throw e;
          },
        );
        return pending;
      },
    };
  }

  return {
    lookup(version, paramsKey, compute) {
      // Replies of an older snapshot can never be served again.
      if (version > currentVersion) {
        entries.clear();
        bytes = 0;
        currentVersion = version;
      }
      const key = keyOf(version, paramsKey);
      const found = entries.get(key);
      if (found !== undefined) {
        entries.delete(key);
        entries.set(key, found);
        return { reply: found.reply, hit: true };
      }
      const identity = compute();
      const cacheable = version === currentVersion && maxEntries > 0 && identity.length <= maxBytes;
      if (!cacheable) return { reply: newReply(identity, () => undefined), hit: false };
      const entry: Entry = {
        bytes: identity.length,
        reply: newReply(identity, (gz) => {
          // Evicted (or superseded by a newer snapshot) meanwhile: the encoding is no longer ours to count.
          if (entries.get(key) !== entry) return;
          entry.bytes += gz.length;
          bytes += gz.length;
          // Evicting the entry itself would make every later request compute and compress it again.
          evictWhileOver(key);
        }),
      };
      entries.set(key, entry);
      bytes += entry.bytes;
      evictWhileOver();
      return { reply: entry.reply, hit: false };
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
