import { compileNameGlob } from './name-glob';

test.each<[string, string, boolean]>([
  ['prod-*', 'prod-euw1', true],
  ['prod-*', 'prod-', true],
  ['prod-*', 'staging-prod-1', false],
  ['*-blue', 'prod-euw1-blue', true],
  ['dev-use?', 'dev-use1', true],
  ['dev-use?', 'dev-use12', false],
  ['a.b', 'a.b', true],
  ['a.b', 'axb', false],
  ['(x)+[y]', '(x)+[y]', true],
  ['*', '', true],
])('%s matches %s: %s', (pattern, name, expected) => {
  expect(compileNameGlob(pattern).test(name)).toBe(expected);
});
