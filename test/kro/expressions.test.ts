import { analyzeCel } from '../../cmp-sidecar/kro/expressions/cel-analysis';
import { scanExpressions } from '../../cmp-sidecar/kro/expressions/delimiters';

/** `${...}` delimiters as kro splits them (§1.7) and the identifiers a real CEL parse finds. */
describe('delimiters', () => {
  test.each<[string, string, string[]]>([
    ['plain text', 'literal', []],
    ['${schema.spec.name}', 'standalone', ['schema.spec.name']],
    ['${a}-${b}', 'template', ['a', 'b']],
    ['prefix-${schema.spec.name}', 'template', ['schema.spec.name']],
    ['${{"a": 1}.a}', 'standalone', ['{"a": 1}.a']],
    ['${"}" + x}', 'standalone', ['"}" + x']],
    ['${"${VAR}"}', 'standalone', ['"${VAR}"']],
    ['unclosed ${x', 'literal', []],
  ])('%s → %s', (value, kind, texts) => {
    const r = scanExpressions(value);
    expect(r.kind).toBe(kind);
    const got =
      r.kind === 'standalone'
        ? [r.expression.text]
        : r.kind === 'template'
          ? r.expressions.map((e) => e.text)
          : [];
    expect(got).toEqual(texts);
  });

  test('a nested ${ outside a string literal is rejected', () => {
    expect(scanExpressions('${a.${b}}')).toEqual({
      kind: 'invalid',
      message: 'nested expressions are not allowed unless inside string literals: ${a.${b}}',
    });
  });
});

describe('CEL identifiers and functions', () => {
  test.each<[string, string[], string[]]>([
    ['schema.spec.name + "-" + cluster.status.arn', ['schema', 'cluster'], []],
    ['items.map(i, i.name + x)', ['items', 'x'], []],
    ['a.all(k, v, v > limit)', ['a', 'limit'], []],
    ['cel.bind(n, schema.spec.n, n + 1)', ['schema'], ['cel.bind']],
    ['lists.range(size(schema.spec.zones))', ['schema'], ['lists.range', 'size']],
    ['has(vpc.status.id) ? vpc.?status.id.orValue("") : ""', ['vpc'], ['has']],
    ['{"k": v}[key]', ['v', 'key'], []],
    ['spc.version', ['spc'], []],
  ])('%s', (expr, identifiers, functions) => {
    const r = analyzeCel(expr);
    expect(r.ok && r.analysis.identifiers).toEqual(identifiers);
    expect(r.ok && r.analysis.functions).toEqual(functions);
  });

  test('a syntax error is reported by the parser', () => {
    const r = analyzeCel('schema.spec.name +');
    expect(r.ok).toBe(false);
  });
});
