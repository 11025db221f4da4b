import { gunzip, gzip, constants as zlibConstants } from 'node:zlib';

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

/**
 * Cached replies at least this large keep only their gzip encoding once it is made: a full 10,000-cluster reply is
 * 27 MiB of JSON against 1.4 MiB gzipped, and Argo CD always asks for gzip. A rare identity request of such a reply
 * is inflated from the gzip (about as fast as compressing it, and off the event loop).
 */
export const DEFAULT_KEEP_PLAIN_BELOW = 256 * 1024;

/** Compresses a body to gzip; injectable so tests can count and control compressions. */
export type Compress = (body: Buffer) => Promise<Buffer>;

export const gzipCompress: Compress = (body) =>
  new Promise((resolve, reject) =>
    gzip(body, { level: GZIP_LEVEL }, (err, out) => (err ? reject(err) : resolve(out))),
  );

/** One reply, serialized once and sent to every request that asks the same of the same snapshot. */
export interface CachedReply {
  /** The JSON body, exactly as generated; undefined once a large cached reply keeps only its gzip encoding. */
  readonly identity: Buffer | undefined;
  /** The gzip encoding of `identity`, once compressed. */
  readonly gzip: Buffer | undefined;
  /**
   * Compresses `identity` on first call (off the event loop); every caller shares that one compression. A
   * failed compression is forgotten, so a later call tries again.
   */
  gzipped(): Promise<Buffer>;
  /** The JSON body: `identity` when held, else inflated from the gzip encoding (the same bytes). */
  plain(): Promise<Buffer>;
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
  /** Bytes held: the JSON bodies still kept plus the gzip encodings compressed so far. */
  readonly bytes: number;
}

export interface ResponseCacheOptions {
  /**
   * Bound on `bytes`. A reply whose identity body alone is larger is served but not cached (the next identical
   * request computes it again); when a gzip encoding lands, least recently used entries go until the bound holds.
   */
  readonly maxBytes?: number;
  readonly compress?: Compress;
  /** Cached replies at least this large drop their JSON body once gzipped (DEFAULT_KEEP_PLAIN_BELOW). */
  readonly keepPlainBelow?: number;
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
  const keepPlainBelow = opts.keepPlainBelow ?? DEFAULT_KEEP_PLAIN_BELOW;
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

  /**
   * `onGzip` returns true when the reply may drop its JSON body (a large, cached one); `onPlain` returns true when
   * a body inflated again for an identity request may be kept (the entry is still cached): clients that ask for
   * identity get it as before, while Argo CD's gzip-only traffic leaves only the gzip held.
   */
  function newReply(
    body: Buffer,
    onGzip: (gz: Buffer) => boolean,
    onPlain: (plain: Buffer) => boolean,
  ): CachedReply {
    let identity: Buffer | undefined = body;
    let gz: Buffer | undefined;
    let pending: Promise<Buffer> | undefined;
    let inflating: Promise<Buffer> | undefined;
    return {
      get identity() {
        return identity;
      },
      get gzip() {
        return gz;
      },
      gzipped() {
        // Not `body`: a closure over it would keep the JSON alive after it is dropped. `identity` is only dropped
        // once the compression succeeded, so it is there whenever one is due.
        pending ??= compress(identity as Buffer).then(
          (out) => {
            gz = out;
            if (onGzip(out)) identity = undefined;
            return out;
          },
          (e: unknown) => {
            pending = undefined;
            throw e;
          },
        );
        return pending;
      },
      plain() {
        if (identity !== undefined) return Promise.resolve(identity);
        const packed = gz as Buffer;
        // Concurrent identity requests share one inflation.
        inflating ??= new Promise<Buffer>((resolve, reject) =>
          gunzip(packed, (err, out) => (err ? reject(err) : resolve(out))),
        ).then(
          (out) => {
            inflating = undefined;
            if (onPlain(out)) identity = out;
            return out;
          },
          (e: unknown) => {
            inflating = undefined;
            throw e;
          },
        );
        return inflating;
      },
    };
  }

  /** A cache entry; its own function, so that no closure of `lookup` keeps the JSON body it may drop. */
  function newEntry(key: string, identity: Buffer): Entry {
    const size = identity.length;
    const entry: Entry = {
      bytes: size,
      reply: newReply(
        identity,
        (gz) => {
          // Evicted (or superseded by a newer snapshot) meanwhile: the encoding is no longer ours to count.
          if (entries.get(key) !== entry) return false;
          const dropPlain = size >= keepPlainBelow;
          const added = gz.length - (dropPlain ? size : 0);
          entry.bytes += added;
          bytes += added;
          // Evicting the entry itself would make every later request compute and compress it again.
          evictWhileOver(key);
          return dropPlain;
        },
        keepPlain,
      ),
    };
    function keepPlain(plain: Buffer): boolean {
      if (entries.get(key) !== entry) return false;
      entry.bytes += plain.length;
      bytes += plain.length;
      evictWhileOver(key);
      return true;
    }
    return entry;
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
      if (!cacheable) {
        return {
          reply: newReply(
            identity,
            () => false,
            () => false,
          ),
          hit: false,
        };
      }
      const entry = newEntry(key, identity);
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
