import { sanitizeName } from './names';

describe('sanitizeName (Argo CD SanitizeName)', () => {
  test.each([
    ['production_01/west', 'production-01-west'],
    ['Prod-EU', 'prod-eu'],
    ['--a.b--', 'a.b'],
    ['.x.', 'x'],
    ['a'.repeat(300), 'a'.repeat(253)],
    ['café', 'caf'],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeName(input)).toBe(expected);
  });
});
