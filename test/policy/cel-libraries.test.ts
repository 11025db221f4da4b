import { compileExpression } from '../../cmp-sidecar/policy/cel/compile';
import { withMeter } from '../../cmp-sidecar/policy/cel/meter';

/**
 * The Kubernetes CEL libraries eks-overlay adds to the CEL library (policy-cel.md §A.11), each function checked
 * against what Kubernetes' library returns for the same input.
 */
function evaluate(expression: string): unknown {
  const compiled = compileExpression(expression, { params: false, variables: false });
  if (!compiled.ok) throw new Error(compiled.message);
  const meter = {
    cost: 0,
    limit: 1_000_000,
    message: 'cost',
    deadline: performance.now() + 10_000,
  };
  return withMeter(meter, () =>
    compiled.program.run({
      object: null,
      oldObject: null,
      request: {},
      namespaceObject: null,
      authorizer: null,
    }),
  );
}

const TRUE: readonly string[] = [
  // Regex (RE2)
  "'ABC'.matches('(?i)^abc$')",
  "'héllo'.matches('^\\\\pL+$')",
  "'abc 123 def 456'.find('[0-9]+') == '123'",
  "'abc 123 def 456'.findAll('[0-9]+') == ['123', '456']",
  "'abc 123 def 456'.findAll('[0-9]+', 1) == ['123']",
  "'abc'.find('x') == ''",
  // Lists
  '[1, 2, 3].isSorted() && ![2, 1].isSorted()',
  '[1, 2, 3].sum() == 6 && [].sum() == 0',
  '[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3',
  '[1, 2, 3, 2].indexOf(2) == 1 && [1, 2, 3, 2].lastIndexOf(2) == 3 && [1].indexOf(9) == -1',
  // Sets
  'sets.contains([1, 2, 3], [2, 3]) && !sets.contains([1], [2])',
  'sets.equivalent([1, 2], [2, 1, 1]) && sets.intersects([1, 2], [2, 5])',
  // Strings
  "'hello'.charAt(1) == 'e' && 'hello'.charAt(5) == ''",
  "'a-b-c'.replace('-', '+') == 'a+b+c' && 'a-b-c'.replace('-', '+', 1) == 'a+b-c'",
  "'%s has %d replicas (%.1f%%)'.format(['web', 3, 12.5]) == 'web has 3 replicas (12.5%)'",
  "'%s'.format([[1, 'a']]) == '[1, a]' && '%x %X %o %b'.format([255, 255, 8, 5]) == 'ff FF 10 101'",
  "'%e'.format([1234.5]) == '1.234500e+03' && '%x'.format(['hi']) == '6869'",
  String.raw`strings.quote('a\tb') == '"a\\tb"' && strings.quote('say "hi"') == '"say \\"hi\\""'`,
  // Two-variable comprehensions
  '[10, 20].all(i, v, v > i) && !{"a": 1}.all(k, v, v > 1) && {"a": 1}.exists(k, v, k == "a" && v == 1)',
  '[1, 2, 3].existsOne(i, v, v == 2) && ![1, 2, 2].exists_one(i, v, v == 2)',
  '[1, 2].transformList(i, v, v * 2) == [2, 4] && [1, 2, 3].transformList(i, v, i > 0, v * 10) == [20, 30]',
  '{"a": 1, "b": 2}.transformMap(k, v, v + 1) == {"a": 2, "b": 3}',
  '{"a": 1, "b": 2}.transformMap(k, v, k != "a", v) == {"b": 2}',
  '{"a": 1}.transformMapEntry(k, v, {k + "x": v}) == {"ax": 1}',
  '[0, 1].all(i, v, 1 / v > 0 || v == 0) == false || true',
  '![1, 0].all(i, v, 10 / v > 100)',
  // Quantity
  "quantity('1Gi').isGreaterThan(quantity('1000Mi')) && quantity('500m').isLessThan(quantity('1'))",
  "quantity('1.5').compareTo(quantity('1500m')) == 0 && quantity('2k').asInteger() == 2000",
  "isQuantity('10Mi') && !isQuantity('10 Mi') && quantity('1').add(2).asInteger() == 3",
  "!quantity('500m').isInteger() && quantity('-1').sign() == -1",
  // IP, CIDR
  "isIP('10.0.0.1') && !isIP('10.00.0.1') && !isIP('::ffff:10.0.0.1') && !isIP('fe80::1%eth0')",
  "ip('10.0.0.1').family() == 4 && ip('2001:db8::1').family() == 6",
  "ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1') && !ip.isCanonical('2001:db8:0:0:0:0:0:1')",
  "ip('127.0.0.1').isLoopback() && ip('::1').isLoopback() && ip('0.0.0.0').isUnspecified()",
  "ip('169.254.1.1').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast() && ip('8.8.8.8').isGlobalUnicast()",
  "ip('2001:db8:0:0:0:0:0:1').string() == '2001:db8::1'",
  "cidr('192.168.0.0/16').containsIP(ip('192.168.1.5')) && cidr('192.168.0.0/16').containsIP('192.168.1.5')",
  "!cidr('192.168.0.0/16').containsIP('10.0.0.1') && cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')",
  "cidr('192.168.0.1/16').masked().string() == '192.168.0.0/16' && cidr('192.168.0.1/16').prefixLength() == 16",
  "cidr('192.168.0.1/16').ip().string() == '192.168.0.1' && isCIDR('::1/128') && !isCIDR('10.0.0.0/33')",
  // URL
  "url('https://user@example.com:8443/a%20b?x=1&x=2&y=a+b').getHost() == 'example.com:8443'",
  "url('https://example.com:8443/').getHostname() == 'example.com' && url('https://example.com:8443/').getPort() == '8443'",
  "url('https://[::1]:80/').getHostname() == '::1' && url('https://[::1]/').getPort() == ''",
  "url('https://example.com/a%20b').getEscapedPath() == '/a%20b' && url('https://example.com').getScheme() == 'https'",
  "url('https://example.com/?x=1&x=2&y=a+b').getQuery() == {'x': ['1', '2'], 'y': ['a b']}",
  "url('/absolute/path').getEscapedPath() == '/absolute/path' && isURL('/p') && !isURL('relative/path')",
  // Format
  "!format.dns1123Label().validate('my-name').hasValue() && format.dns1123Label().validate('My_Name').hasValue()",
  "format.named('dns1123Subdomain').value().validate('a.b-c.d').hasValue() == false && !format.named('nope').hasValue()",
  "format.dns1035Label().validate('1abc').hasValue() && !format.qualifiedName().validate('example.com/my.name').hasValue()",
  "!format.dns1123LabelPrefix().validate('web-').hasValue() && format.dns1123Label().validate('web-').hasValue()",
  "!format.labelValue().validate('').hasValue() && format.labelValue().validate('-x').hasValue()",
  "!format.date().validate('2026-02-28').hasValue() && format.date().validate('2026-02-30').hasValue()",
  "!format.datetime().validate('2026-12-07T20:00:00Z').hasValue() && !format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()",
  "!format.byte().validate('aGVsbG8=').hasValue() && format.byte().validate('not base64!').hasValue()",
  "format.dns1123Label().validate('').hasValue() && size(format.dns1123Label().validate('A').value()) == 1",
];

describe('Kubernetes CEL libraries', () => {
  it.each(TRUE.map((e) => [e]))('%s', (expression) => {
    expect(evaluate(expression)).toBe(true);
  });

  it.each([
    ['[].min()', 'min called on empty list'],
    ["ip('10.00.0.1')", 'parse error'],
    ["quantity('1.5').asInteger()", 'losing precision'],
    ["'x'.matches('(')", 'error parsing regexp'],
  ])('%s is an evaluation error (%s)', (expression, message) => {
    expect(() => evaluate(expression)).toThrow(message);
  });
});
