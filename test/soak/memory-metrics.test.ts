import {
  checkWindows,
  memoryBreakdown,
  memorySampleOf,
  metricKiB,
  type MemorySample,
} from './memory-metrics';

const exposition = [
  '# HELP nodejs_heap_size_total_bytes Process heap size from Node.js in bytes.',
  '# TYPE nodejs_heap_size_total_bytes gauge',
  'nodejs_heap_size_total_bytes 104857600',
  'nodejs_heap_size_used_bytes 52428800',
  'nodejs_external_memory_bytes 2.097152e+6',
  'nodejs_heap_space_size_total_bytes{space="new"} 16777216',
  'nodejs_heap_space_size_total_bytes{space="old"} 67108864',
].join('\n');

describe('soak memory metrics', () => {
  it.each([
    ['nodejs_heap_size_total_bytes', '', 102_400],
    ['nodejs_heap_size_used_bytes', '', 51_200],
    ['nodejs_external_memory_bytes', '', 2048],
    ['nodejs_heap_space_size_total_bytes', 'space="old"', 65_536],
    ['nodejs_heap_space_size_total_bytes', 'space="new"', 16_384],
    ['process_resident_memory_bytes', '', NaN],
  ])('reads %s{%s} in KiB from the Prometheus text', (name, labels, kib) => {
    expect(metricKiB(exposition, name, labels)).toBe(kib);
  });

  it('keeps a sample whose /metrics scrape failed, with NaN for the metrics', () => {
    const s = memorySampleOf(1000, { rss: 1, rssAnon: 2, rssFile: 3 }, '');
    expect(s).toMatchObject({ atMs: 1000, rss: 1, heapTotal: NaN, external: NaN });
  });

  it('reports each part with the RSS check’s baseline and end medians', () => {
    const samples: MemorySample[] = Array.from({ length: 40 }, (_, i) => ({
      atMs: i * 1000,
      rss: 100 * 1024 + (i >= 30 ? 10 * 1024 : 0),
      rssAnon: 80 * 1024 + (i >= 30 ? 10 * 1024 : 0),
      rssFile: 20 * 1024,
      heapTotal: 50 * 1024 + (i >= 30 ? 8 * 1024 : 0),
      heapUsed: 30 * 1024,
      external: 2 * 1024,
      oldSpaceTotal: 40 * 1024,
    }));
    const { base, end } = checkWindows(samples, 10_000);
    expect(base.map((s) => s.atMs)).toEqual(Array.from({ length: 10 }, (_, i) => (10 + i) * 1000));
    const lines = memoryBreakdown(base, end);
    expect(lines[0]).toBe('RSS: 100.0 → 110.0 MiB (+10.0 MiB, +10.0 %)');
    expect(lines.find((l) => l.startsWith('V8 heap committed'))).toBe(
      'V8 heap committed: 50.0 → 58.0 MiB (+8.0 MiB, +16.0 %)',
    );
    expect(lines[lines.length - 1]).toMatch(
      /beyond heap committed \+ external.*: 28\.0 → 30\.0 MiB/,
    );
  });
});
