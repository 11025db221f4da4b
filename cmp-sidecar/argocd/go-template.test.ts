import {
  GoTemplateError,
  UnsupportedTemplateError,
  parseGoTemplateOptions,
  renderGoTemplate,
} from './go-template';
import { RawJson } from './go-values';

const data = {
  name: 'prod_eu/west',
  nameNormalized: 'prod-eu-west',
  server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  project: '',
  port: 8080,
  big: 1234567,
  flag: true,
  nothing: null,
  list: ['a', 'b', 'c'],
  metadata: {
    labels: { env: 'prod', 'argocd.argoproj.io/secret-type': 'cluster' },
    annotations: { aws_account_id: '012345678901' },
  },
  aws: { region: 'eu-west-1', accountId: '012345678901' },
  generator: { input: { parameters: { env: new RawJson('"dev"') } } },
};

const render = (t: string, opts?: string[]) =>
  renderGoTemplate(t, data, parseGoTemplateOptions(opts ?? []));

describe('renderGoTemplate: output as Go text/template + sprig prints it', () => {
  test.each([
    ['{{ .name }}', 'prod_eu/west'],
    ['{{.aws.region}}-{{ .aws.accountId }}', 'eu-west-1-012345678901'],
    ['{{ index .metadata.labels "env" }}', 'prod'],
    ['{{ index .metadata.labels "argocd.argoproj.io/secret-type" }}', 'cluster'],
    ['{{ index .metadata.labels "missing" }}', '<no value>'],
    ['{{ .missing }}', '<no value>'],
    ['{{ .aws.missing }}', '<no value>'],
    ['{{ .missing.deeper }}', '<no value>'],
    ['{{ .nothing }}', '<no value>'],
    ['{{ .port }}', '8080'],
    ['{{ .big }}', '1.234567e+06'],
    ['{{ .flag }}', 'true'],
    ['{{ .list }}', '[a b c]'],
    ['{{ .metadata.annotations }}', 'map[aws_account_id:012345678901]'],
    ['{{ .generator.input.parameters.env }}', '{[34 100 101 118 34]}'],
    ['{{ .name | lower }}', 'prod_eu/west'],
    ['{{ upper .aws.region }}', 'EU-WEST-1'],
    ['{{ .name | replace "/" "-" | replace "_" "-" }}', 'prod-eu-west'],
    ['{{ .name | normalize }}', 'prod-eu-west'],
    ['{{ trunc 4 .nameNormalized }}', 'prod'],
    ['{{ trunc -4 .nameNormalized }}', 'west'],
    ['{{ trunc 100 .nameNormalized }}', 'prod-eu-west'],
    ['{{ .aws.region | quote }}', '"eu-west-1"'],
    ['{{ squote .aws.region }}', "'eu-west-1'"],
    ['{{ .project | default "default" }}', 'default'],
    ['{{ .missing | default "d" }}', 'd'],
    ['{{ default "d" .aws.region }}', 'eu-west-1'],
    ['{{ .metadata.annotations | toJson }}', '{"aws_account_id":"012345678901"}'],
    ['{{ toJson .list }}', '["a","b","c"]'],
    ['{{ dict "a" "<b>" | toJson }}', '{"a":"\\u003cb\\u003e"}'],
    ['{{ printf "%s-%s" .nameNormalized .aws.region }}', 'prod-eu-west-eu-west-1'],
    ['{{ printf "%v/%d" .port 3 }}', '8080/3'],
    ['{{ printf "%d" .port }}', '%!d(float64=8080)'],
    ['{{ printf "%s" }}', '%!s(MISSING)'],
    ['{{ printf "%q" .name }}', '"prod_eu/west"'],
    ['{{ if eq .aws.region "eu-west-1" }}eu{{ else }}other{{ end }}', 'eu'],
    ['{{ if ne .aws.region "eu-west-1" }}x{{ else if eq .name "y" }}y{{ else }}z{{ end }}', 'z'],
    ['{{ if eq .metadata.labels.env "dev" "prod" }}hit{{ end }}', 'hit'],
    ['{{ if and .flag (not .project) }}yes{{ end }}', 'yes'],
    ['{{ if or .project .missing }}yes{{ else }}no{{ end }}', 'no'],
    ['{{ or .project "fallback" }}', 'fallback'],
    ['{{ and .flag .name }}', 'prod_eu/west'],
    ['{{ if .list }}has{{ end }}', 'has'],
    ['{{ if .nothing }}t{{ else }}f{{ end }}', 'f'],
    ['{{ if eq .missing "x" }}t{{ else }}f{{ end }}', 'f'],
    ['{{ if lt .port 9000.0 }}low{{ end }}', 'low'],
    ['{{ len .list }}', '3'],
    ['{{ index .list 1 }}', 'b'],
    ['{{ with .aws }}{{ .region }}{{ end }}', 'eu-west-1'],
    ['{{ with .missing }}x{{ else }}none{{ end }}', 'none'],
    ['{{ range .list }}[{{ . }}]{{ end }}', '[a][b][c]'],
    ['{{ range $i, $v := .list }}{{ $i }}={{ $v }};{{ end }}', '0=a;1=b;2=c;'],
    [
      '{{ range $k, $v := .metadata.labels }}{{ $k }}={{ $v }},{{ end }}',
      'argocd.argoproj.io/secret-type=cluster,env=prod,',
    ],
    ['{{ range .missing }}x{{ else }}empty{{ end }}', 'empty'],
    ['{{ $r := .aws.region }}{{ $r }}/{{ $.name }}', 'eu-west-1/prod_eu/west'],
    ['a  {{- .aws.region -}}  b', 'aeu-west-1b'],
    ['a\n  {{- /* a comment */ -}}\n  b', 'ab'],
    ['{{/* only a comment */}}x', 'x'],
    ['{{ "quoted \\"x\\"\\n" }}', 'quoted "x"\n'],
    ['{{ `raw {{ }}` }}', 'raw {{ }}'],
    ['{{ (index .metadata.labels "env") | upper }}', 'PROD'],
    ['{{ (.aws).region }}', 'eu-west-1'],
    ['{{ hasPrefix "prod" .nameNormalized }}', 'true'],
    ['{{ contains "eu" .name }}', 'true'],
    ['{{ trimPrefix "https://" .server }}', 'ABC.gr7.eu-west-1.eks.amazonaws.com'],
    ['{{ join "," .list }}', 'a,b,c'],
    ['{{ b64enc "x" }}', 'eA=='],
    ['{{ ternary "a" "b" .flag }}', 'a'],
    ['{{ empty .project }}', 'true'],
    ['{{ coalesce .project .missing "c" }}', 'c'],
    ['{{ print "a" 1 2 "b" }}', 'a1 2b'],
  ])('%s → %p', (t, out) => {
    expect(render(t)).toBe(out);
  });
});

