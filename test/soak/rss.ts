/** One VmRSS reading of the service, `atMs` after the load started. */
export interface RssSample {
  readonly atMs: number;
  readonly kib: number;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/**
 * RSS growth over the run: median of the last 10 samples over the median of the 10 samples after the warm-up,
 * minus one. Medians ignore a single sample taken in the middle of a GC cycle; the warm-up leaves out the
 * heap's first growth to its working size (JIT, caches, the first snapshots), which is not a leak.
 */
export function rssGrowth(
  samples: readonly RssSample[],
  warmUpMs: number,
): { base: number; end: number; growth: number } {
  const base = median(
    samples
      .filter((s) => s.atMs >= warmUpMs)
      .slice(0, 10)
      .map((s) => s.kib),
  );
  const end = median(samples.slice(-10).map((s) => s.kib));
  return { base, end, growth: end / base - 1 };
}
