import { matchesSelector, parseSelector, selectorFromObject } from './selector';

const labels = { env: 'prod', tier: 'web', region: 'eu-west-1' };

describe('parseSelector (kubectl -l syntax)', () => {
  test.each([
    ['', true],
    ['env=prod', true],
    ['env==prod', true],
    ['env!=prod', false],
    ['env in (dev,prod)', true],
    ['env notin (dev, prod)', false],
    ['tier', true],
    ['!tier', false],
    ['!legacy', true],
    ['missing!=x', true],
    ['env=prod,tier=api', false],
  ])('%p matches: %p', (text, expected) => {
    expect(matchesSelector(parseSelector(text), labels)).toBe(expected);
  });

  test('errors name the position', () => {
    expect(() => parseSelector('env in (a,b')).toThrow(/position/);
    expect(() => parseSelector('env=prod,,x')).toThrow(/expected a label key/);
  });
});

describe('selectorFromObject (metav1.LabelSelector)', () => {
  test('matchLabels and matchExpressions are ANDed', () => {
    const r = selectorFromObject(
      {
        matchLabels: { env: 'prod' },
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }],
      },
      'selector',
    );
    if (!('selector' in r)) throw new Error(r.issues.join());
    expect(matchesSelector(r.selector, labels)).toBe(true);
    expect(matchesSelector(r.selector, { env: 'dev' })).toBe(false);
  });

  test('reports every problem at once', () => {
    const r = selectorFromObject(
      { matchLabels: { env: 1 }, matchExpressions: [{ key: 'x', operator: 'Like' }], other: true },
      'selector',
    );
    expect('issues' in r && r.issues).toEqual([
      'selector: unknown key "other" (expected matchLabels, matchExpressions)',
      'selector.matchLabels.env: must be a string',
      'selector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist',
    ]);
  });
});
