import { acceptsGzip } from './accept-encoding';

describe('acceptsGzip', () => {
  test.each<[string | undefined, boolean]>([
    // Go's net/http transport (Argo CD) sends exactly this.
    ['gzip', true],
    [undefined, false],
    ['', false],
    ['identity', false],
    ['GZIP', true],
    ['x-gzip', true],
    ['gzip, deflate, br', true],
    ['br, deflate', false],
    ['gzip;q=0', false],
    ['gzip; q=0.000', false],
    ['gzip;Q=0', false],
    ['gzip;q=0.001', true],
    ['gzip;q=1.0', true],
    ['*', true],
    ['*;q=0', false],
    ['*;q=0.5, gzip;q=0', false],
    ['gzip;q=0, *', false],
    ['*;q=0.5, x-gzip;q=0', false],
    ['x-gzip;q=0, gzip', true],
    ['deflate, *;q=0.1', true],
    // Identity preferred over gzip: honour the preference.
    ['gzip;q=0.5, identity', false],
    ['gzip;q=0.5, identity;q=0.5', true],
    ['identity;q=0.5, gzip;q=0.5', true],
    ['gzip, identity;q=0', true],
    ['identity;q=0', false],
    // Malformed weights count as 0 rather than a guess.
    ['gzip;q=2', false],
    ['gzip;q=abc', false],
    ['gzip;q', false],
    ['gzip;q=', false],
    ['gzip;q=.5', false],
    ['gzip;q=0.0001', false],
    ['gzip;q=1.001', false],
    ['gzip;q="0.5"', false],
    ['gzip;q=-1', false],
    ['gzip ; q = 0.5', true],
    ['gzip;quality=0', true],
    ['gzip;level=9', true],
    [' , gzip ,', true],
  ])('Accept-Encoding %p → gzip %p', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  test('a header given as several lines is read as one list', () => {
    expect(acceptsGzip(['identity;q=0.1', 'gzip'])).toBe(true);
  });

  test.each([
    'gzip;q=0, gzip;q=0.3',
    'gzip;q=0.3, gzip;q=0',
    'gzip;q=0.3, identity;q=0.2, gzip;q=0',
  ])('a coding listed twice keeps its highest weight: %p', (header) => {
    expect(acceptsGzip(header)).toBe(true);
  });
});
