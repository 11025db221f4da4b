import { parseJsonPath, selectPath, toGjsonPath } from './jsonpath';

describe('the jsonPath modifier subset', () => {
  it.each([
    ['{.a.b}', [{ kind: 'path', steps: ['a', 'b'] }]],
    ["{.a['x.y'][0]}", [{ kind: 'path', steps: ['a', 'x.y', 0] }]],
    [
      "{.u}{':'}{.p}",
      [
        { kind: 'path', steps: ['u'] },
        { kind: 'text', text: ':' },
        { kind: 'path', steps: ['p'] },
      ],
    ],
    [
      'user={.u}',
      [
        { kind: 'text', text: 'user=' },
        { kind: 'path', steps: ['u'] },
      ],
    ],
    ['{$.a}', [{ kind: 'path', steps: ['a'] }]],
  ])('%s', (template, parts) => {
    expect(parseJsonPath(template)).toEqual(parts);
  });

  it.each(['{.a[*]}', '{..a}', '{.a[?(@.b)]}', '{range .a}', "{'only text'}", '{.a'])(
    'refuses %s',
    (t) => {
      expect(() => parseJsonPath(t)).toThrow();
    },
  );

  it('selects and prints like kubectl, and spells the path for gjson', () => {
    const v = { a: { 'x.y': [{ n: 5 }] } };
    expect(selectPath(v, ['a', 'x.y', 0, 'n'])).toBe(5);
    expect(selectPath(v, ['a', 'nope'])).toBeUndefined();
    expect(selectPath(v, ['a', 'x.y', 3])).toBeUndefined();
    expect(toGjsonPath(['a', 'x.y', 0, 'n'])).toBe('a.x\\.y.0.n');
  });
});
