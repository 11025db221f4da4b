/**
 * What the view knows of a data source besides the generator's snapshot. A source that is not part of this
 * installation (no registrar configured, no ClusterUpgrade CRD) is `not-installed`, which the page shows as such,
 * not as an error; `unavailable` is a source that is installed but could not be read (the last good read is kept).
 */
export type SourceState<T> =
  | { readonly state: 'not-installed'; readonly reason: string }
  | { readonly state: 'ok'; readonly data: T; readonly readAt: number }
  | {
      readonly state: 'unavailable';
      readonly message: string;
      readonly lastGood?: { readonly data: T; readonly readAt: number };
    };

/** The data to show from a state: the current read, else the last good one. */
export function dataOf<T>(s: SourceState<T>): T | undefined {
  if (s.state === 'ok') return s.data;
  if (s.state === 'unavailable') return s.lastGood?.data;
  return undefined;
}

/** One read of a source: its data, `not-installed`, or a thrown error (short, secret-free message). */
export type SourceRead<T> = () => Promise<{ readonly data: T } | { readonly notInstalled: string }>;

export interface CachedSource<T> {
  /**
   * The latest state. A read older than the TTL starts a new one in the background; only before the first read
   * completes does the caller wait, and then at most `firstWaitMs`.
   */
  get(firstWaitMs: number): Promise<SourceState<T>>;
  /** The latest state without reading (undefined before the first read). */
  peek(): SourceState<T> | undefined;
}

export function cachedSource<T>(
  read: SourceRead<T>,
  ttlMs: number,
  now: () => number = Date.now,
): CachedSource<T> {
  let state: SourceState<T> | undefined;
  let readAt = -Infinity;
  let inFlight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    inFlight ??= read()
      .then(
        (r) => {
          state =
            'notInstalled' in r
              ? { state: 'not-installed', reason: r.notInstalled }
              : { state: 'ok', data: r.data, readAt: now() };
        },
        (e: unknown) => {
          const last =
            state?.state === 'ok'
              ? { data: state.data, readAt: state.readAt }
              : state?.state === 'unavailable'
                ? state.lastGood
                : undefined;
          state = {
            state: 'unavailable',
            message: e instanceof Error ? e.message : String(e),
            ...(last === undefined ? {} : { lastGood: last }),
          };
        },
      )
      .finally(() => {
        readAt = now();
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    async get(firstWaitMs) {
      if (now() - readAt >= ttlMs) {
        const pending = refresh();
        if (state === undefined) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            pending,
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, firstWaitMs);
              timer.unref();
            }),
          ]);
          clearTimeout(timer);
        }
      }
      return state ?? { state: 'unavailable', message: 'first read still running; reload shortly' };
    },
    peek: () => state,
  };
}
