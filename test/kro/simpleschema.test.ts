import { parseFieldSpec } from '../../cmp-sidecar/kro/simpleschema/field-spec';
import { compileSimpleSchema } from '../../cmp-sidecar/kro/simpleschema/compile';
import { checkInstanceSpec } from '../../cmp-sidecar/kro/simpleschema/instance-check';
import { coerceScalars } from '../../cmp-sidecar/kro/instances';

/** SimpleSchema (kro-eso-ack.md §1.6): field strings, the OpenAPI kro generates, and instance checks with defaults. */
describe('field strings', () => {
  test.each<[string, string, [string, string][]]>([
    ['string', 'string', []],
    ['string | required=true', 'string', [['required', 'true']]],
    [
      'string | default="a b" description="say \\"hi\\""',
      'string',
      [
        ['default', 'a b'],
        ['description', 'say "hi"'],
      ],
    ],
    ['[]string | default=["a","b"]', '[]string', [['default', '["a","b"]']]],
    ['object | default={"a": 1, "b": [1, 2]}', 'object', [['default', '{"a": 1, "b": [1, 2]}']]],
    [
      'string | default=IRSA role for ACK required=true',
      'string',
      [
        ['default', 'IRSA role for ACK'],
        ['required', 'true'],
      ],
    ],
  ])('%s', (text, typeText, markers) => {
    expect(parseFieldSpec(text)).toEqual({
      ok: true,
      spec: { typeText, markers: markers.map(([key, value]) => ({ key, value })) },
    });
  });
  test.each([
    ['string | required', /has no value/],
    ['string | default="open', /unclosed quote/],
    ['string | default={"a": 1', /unclosed "\{"/],
  ])('%s is rejected', (text, message) => {
    const r = parseFieldSpec(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('compiled OpenAPI', () => {
  test('types, markers, custom types, required and default {} for objects whose children default', () => {
    const compiled = compileSimpleSchema(
      {
        name: 'string | required=true pattern="^[a-z]+$"',
        size: 'Size',
        ratio: 'float | minimum=0 maximum=1',
        tags: 'map[string]string',
        zones: '[]string | uniqueItems=true minItems=1',
        nodes: { count: 'integer | default=3 enum="1,3,5"', spot: 'boolean | default=false' },
      },
      { Size: 'string | default="m" enum="s,m,l"' },
      'spec.schema.spec',
      'spec.schema.types',
    );
    expect(compiled.issues).toEqual([]);
    expect(compiled.schema).toEqual({
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^[a-z]+$' },
        size: { type: 'string', default: 'm', enum: ['s', 'm', 'l'] },
        ratio: { type: 'number', minimum: 0, maximum: 1 },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        zones: {
          type: 'array',
          items: { type: 'string' },
          'x-kubernetes-list-type': 'set',
          minItems: 1,
        },
        nodes: {
          type: 'object',
          default: {},
          properties: {
            count: { type: 'integer', default: 3, enum: [1, 3, 5] },
            spot: { type: 'boolean', default: false },
          },
        },
      },
    });
  });
});

describe('instance specs', () => {
  const schema = compileSimpleSchema(
    {
      name: 'string | required=true',
      env: 'string | enum="dev,prod" default="dev"',
      replicas: 'integer | default=2 minimum=1 maximum=10',
      nodes: { size: 'integer | default=3' },
    },
    undefined,
    's',
    't',
  ).schema;

  test('defaults are applied, including nested ones under an absent object', () => {
    expect(checkInstanceSpec(schema, { name: 'a' })).toEqual({
      spec: { name: 'a', env: 'dev', replicas: 2, nodes: { size: 3 } },
      violations: [],
    });
  });

  test.each<[string, unknown, { path: string; message: string }]>([
    ['required', {}, { path: 'spec.name', message: 'missing required field spec.name' }],
    [
      'enum',
      { name: 'a', env: 'qa' },
      { path: 'spec.env', message: 'spec.env must be one of ["dev", "prod"], got "qa"' },
    ],
    [
      'type',
      { name: 'a', replicas: 'many' },
      {
        path: 'spec.replicas',
        message: 'expected integer type for path spec.replicas, got string',
      },
    ],
    [
      'maximum',
      { name: 'a', replicas: 11 },
      { path: 'spec.replicas', message: 'spec.replicas must be <= 10' },
    ],
    [
      'unknown field',
      { name: 'a', replica: 1 },
      { path: 'spec.replica', message: 'schema not found for field spec.replica (unknown field)' },
    ],
  ])('%s', (_n, spec, violation) => {
    expect(checkInstanceSpec(schema, spec).violations).toContainEqual(violation);
  });

  test('template output (strings) is coerced to the schema scalar types before the check', () => {
    expect(coerceScalars({ name: 'a', replicas: '4', nodes: { size: '5' } }, schema)).toEqual({
      name: 'a',
      replicas: 4,
      nodes: { size: 5 },
    });
    expect(coerceScalars({ replicas: 'four' }, schema)).toEqual({ replicas: 'four' });
  });
});
