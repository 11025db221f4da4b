import { readFileSync } from 'node:fs';
import { median, type RssSample } from './rss';

/**
 * Where the service's RSS goes, sampled beside it once a second: the V8 heap V8 has committed (heap total) and
 * what of it is in use, the memory of Buffers and other objects outside the heap (external), all from the
 * service's own /metrics (prom-client default metrics), and the anonymous vs file-backed split of RSS from
 * /proc. What RSS holds beyond heap total + external is mostly malloc arenas (zlib, TLS, the HTTP parser),
 * thread stacks and the binary's mapped pages. None of this is asserted: it explains the RSS check.
 */
export interface MemorySample {
  readonly atMs: number;
  /** KiB; NaN when the source did not answer. */
  readonly rss: number;
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  /** Committed size of V8's old space (long-lived objects), the space that grows with retained data. */
  readonly oldSpaceTotal: number;
}

export type MemoryField = Exclude<keyof MemorySample, 'atMs'>;

export const MEMORY_FIELDS: readonly { field: MemoryField; label: string }[] = [
  { field: 'rss', label: 'RSS' },
  { field: 'rssAnon', label: 'RSS anonymous' },
  { field: 'rssFile', label: 'RSS file-backed' },
  { field: 'heapTotal', label: 'V8 heap committed' },
  { field: 'heapUsed', label: 'V8 heap used' },
  { field: 'oldSpaceTotal', label: 'V8 old space committed' },
  { field: 'external', label: 'external (Buffers etc.)' },
];

/** Value of one sample of the Prometheus text exposition, in KiB (from bytes), or NaN if absent. */
export function metricKiB(text: string, name: string, labels = ''): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const labelPart =
    labels === '' ? '(?:\\{[^}]*\\})?' : `\\{${labels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\}`;
  const m = new RegExp(`^${escaped}${labelPart} ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** VmRSS, RssAnon and RssFile of a process in KiB (NaN once it is gone). */
export function procRss(pid: number): { rss: number; rssAnon: number; rssFile: number } {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // Gone: every field NaN.
  }
  const kib = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return m ? Number(m[1]) : NaN;
  };
  return { rss: kib('VmRSS'), rssAnon: kib('RssAnon'), rssFile: kib('RssFile') };
}

export function memorySampleOf(
  atMs: number,
  proc: { rss: number; rssAnon: number; rssFile: number },
  metricsText: string,
): MemorySample {
  return {
    atMs,
    ...proc,
    heapTotal: metricKiB(metricsText, 'nodejs_heap_size_total_bytes'),
    heapUsed: metricKiB(metricsText, 'nodejs_heap_size_used_bytes'),
    external: metricKiB(metricsText, 'nodejs_external_memory_bytes'),
    oldSpaceTotal: metricKiB(metricsText, 'nodejs_heap_space_size_total_bytes', 'space="old"'),
  };
}

/** One sample: /proc first (the RSS the check uses), then one scrape of /metrics. */
export async function sampleMemory(pid: number, port: number, atMs: number): Promise<MemorySample> {
  const proc = procRss(pid);
  const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  const text = (await res?.text().catch(() => undefined)) ?? '';
  return memorySampleOf(atMs, proc, text);
}

/** The samples of one field as RSS-style samples (for the same baseline/end medians as the RSS check). */
export function series(samples: readonly MemorySample[], field: MemoryField): RssSample[] {
  return samples
    .filter((s) => Number.isFinite(s[field]))
    .map((s) => ({ atMs: s.atMs, kib: s[field] }));
}

/** The RSS check's two windows (see rssGrowth): 10 samples from the warm-up's end, and the last 10. */
export function checkWindows(
  samples: readonly MemorySample[],
  warmUpMs: number,
): { base: readonly MemorySample[]; end: readonly MemorySample[] } {
  return { base: samples.filter((s) => s.atMs >= warmUpMs).slice(0, 10), end: samples.slice(-10) };
}

/**
 * One line per field: median over the base window → median over the end window (change in MiB and %), plus
 * "RSS anonymous beyond heap committed + external" (mostly malloc and stacks).
 */
export function memoryBreakdown(
  base: readonly MemorySample[],
  end: readonly MemorySample[],
): string[] {
  const mib = (k: number) => (k / 1024).toFixed(1);
  const of = (w: readonly MemorySample[], f: (s: MemorySample) => number) =>
    median(w.map(f).filter(Number.isFinite));
  const line = (label: string, f: (s: MemorySample) => number) => {
    const b = of(base, f);
    const e = of(end, f);
    const sign = e - b >= 0 ? '+' : '';
    return `${label}: ${mib(b)} → ${mib(e)} MiB (${sign}${mib(e - b)} MiB, ${sign}${((e / b - 1) * 100).toFixed(1)} %)`;
  };
  return [
    ...MEMORY_FIELDS.map(({ field, label }) => line(label, (s) => s[field])),
    line(
      'RSS anonymous beyond heap committed + external (malloc, stacks)',
      (s) => s.rssAnon - s.heapTotal - s.external,
    ),
  ];
}

/** One field's samples in whole MiB, space-separated (to see when a step happened). */
export function seriesMiB(samples: readonly MemorySample[], field: MemoryField): string {
  return samples
    .map((s) => (Number.isFinite(s[field]) ? (s[field] / 1024).toFixed(0) : '?'))
    .join(' ');
}