describe('errors as Go reports them', () => {
  test('missingkey=error: a missing key fails instead of printing <no value>', () => {
    expect(() => render('{{ .missing }}', ['missingkey=error'])).toThrow(
      new GoTemplateError(
        'template: :1:3: executing "" at <.missing>: map has no entry for key "missing"',
      ),
    );
    expect(() => render('{{ .aws.nope }}', ['missingkey=error'])).toThrow(
      /map has no entry for key "nope"/,
    );
    expect(() => render('{{ .missing | default "x" }}', ['missingkey=error'])).toThrow(
      /map has no entry for key "missing"/,
    );
    expect(render('{{ index .metadata.labels "nope" }}', ['missingkey=error'])).toBe('<no value>');
  });
  test('type errors', () => {
    expect(() => render('{{ if eq .port 8080 }}x{{ end }}')).toThrow(
      /error calling eq: incompatible types for comparison/,
    );
    expect(() => render('{{ lower .port }}')).toThrow(
      /wrong type for value; expected string; got float64/,
    );
    expect(() => render('{{ .nothing.x }}')).toThrow(/nil pointer evaluating interface \{\}\.x/);
    expect(() => render('{{ index .generator.input.parameters.env "k" }}')).toThrow(
      /can't index item of type v1.JSON/,
    );
    expect(() => render('{{ index .list 5 }}')).toThrow(
      /error calling index: index out of range: 5/,
    );
  });
  test('parse errors', () => {
    expect(() => render('{{ nosuchfunc .x }}')).toThrow(
      new GoTemplateError('template: :1: function "nosuchfunc" not defined'),
    );
    expect(() => render('{{ if .x }}')).toThrow(GoTemplateError);
    expect(() => render('{{ .x ')).toThrow(GoTemplateError);
    expect(() => render('{{ end }}')).toThrow(GoTemplateError);
    expect(() => render('{{ }}')).toThrow(
      new GoTemplateError('template: :1: missing value for command'),
    );
  });
  test('unknown goTemplateOptions', () => {
    expect(() => parseGoTemplateOptions(['missingkey=bogus'])).toThrow(GoTemplateError);
  });
});

describe('outside the supported subset: throws UnsupportedTemplateError, never mis-renders', () => {
  test.each([
    ['{{ template "x" }}'],
    ['{{ define "x" }}y{{ end }}'],
    ['{{ range .list }}{{ break }}{{ end }}'],
    ["{{ 'a' }}"],
    ['{{ toYaml .aws }}'],
    ['{{ regexReplaceAll "a" .name "b" }}'],
    ['{{ printf "%05d" 3 }}'],
    ['{{ html .name }}'],
  ])('%s', (t) => {
    expect(() => render(t)).toThrow(UnsupportedTemplateError);
  });
});

test('a comment must follow the delimiter directly, as in Go', () => {
  expect(() => renderGoTemplate('{{ /* x */ }}', {})).toThrow(GoTemplateError);
  expect(renderGoTemplate('a {{- /* x */ -}} b', {})).toBe('ab');
});
