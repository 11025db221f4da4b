import { createResponseCache } from './response-cache';

describe('createResponseCache', () => {
  test('hits only for the same snapshot version and parameters', () => {
    const c = createResponseCache(10);
    c.set(1, '{}', 'body-1');
    expect(c.get(1, '{}')).toBe('body-1');
    expect(c.get(2, '{}')).toBeUndefined();
    expect(c.get(1, '{"x":1}')).toBeUndefined();
  });

  test('a newer version drops every older body', () => {
    const c = createResponseCache(10);
    c.set(1, 'a', 'x');
    c.set(1, 'b', 'y');
    c.set(2, 'a', 'z');
    expect(c.size).toBe(1);
    expect(c.get(1, 'b')).toBeUndefined();
    c.set(1, 'c', 'late body of an old snapshot');
    expect(c.get(1, 'c')).toBeUndefined();
  });

  test('bounded: the least recently used entry goes first', () => {
    const c = createResponseCache(2);
    c.set(1, 'a', 'A');
    c.set(1, 'b', 'B');
    expect(c.get(1, 'a')).toBe('A');
    c.set(1, 'c', 'C');
    expect(c.get(1, 'b')).toBeUndefined();
    expect(c.get(1, 'a')).toBe('A');
    expect(c.get(1, 'c')).toBe('C');
  });

  test('0 entries disables caching', () => {
    const c = createResponseCache(0);
    c.set(1, 'a', 'A');
    expect(c.get(1, 'a')).toBeUndefined();
  });
});
