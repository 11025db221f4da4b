import { ConfigError, RenderError } from '../../core/errors';
import { markAbsent, renderTemplate, TEMPLATE_HELPERS } from './template';

const where = { file: 'base/app.yaml', line: 7 };
const scope = {
  cluster: {
    name: 'prod-use1',
    metadata: { labels: { env: 'prod', 'app.kubernetes.io/part-of': 'fleet' }, annotations: {} },
    aws: { region: 'us-east-1', accountId: '123456789012' },
  },
  params: { replicas: '3', debug: 'true', list: ['a', 'b'] },
};
const render = (t: string) => renderTemplate(t, scope, where);

describe('templates over string values', () => {
  test.each<[string, string, unknown]>([
    ['a variable', 'x-{{cluster.name}}', 'x-prod-use1'],
    [
      'a label key with dots and slashes',
      '{{cluster.metadata.labels.[app.kubernetes.io/part-of]}}',
      'fleet',
    ],
    ['no HTML escaping', '{{json cluster.metadata.labels.env}}', '"prod"'],
    [
      'default for a missing key of an existing map',
      '{{default cluster.metadata.labels.tier "web"}}',
      'web',
    ],
    ['lower/upper/trim/replace', '{{upper (replace (trim " a-b ") "-" "_")}}', 'A_B'],
    ['trimPrefix/trimSuffix', '{{trimPrefix (trimSuffix cluster.name "-use1") "prod-"}}', 'prod'],
    ['b64enc/b64dec', '{{b64dec (b64enc cluster.aws.region)}}', 'us-east-1'],
    ['if/eq/else', '{{#if (eq cluster.metadata.labels.env "prod")}}big{{else}}small{{/if}}', 'big'],
    ['each over a list', '{{#each params.list}}[{{this}}]{{/each}}', '[a][b]'],
    ['and/or/not', '{{#if (and (not false) (or false true))}}y{{/if}}', 'y'],
    ['a whole-value int is a number', '{{int params.replicas}}', 3],
    ['a whole-value bool is a boolean', '{{bool params.debug}}', true],
    ['a whole-value number is a number', '{{number "1.5"}}', 1.5],
    ['int inside text stays text', 'n={{int params.replicas}}', 'n=3'],
    ['an account id stays a string', '{{cluster.aws.accountId}}', '123456789012'],
    ['escaped mustaches pass through', '\\{{ $labels.instance }}', '{{ $labels.instance }}'],
  ])('%s', (_name, template, expected) => {
    expect(render(template)).toEqual(expected);
  });

  test.each<[string, string, RegExp]>([
    [
      'unknown variable names file:line and path',
      '{{cluster.aws.nope}}',
      /^base\/app\.yaml:7: unknown variable cluster\.aws\.nope/,
    ],
    [
      'a missing parent names the path',
      '{{cluster.nope.deeper}}',
      /^base\/app\.yaml:7: unknown variable cluster\.nope\.deeper/,
    ],
    [
      'a missing parent in a helper argument',
      '{{default cluster.nope.x "d"}}',
      /unknown variable cluster\.nope\.x \(cluster\.nope is not defined\)/,
    ],
    [
      'unknown helpers do not compile',
      '{{shell "rm -rf /"}}',
      /unknown helper shell \(helpers: default/,
    ],
    ['lookup is disabled', '{{lookup cluster "name"}}', /unknown helper lookup/],
    ['log is disabled', '{{log cluster}}', /unknown helper log/],
    [
      'int refuses a non-integer',
      '{{int cluster.name}}',
      /int expects an integer, got "prod-use1"/,
    ],
    ['bool refuses a non-boolean', '{{bool cluster.name}}', /bool expects true or false/],
    ['broken syntax', '{{#if x}}', /invalid template/],
  ])('%s', (_name, template, message) => {
    expect(() => render(template)).toThrow(RenderError);
    expect(() => render(template)).toThrow(message);
  });

  test.each<[string, RegExp]>([
    [
      '{{default cluster.name.lenght "x"}}',
      /^base\/app\.yaml:7: unknown variable cluster\.name\.lenght \(cluster\.name is a string: it has no members\)/,
    ],
    [
      '{{#if cluster.metadata.labels.env.tier}}a{{else}}b{{/if}}',
      /unknown variable cluster\.metadata\.labels\.env\.tier \(cluster\.metadata\.labels\.env is a string/,
    ],
    ['{{eq cluster.aws.region.code "x"}}', /unknown variable cluster\.aws\.region\.code/],
    ['{{json params.list.first}}', /unknown variable params\.list\.first \(params\.list is a list/],
    ['{{#each params.list}}{{default this.size "0"}}{{/each}}', /unknown variable this\.size/],
    ['{{#with cluster.aws}}{{default region.x "d"}}{{/with}}', /unknown variable region\.x/],
  ])(
    'a member of a string or list is a typo, also where a missing last segment is tolerated: %s',
    (template, message) => {
      expect(() => render(template)).toThrow(RenderError);
      expect(() => render(template)).toThrow(message);
    },
  );

  test.each<[string, unknown]>([
    ['{{params.list.length}}', '2'],
    ['{{params.list.[1]}}', 'b'],
    ['{{default params.list.[5] "none"}}', 'none'],
    ['{{#if params.list.length}}some{{/if}}', 'some'],
    ['{{default cluster.metadata.labels.tier "web"}}', 'web'],
  ])('lists keep their indices and length; maps their missing keys: %s', (template, expected) => {
    expect(render(template)).toEqual(expected);
  });

  test('no prototype access: refused by name (Handlebars alone would render "" silently)', () => {
    for (const t of ['{{cluster.constructor}}', '{{cluster.__proto__}}', '{{toString}}']) {
      expect(() => render(t)).toThrow(RenderError);
      expect(() => render(t)).toThrow(/is not allowed in/);
    }
  });

  test('the helper list is the documented one', () => {
    expect([...TEMPLATE_HELPERS].sort()).toEqual(
      [
        'and',
        'b64dec',
        'b64enc',
        'bool',
        'default',
        'eq',
        'int',
        'json',
        'lower',
        'ne',
        'not',
        'number',
        'or',
        'replace',
        'trim',
        'trimPrefix',
        'trimSuffix',
        'upper',
      ].sort(),
    );
  });
});

describe('hostile templates (regressions; the CLI cases are in test/hostile)', () => {
  test.each<[string, RegExp]>([
    ['{{> part}}', /partials .* are not allowed/],
    ['{{#*inline "p"}}x{{/inline}}', /inline partials/],
    ['{{*dec}}', /decorators/],
    ['{{helperMissing}}', /"helperMissing" is not allowed/],
    ['{{cluster.name.length}}', /unknown variable cluster\.name\.length \(its parent is a string/],
    ['{{cluster.metadata}}', /a map cannot be rendered as text/],
    [
      '{{replace (replace cluster.name "" "' +
        'x'.repeat(2000) +
        '") "" "' +
        'y'.repeat(2000) +
        '"}}',
      /replace would produce/,
    ],
    ['{{#each params.list}}{{#each @root.params.list}}{{/each}}{{/each}}', /^(?!)/], // 4 iterations: fine
  ])('%s', (template, message) => {
    if (message.source === '^(?!)') {
      expect(render(template)).toBe('');
      return;
    }
    expect(() => render(template)).toThrow(RenderError);
    expect(() => render(template)).toThrow(message);
  });

  test('each stops after the iteration limit', () => {
    const list = Array.from({ length: 100 }, (_, i) => String(i));
    const t = '{{#each l}}{{#each @root.l}}{{#each @root.l}}.{{/each}}{{/each}}{{/each}}';
    expect(() => renderTemplate(t, { l: list }, where)).toThrow(
      /each ran more than 100000 iterations/,
    );
  });

  test('an error quotes at most 200 characters of a long template', () => {
    const t = `{{nope}}${'a'.repeat(5000)}`;
    expect(() => render(t)).toThrow(/"\.\.\. \(5008 characters\)$/);
  });
});

describe('a root the scope deliberately lacks (no cluster context)', () => {
  const scope = { params: { list: ['a'] } };
  markAbsent(scope, 'cluster', 'the cluster context is missing: (why and how)');

  test.each([
    '{{cluster.name}}',
    '{{default cluster.metadata.labels.env "dev"}}',
    '{{#if cluster}}x{{/if}}',
    '{{#each params.list}}{{@root.cluster.name}}{{/each}}',
  ])('%s fails before running with the reason, naming file:line and the path', (template) => {
    expect(() => renderTemplate(template, scope, where)).toThrow(ConfigError);
    expect(() => renderTemplate(template, scope, where)).toThrow(
      /base\/app\.yaml:7: the template uses (@root\.)?cluster.*, but the cluster context is missing: \(why and how\)/,
    );
  });

  test('templates that do not use it render', () => {
    expect(renderTemplate('{{#each params.list}}{{this}}{{/each}}', scope, where)).toBe('a');
  });
});
