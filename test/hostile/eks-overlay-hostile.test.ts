/**
 * Hostile app repositories for eks-overlay (issue #9): each row builds a repository in a temp dir and runs the
 * bundled CLI as argocd-cmp-server would (a child process in the app directory, Argo CD's environment), with the
 * child's heap capped at 256 MB. Every hostile row must end as a clear failure: a non-zero exit (never a kill, a
 * crash or an out-of-memory abort), EMPTY stdout (Argo CD prunes on an empty successful render), stderr naming
 * the file:line, key or parameter at fault, no JavaScript stack trace and no planted secret.
 * Limits are in cmp-sidecar/render/limits.ts and cmp-sidecar/README.md ("Limits").
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { common } from '../../build-options.cjs';
import { LIMITS } from '../../cmp-sidecar/render/limits';
import { buildCliBundle } from '../cmp/bundle';
import {
  aliasBomb,
  argoEnv,
  baseApp,
  CONFIG,
  CONFIG_MAP,
  makeRepo,
  PLANTED_SECRET,
  runChild,
  write,
} from './eks-overlay-repos';
import type { ChildResult, HostileRepo } from './eks-overlay-repos';

const RENDER = 1;
const CONFIG_EXIT = 78;

interface Row {
  readonly name: string;
  /** Adds the hostile part to a repository that holds a well-formed app (baseApp). */
  readonly build: (r: HostileRepo) => void;
  /** Overrides of Argo CD's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly code: number;
  /** Every pattern must match stderr. */
  readonly stderr: readonly RegExp[];
}

let bundle: { file: string; cleanup: () => void };
beforeAll(async () => {
  bundle = await buildCliBundle();
}, 60_000);
afterAll(() => bundle.cleanup());

function run(row: Pick<Row, 'build' | 'env'>, cli = bundle.file): ChildResult {
  const r = makeRepo();
  try {
    baseApp(r.app);
    row.build(r);
    return runChild(cli, r.app, argoEnv(row.env));
  } finally {
    r.cleanup();
  }
}

/** What every hostile row must show: a clean, named failure. */
function expectCleanFailure(res: ChildResult, code: number, patterns: readonly RegExp[]): void {
  expect(res.signal).toBeNull(); // not killed by the safety net, not aborted
  expect(res.stdout).toBe('');
  expect(res.stderr).not.toMatch(/internal error|FATAL ERROR|heap out of memory|RangeError/);
  expect(res.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no JS stack trace
  expect(res.stderr).not.toContain(PLANTED_SECRET);
  expect(res.stderr.length).toBeLessThan(16 * 1024);
  for (const p of patterns) expect(res.stderr).toMatch(p);
  expect(res.status).toBe(code);
}

const cm = (name: string, data: string): string => CONFIG_MAP(name, data);
const nested = (open: string, close: string, n: number, inner = '1'): string =>
  open.repeat(n) + inner + close.repeat(n);

/** A base file whose `data.x` is the given YAML (flow) value. */
const withValue = (value: string): Record<string, string> => ({
  'base/hostile.yaml': cm('hostile', `  x: ${value}\n`),
});

const DEPTH_OVER_OURS = LIMITS.maxDepth + 20; // below the YAML parser's own limit (~900), above ours

// --- YAML: alias bombs, depth, size ------------------------------------------------------------------------------

const yamlRows: Row[] = [
  {
    name: 'alias bomb (billion laughs) in a base file',
    build: (r) => write(r.app, { 'base/bomb.yaml': cm('bomb', aliasBomb('  ')) }),
    code: RENDER,
    stderr: [/base\/bomb\.yaml:\d+: aliases expand to more than 10000 nodes/],
  },
  {
    name: 'alias bomb in an overlay file',
    build: (r) => write(r.app, { 'envs/prod/bomb.yaml': cm('base', aliasBomb('  ')) }),
    code: RENDER,
    stderr: [/envs\/prod\/bomb\.yaml:\d+: aliases expand to more than 10000 nodes/],
  },
  {
    name: 'alias bomb in a kro ResourceGraphDefinition of a layer',
    build: (r) =>
      write(r.app, {
        'base/rgd.yaml':
          'apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\nmetadata:\n  name: bomb\nspec:\n' +
          aliasBomb('  '),
      }),
    code: RENDER,
    stderr: [/base\/rgd\.yaml:\d+: aliases expand/],
  },
  {
    name: 'alias bomb in eks-overlay.yaml (the secrets values section)',
    build: (r) => write(r.app, { 'eks-overlay.yaml': `${CONFIG}secrets:\n${aliasBomb('  ')}` }),
    code: CONFIG_EXIT,
    stderr: [/eks-overlay\.yaml:\d+: Excessive alias count/],
  },
  {
    name: 'alias bomb in eks-overlay.yaml parameter defaults',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': `${CONFIG}parameters:\n  - name: p\n    map:\n${aliasBomb('      ')}`,
      }),
    code: CONFIG_EXIT,
    stderr: [/eks-overlay\.yaml:\d+: Excessive alias count/],
  },
  {
    name: 'twenty thousand small aliases of one scalar',
    build: (r) =>
      write(r.app, {
        'base/many.yaml': cm(
          'many',
          `  a: &s x\n  list: [${Array(20_000).fill('*s').join(', ')}]\n`,
        ),
      }),
    code: RENDER,
    stderr: [/base\/many\.yaml:8: aliases expand to more than 10000 nodes/],
  },
  // Render-wide bounds (#16): what the files expand to, not only what is read.
  {
    name: 'one 4 MB string repeated by 9,000 aliases (36 GB of YAML to print)',
    build: (r) =>
      write(r.app, {
        'base/wide.yaml': cm(
          'wide',
          `  a: &big "${'x'.repeat(4 * 1024 * 1024)}"\n` +
            Array.from({ length: 9000 }, (_, i) => `  k${i}: *big\n`).join(''),
        ),
      }),
    code: RENDER,
    stderr: [
      /base\/wide\.yaml:\d+: the values of this render \(every key and string, aliases and templates expanded\) pass 64 MiB, the limit per render \(a constant: split the app, or repeat less through aliases and templates\); refused/,
    ],
  },
  {
    name: 'a hundred template values of 1 MiB each (allowed one by one, not all together)',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': `${CONFIG}parameters:\n  - {name: pad, string: "${'y'.repeat(1024)}"}\n`,
        'base/t.yaml': cm(
          't',
          Array.from(
            { length: 100 },
            (_, i) =>
              `  v${i}: '{{replace (replace params.pad "y" "${'z'.repeat(32)}") "z" "${'w'.repeat(32)}"}}'\n`,
          ).join(''),
        ),
      }),
    code: RENDER,
    stderr: [/base\/t\.yaml:\d+: the values of this render .* pass 64 MiB/],
  },
  {
    name: 'an alias to a missing anchor',
    build: (r) => write(r.app, withValue('*nowhere')),
    code: RENDER,
    stderr: [/base\/hostile\.yaml:7: alias \*nowhere refers to no anchor before it/],
  },
  {
    name: '100,000 levels of [',
    build: (r) => write(r.app, withValue(nested('[', ']', 100_000))),
    code: RENDER,
    stderr: [/base\/hostile\.yaml:7: invalid YAML: nested too deeply/],
  },
  {
    name: '100,000 levels of {',
    build: (r) => write(r.app, withValue(nested('{a: ', '}', 100_000))),
    code: RENDER,
    stderr: [
      /base\/hostile\.yaml:7: (invalid YAML: nested too deeply|more than 400000 YAML tokens)/,
    ],
  },
  {
    name: '100,000 levels of block sequences on one line (- - - ...)',
    build: (r) =>
      write(r.app, { 'base/hostile.yaml': cm('x', `  x:\n    ${'- '.repeat(100_000)}a\n`) }),
    code: RENDER,
    stderr: [/base\/hostile\.yaml:\d+: (invalid YAML: )?nested too deeply/],
  },
  {
    name: '2,000 levels of block maps (indentation)',
    build: (r) => {
      let s = '  x:\n';
      for (let i = 0; i < 2_000; i++) s += `${' '.repeat(i + 4)}k:\n`;
      write(r.app, { 'base/hostile.yaml': cm('x', s) });
    },
    code: RENDER,
    stderr: [/base\/hostile\.yaml:\d+: (invalid YAML: )?nested too deeply/],
  },
  {
    name: `${DEPTH_OVER_OURS} levels: parsed by YAML, refused by the depth limit`,
    build: (r) => write(r.app, withValue(nested('[', ']', DEPTH_OVER_OURS))),
    code: RENDER,
    stderr: [/base\/hostile\.yaml:7: nested too deeply \(more than 256 levels/],
  },
  {
    name: 'depth reached through aliases',
    build: (r) =>
      write(r.app, {
        'base/hostile.yaml': cm(
          'x',
          `  a: &deep ${nested('[', ']', 200)}\n  b: ${nested('[', ']', 100, '*deep')}\n`,
        ),
      }),
    code: RENDER,
    stderr: [/base\/hostile\.yaml:7: nested too deeply/],
  },
  {
    name: 'a 50 MB file',
    build: (r) => write(r.app, { 'base/huge.yaml': Buffer.alloc(50 * 1024 * 1024, 'a') }),
    code: RENDER,
    stderr: [/base\/huge\.yaml: is 50 MiB, over the limit of 8 MiB per file/],
  },
  {
    name: 'a 4 MB file of two million list items (the parser would need ~600 MB)',
    build: (r) => write(r.app, withValue(`[${Array(2_000_000).fill('1').join(',')}]`)),
    code: RENDER,
    stderr: [/base\/hostile\.yaml:7: more than 400000 YAML tokens in one file/],
  },
  {
    name: 'five 7 MB files (over the render total)',
    build: (r) => {
      const big = cm('big', `  blob: ${'b'.repeat(7 * 1024 * 1024)}\n`);
      for (let i = 0; i < 5; i++)
        write(r.app, { [`base/big-${i}.yaml`]: big.replace('big', `big-${i}`) });
    },
    code: RENDER,
    stderr: [/base\/big-4\.yaml: brings the layer files of this render over the limit of 32 MiB/],
  },
  {
    name: `${LIMITS.maxObjects + 1} objects in three files`,
    build: (r) => {
      const per = Math.ceil(LIMITS.maxObjects / 3);
      for (let f = 0; f < 3; f++) {
        let s = '';
        for (let i = 0; i < per; i++)
          s += `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${f}-${i}}\n`;
        write(r.app, { [`base/many-${f}.yaml`]: s });
      }
    },
    code: RENDER,
    stderr: [/base\/many-2\.yaml:\d+: the render has more than 10000 objects/],
  },
];

// --- Layer paths: escapes ----------------------------------------------------------------------------------------
// (test/cmp/cmp-server.test.ts covers "..", an absolute layer, ".." smuggled in by a context value, and a file and
// a directory symlinked to outside the repository; these rows add loops, chains and parameter-made paths.)

const withLayers = (layers: string, params = ''): string => `layers:\n${layers}${params}`;

const pathRows: Row[] = [
  {
    name: 'a layer directory that is a symlink loop',
    build: (r) => {
      mkdirSync(path.join(r.app, 'envs'));
      symlinkSync('prod', path.join(r.app, 'envs/prod'));
    },
    code: RENDER,
    stderr: [/eks-overlay\.yaml:3: layer "envs\/prod" is a symlink loop/],
  },
  {
    name: 'a layer file that is a symlink to itself',
    build: (r) => symlinkSync('loop.yaml', path.join(r.app, 'base/loop.yaml')),
    code: RENDER,
    stderr: [/base\/loop\.yaml: is a symlink loop; refused/],
  },
  {
    name: 'two layer files linked to each other',
    build: (r) => {
      symlinkSync('b.yaml', path.join(r.app, 'base/a.yaml'));
      symlinkSync('a.yaml', path.join(r.app, 'base/b.yaml'));
    },
    code: RENDER,
    stderr: [/base\/a\.yaml: is a symlink loop; refused/],
  },
  {
    name: 'a dangling file symlink',
    build: (r) => symlinkSync('missing.yaml', path.join(r.app, 'base/gone.yaml')),
    code: RENDER,
    stderr: [/base\/gone\.yaml: is a dangling symlink; refused/],
  },
  {
    name: 'a file symlink chained through a directory symlink to outside the repository',
    build: (r) => {
      symlinkSync(r.outside, path.join(r.repo, 'shared-link'));
      symlinkSync('../../../shared-link/stolen.yaml', path.join(r.app, 'base/chain.yaml'));
    },
    code: RENDER,
    stderr: [/base\/chain\.yaml: resolves outside the repository \(symlink\); refused/],
  },
  {
    name: 'a layer directory symlinked (relative path) to outside the repository',
    build: (r) => {
      mkdirSync(path.join(r.app, 'envs'));
      symlinkSync('../../../../outside', path.join(r.app, 'envs/prod'));
    },
    code: RENDER,
    stderr: [/eks-overlay\.yaml:3: layer "envs\/prod" resolves outside the repository/],
  },
  {
    name: 'a templated layer that is a dangling symlink (a missing directory would be optional; a broken link is not)',
    build: (r) => {
      mkdirSync(path.join(r.app, 'envs'));
      symlinkSync('../prod-moved', path.join(r.app, 'envs/prod'));
    },
    code: RENDER,
    stderr: [/eks-overlay\.yaml:3: layer "envs\/prod" is a dangling symlink; refused/],
  },
  {
    name: 'a layer path through a dangling directory symlink',
    build: (r) => symlinkSync('gone', path.join(r.app, 'envs')),
    code: RENDER,
    stderr: [
      /eks-overlay\.yaml:3: layer "envs\/prod" goes through "envs", a dangling symlink; refused/,
    ],
  },
  {
    name: 'eks-overlay.yaml that is a symlink to outside the repository',
    build: (r) => {
      writeFileSync(path.join(r.outside, 'eks-overlay.yaml'), 'layers: [base]\n');
      symlinkSync(
        path.join(r.outside, 'eks-overlay.yaml'),
        path.join(r.app, 'eks-overlay.yaml.tmp'),
      );
      renameSync(path.join(r.app, 'eks-overlay.yaml.tmp'), path.join(r.app, 'eks-overlay.yaml'));
    },
    code: CONFIG_EXIT,
    stderr: [/eks-overlay\.yaml: is a symlink that resolves outside the repository; refused/],
  },
  {
    name: 'eks-overlay.yaml that is a dangling symlink',
    build: (r) => {
      symlinkSync('nowhere.yaml', path.join(r.app, 'eks-overlay.yaml.tmp'));
      renameSync(path.join(r.app, 'eks-overlay.yaml.tmp'), path.join(r.app, 'eks-overlay.yaml'));
    },
    code: CONFIG_EXIT,
    stderr: [/eks-overlay\.yaml: is a dangling symlink; refused/],
  },
  {
    name: 'a parameter that templates ".." into a layer path',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': withLayers(
          '  - base\n  - "{{params.extra}}"\n',
          'parameters:\n  - {name: extra, string: base}\n',
        ),
      }),
    env: {
      ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'extra', string: '../../../outside' }]),
    },
    code: RENDER,
    stderr: [/eks-overlay\.yaml:3: layer "\.\.\/\.\.\/\.\.\/outside" must not contain "\.\."/],
  },
  {
    name: 'a parameter that templates an absolute path into a layer path',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': withLayers(
          '  - base\n  - "{{params.extra}}"\n',
          'parameters:\n  - {name: extra, string: base}\n',
        ),
      }),
    env: { ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'extra', string: '/etc' }]) },
    code: RENDER,
    stderr: [/eks-overlay\.yaml:3: layer "\/etc" must be relative to the app directory/],
  },
  {
    name: 'the cluster map parameter smuggling backslash ".." segments into a layer path',
    build: () => undefined,
    env: {
      ARGOCD_APP_PARAMETERS: JSON.stringify([
        { map: { 'metadata.labels.env': '..\\..\\..\\outside' }, name: 'cluster' },
      ]),
    },
    code: RENDER,
    stderr: [
      /eks-overlay\.yaml:3: layer "envs\/\.\.\\\\\.\.\\\\\.\.\\\\outside" must not contain "\.\."/,
    ],
  },
  {
    name: 'a parameter that templates a NUL byte into a layer path',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': withLayers(
          '  - base\n  - "{{params.extra}}"\n',
          'parameters:\n  - {name: extra, string: base}\n',
        ),
      }),
    env: { ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'extra', string: 'base\u0000x' }]) },
    code: RENDER,
    stderr: [/eks-overlay\.yaml:3: layer "base\\u0000x" contains a NUL byte/],
  },
];

// --- Templates ---------------------------------------------------------------------------------------------------

const templateRow = (template: string, ...stderr: RegExp[]): Row => ({
  name: `template ${template}`,
  build: (r) => write(r.app, { 'base/t.yaml': cm('t', `  x: ${JSON.stringify(template)}\n`) }),
  code: RENDER,
  stderr: [/base\/t\.yaml:7: /, ...stderr],
});

const templateRows: Row[] = [
  templateRow('{{constructor}}', /"constructor" is not allowed/),
  templateRow('{{__proto__}}', /"__proto__" is not allowed/),
  templateRow('{{cluster.constructor.name}}', /"constructor" is not allowed/),
  templateRow('{{[constructor]}}', /"constructor" is not allowed/),
  templateRow('{{@root.__proto__.polluted}}', /"__proto__" is not allowed/),
  templateRow('{{toString}}', /"toString" is not allowed/),
  templateRow('{{#with constructor}}x{{/with}}', /"constructor" is not allowed/),
  templateRow('{{lookup this "constructor"}}', /unknown helper lookup/),
  templateRow('{{log "x"}}', /unknown helper log/),
  templateRow('{{nope cluster.name}}', /unknown helper nope/),
  templateRow('{{helperMissing}}', /"helperMissing" is not allowed/),
  templateRow('{{blockHelperMissing}}', /"blockHelperMissing" is not allowed/),
  templateRow('{{> part}}', /partials \(\{\{> name\}\}\) are not allowed/),
  templateRow('{{#> layout}}x{{/layout}}', /partial blocks/),
  templateRow('{{#*inline "p"}}x{{/inline}}', /inline partials/),
  templateRow('{{*decorate}}', /decorators/),
  templateRow('{{cluster.name.length}}', /unknown variable cluster\.name\.length/),
  templateRow('{{cluster.metadata}}', /a map cannot be rendered as text/),
  // Typos where strict mode tolerates a missing last segment: never "" or the default (#16).
  templateRow(
    '{{default cluster.name.lenght "none"}}',
    /unknown variable cluster\.name\.lenght \(cluster\.name is a string: it has no members\)/,
  ),
  templateRow(
    '{{#if cluster.aws.region.code}}x{{/if}}',
    /unknown variable cluster\.aws\.region\.code \(cluster\.aws\.region is a string/,
  ),
  templateRow(
    `{{replace (replace (replace cluster.name "" "${'x'.repeat(100)}") "" "${'y'.repeat(100)}") "" "${'z'.repeat(100)}"}}`,
    /replace would produce \d+ characters, over the limit of 1048576/,
  ),
  {
    name: 'nested each loops over a long parameter list',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': `${CONFIG}parameters:\n  - {name: items, array: []}\n`,
        'base/t.yaml': cm(
          't',
          '  x: "{{#each params.items}}{{#each @root.params.items}}{{#each @root.params.items}}.{{/each}}{{/each}}{{/each}}"\n',
        ),
      }),
    env: {
      ARGOCD_APP_PARAMETERS: JSON.stringify([
        { array: Array.from({ length: 1000 }, (_, i) => String(i)), name: 'items' },
      ]),
    },
    code: RENDER,
    stderr: [/base\/t\.yaml:7: each ran more than 100000 iterations/],
  },
  {
    name: 'a 2 MB template (the error quotes only its start)',
    build: (r) =>
      write(r.app, {
        'base/t.yaml': cm('t', `  x: "{{nope}}${'a'.repeat(2 * 1024 * 1024)}"\n`),
      }),
    code: RENDER,
    stderr: [/base\/t\.yaml:7: .*\.\.\. \(2097160 characters\)/],
  },
  {
    name: 'a template in a layer path reaching for a prototype',
    build: (r) =>
      write(r.app, { 'eks-overlay.yaml': withLayers('  - base\n  - "{{cluster.__proto__}}"\n') }),
    code: RENDER,
    stderr: [/eks-overlay\.yaml:3: invalid template .*"__proto__" is not allowed/],
  },
];

// --- Environment, parameters, encodings --------------------------------------------------------------------------

const envRows: Row[] = [
  {
    name: 'ARGOCD_APP_PARAMETERS that is not JSON (its excerpt holds a secret)',
    build: () => undefined,
    env: { ARGOCD_APP_PARAMETERS: `[{"name":"token","string":${PLANTED_SECRET}}]` },
    code: CONFIG_EXIT,
    stderr: [/ARGOCD_APP_PARAMETERS is not valid JSON: syntax error/],
  },
  {
    name: 'ARGOCD_APP_PARAMETERS cut short (an unterminated secret)',
    build: () => undefined,
    env: { ARGOCD_APP_PARAMETERS: `[{"name":"token","string":"${PLANTED_SECRET}` },
    code: CONFIG_EXIT,
    stderr: [/ARGOCD_APP_PARAMETERS is not valid JSON: unterminated string at position \d+/],
  },
  {
    name: 'ARGOCD_APP_PARAMETERS that is an object',
    build: () => undefined,
    env: { ARGOCD_APP_PARAMETERS: '{"name":"x","string":"y"}' },
    code: CONFIG_EXIT,
    stderr: [/ARGOCD_APP_PARAMETERS must be a JSON array/],
  },
  {
    name: 'ARGOCD_APP_PARAMETERS with every element wrong (all reported at once)',
    build: () => undefined,
    env: {
      ARGOCD_APP_PARAMETERS: JSON.stringify([
        5,
        { name: 7 },
        { name: 'a', string: 5 },
        { name: 'b', array: [1] },
        { name: 'c', map: { k: { deep: 'x' } } },
      ]),
    },
    code: CONFIG_EXIT,
    stderr: [
      /ARGOCD_APP_PARAMETERS\[0\] must be an object/,
      /ARGOCD_APP_PARAMETERS\[1\]\.name must be a non-empty string/,
      /ARGOCD_APP_PARAMETERS\[2\] \(a\)\.string must be a string/,
      /ARGOCD_APP_PARAMETERS\[3\] \(b\)\.array must be a list of strings/,
      /ARGOCD_APP_PARAMETERS\[4\] \(c\)\.map must map strings to strings/,
    ],
  },
  {
    name: 'ARGOCD_APP_PARAMETERS of 90 KB with one bad element at the end',
    build: () => undefined,
    env: {
      ARGOCD_APP_PARAMETERS: JSON.stringify([
        ...Array.from({ length: 1_500 }, (_, i) => ({ name: `p${i}`, string: 'v'.repeat(40) })),
        { name: 'last', array: 'not-a-list' },
      ]),
    },
    code: CONFIG_EXIT,
    stderr: [/ARGOCD_APP_PARAMETERS\[1500\] \(last\)\.array must be a list of strings/],
  },
  {
    name: 'ARGOCD_APP_PARAMETERS nested 60,000 levels',
    build: () => undefined,
    env: { ARGOCD_APP_PARAMETERS: nested('[', ']', 60_000, '') },
    code: CONFIG_EXIT,
    stderr: [
      /ARGOCD_APP_PARAMETERS(\[0\] must be an object| is not valid JSON: nested too deeply)/,
    ],
  },
  {
    name: 'a parameter named __proto__',
    build: () => undefined,
    env: { ARGOCD_APP_PARAMETERS: '[{"name":"__proto__","map":{"polluted":"yes"}}]' },
    code: CONFIG_EXIT,
    stderr: [/ARGOCD_APP_PARAMETERS\[0\]\.name "__proto__" is not allowed/],
  },
  {
    name: 'a declared parameter named constructor',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': `${CONFIG}parameters:\n  - {name: constructor, string: x}\n`,
      }),
    code: CONFIG_EXIT,
    stderr: [/eks-overlay\.yaml:5: parameter name "constructor" is not allowed/],
  },
  {
    name: 'ARGOCD_ENV_CLUSTER_CONTEXT that is not JSON (its excerpt holds a secret)',
    build: () => undefined,
    env: { ARGOCD_ENV_CLUSTER_CONTEXT: `{"name":"x","token":${PLANTED_SECRET}}` },
    code: CONFIG_EXIT,
    stderr: [/ARGOCD_ENV_CLUSTER_CONTEXT is not valid JSON: syntax error/],
  },
  {
    name: 'ARGOCD_ENV_CLUSTER_CONTEXT that is a string',
    build: () => undefined,
    env: { ARGOCD_ENV_CLUSTER_CONTEXT: '"prod-use1"' },
    code: CONFIG_EXIT,
    stderr: [/ARGOCD_ENV_CLUSTER_CONTEXT must be a JSON object/],
  },
  {
    name: 'ARGOCD_ENV_CLUSTER_CONTEXT nested 5,000 levels',
    build: () => undefined,
    env: { ARGOCD_ENV_CLUSTER_CONTEXT: `{"name":"x","deep":${nested('{"a":', '}', 5_000)}}` },
    code: CONFIG_EXIT,
    stderr: [/ARGOCD_ENV_CLUSTER_CONTEXT is nested deeper than 32 levels/],
  },
  {
    name: 'ARGOCD_ENV_CLUSTER_CONTEXT with non-string labels',
    build: () => undefined,
    env: {
      ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify({
        name: 'x',
        metadata: { labels: { env: { nested: 'prod' }, tier: 3 }, annotations: [] },
      }),
    },
    code: CONFIG_EXIT,
    stderr: [
      /ARGOCD_ENV_CLUSTER_CONTEXT: metadata\.labels\.env must be a string/,
      /ARGOCD_ENV_CLUSTER_CONTEXT: metadata\.labels\.tier must be a string/,
      /ARGOCD_ENV_CLUSTER_CONTEXT: metadata\.annotations must be a map of strings/,
    ],
  },
  {
    name: 'ARGOCD_ENV_CLUSTER_CONTEXT with __proto__ and constructor keys',
    build: () => undefined,
    env: {
      ARGOCD_ENV_CLUSTER_CONTEXT:
        '{"name":"x","__proto__":{"polluted":"yes"},"metadata":{"labels":{"env":"prod","constructor":{"prototype":{"polluted":"yes"}}}}}',
    },
    code: CONFIG_EXIT,
    stderr: [
      /ARGOCD_ENV_CLUSTER_CONTEXT: key "__proto__" is not allowed/,
      /ARGOCD_ENV_CLUSTER_CONTEXT: key "metadata\.labels\.constructor" is not allowed/,
    ],
  },
  {
    name: 'the cluster map parameter with a __proto__ path',
    build: () => undefined,
    env: {
      ARGOCD_APP_PARAMETERS: JSON.stringify([
        {
          map: { '__proto__.polluted': 'yes', 'constructor.prototype.polluted': 'yes' },
          name: 'cluster',
        },
      ]),
    },
    code: CONFIG_EXIT,
    stderr: [
      /parameter "cluster": key "__proto__\.polluted" is not a valid dotted path/,
      /parameter "cluster": key "constructor\.prototype\.polluted" is not a valid dotted path/,
    ],
  },
  {
    name: 'invalid UTF-8 in a base file',
    build: (r) =>
      write(r.app, {
        'base/latin1.yaml': Buffer.concat([
          Buffer.from(cm('latin1', '  name: "caf')),
          Buffer.from([0xe9]),
          Buffer.from('"\n'),
        ]),
      }),
    code: RENDER,
    stderr: [/base\/latin1\.yaml:7: not valid UTF-8 \(byte \d+\); refused/],
  },
  {
    name: 'an overlong UTF-8 encoding of "/" in an overlay file',
    build: (r) =>
      write(r.app, {
        'envs/prod/o.yaml': Buffer.concat([
          Buffer.from(cm('base', '  p: "..')),
          Buffer.from([0xc0, 0xaf]),
          Buffer.from('"\n'),
        ]),
      }),
    code: RENDER,
    stderr: [/envs\/prod\/o\.yaml:7: not valid UTF-8/],
  },
  {
    name: 'invalid UTF-8 in eks-overlay.yaml',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': Buffer.concat([
          Buffer.from('layers:\n  - base\n  - "b'),
          Buffer.from([0xff]),
          Buffer.from('"\n'),
        ]),
      }),
    code: CONFIG_EXIT,
    stderr: [/eks-overlay\.yaml:3: not valid UTF-8/],
  },
  {
    name: 'a NUL byte in a base file',
    build: (r) => write(r.app, { 'base/bin.yaml': cm('bin', '  x: a\u0000b\n') }),
    code: RENDER,
    stderr: [/base\/bin\.yaml:7: contains a NUL byte/],
  },
];

describe.each([
  ['YAML bombs, depth and size', yamlRows],
  ['layer path escapes', pathRows],
  ['templates', templateRows],
  ['environment, parameters and encodings', envRows],
])('hostile app repositories: %s', (_group, rows) => {
  test.each(rows.map((r) => [r.name, r] as const))(
    '%s',
    (_name, row) => {
      expectCleanFailure(run(row), row.code, row.stderr);
    },
    60_000,
  );
});

describe('large but legitimate input renders', () => {
  const objectsOf = (stdout: string): unknown[] =>
    parseAllDocuments(stdout)
      .map((d) => d.toJS() as unknown)
      .filter((d) => d !== null);

  test('5,000 documents in one file', () => {
    const res = run({
      build: (r) => {
        let s = '';
        for (let i = 0; i < 5_000; i++)
          s += `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c-${i}}\n`;
        write(r.app, { 'base/many.yaml': s });
      },
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(objectsOf(res.stdout)).toHaveLength(5_001);
  }, 60_000);

  test('one map of 40,000 keys (duplicate keys are found in one pass, not pairwise)', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `  k${i}: v\n`).join('');
    const res = run({ build: (r) => write(r.app, { 'base/wide.yaml': cm('wide', keys) }) });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('k39999: v');
  }, 60_000);

  test('a few anchors and aliases, and a 256-level document', () => {
    const res = run({
      build: (r) =>
        write(r.app, {
          'base/ok.yaml': cm(
            'ok',
            `  a: &v shared\n  b: *v\n  deep: ${nested('[', ']', LIMITS.maxDepth - 3)}\n`,
          ),
        }),
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  }, 60_000);

  test('a BOM and CRLF line ends render exactly as LF', () => {
    const lf = run({
      build: (r) => write(r.app, { 'base/cm.yaml': cm('base', '  x: |\n    a\n    b\n') }),
    });
    const crlf = run({
      build: (r) =>
        write(r.app, {
          'base/cm.yaml': '\ufeff' + cm('base', '  x: |\n    a\n    b\n').replace(/\n/g, '\r\n'),
        }),
    });
    expect(crlf.stderr).toBe('');
    expect(crlf.status).toBe(0);
    expect(crlf.stdout).toBe(lf.stdout);
  }, 60_000);

  test('triple-stash renders exactly as double-stash (no HTML escaping either way)', () => {
    const two = run({
      build: (r) => write(r.app, { 'base/t.yaml': cm('t', '  x: "{{cluster.name}}<&>"\n') }),
    });
    const three = run({
      build: (r) => write(r.app, { 'base/t.yaml': cm('t', '  x: "{{{cluster.name}}}<&>"\n') }),
    });
    expect(three.status).toBe(0);
    expect(three.stdout).toBe(two.stdout);
    expect(three.stdout).toContain('prod-use1<&>');
  }, 60_000);
});

// --- One huge render, then a normal one, through the shipped launcher -------------------------------------------

describe('a huge render does not leave the sidecar failing later renders', () => {
  test('the shipped CLI (launcher and code cache) fails a huge render cleanly, then renders a normal app', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildEksOverlay } = require('../../cmp-sidecar/build-launcher.cjs') as {
      buildEksOverlay: (outdir: string, common: object) => Promise<unknown>;
    };
    const out = mkdtempSync(path.join(os.tmpdir(), 'eks-overlay-shipped-'));
    try {
      await buildEksOverlay(out, common);
      const cli = path.join(out, 'eks-overlay.cjs');
      const cache = { EKS_OVERLAY_CACHE_DIR: path.join(out, 'cache') };
      const huge = run(
        {
          build: (r) =>
            write(r.app, {
              'base/wide.yaml': cm(
                'wide',
                `  a: &big "${'x'.repeat(4 * 1024 * 1024)}"\n` +
                  Array.from({ length: 9000 }, (_, i) => `  k${i}: *big\n`).join(''),
              ),
            }),
          env: cache,
        },
        cli,
      );
      expectCleanFailure(huge, RENDER, [/pass 64 MiB, the limit per render/]);

      const normal = run({ build: () => undefined, env: cache }, cli);
      expect(normal.stderr).toBe('');
      expect(normal.status).toBe(0);
      expect(parseAllDocuments(normal.stdout).map((d) => d.toJS() as unknown)).toEqual([
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'base' }, data: { k: 'v' } },
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

// --- kro.rgdPaths: read by cmp-sidecar/kro/reference-files.ts (outside this suite's files) ------------------------
// kro's reader of reference files confines symlinks to the repository and names the file at fault.

const RGD = (name: string): string =>
  `apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\nmetadata:\n  name: ${name}\nspec:\n  schema:\n    apiVersion: v1alpha1\n    kind: Foo\n    spec: {}\n  resources: []\n`;
const withRgdPaths = (r: HostileRepo): void =>
  write(r.app, {
    'eks-overlay.yaml': `${CONFIG}kro:\n  rgdPaths: [rgds]\n`,
    'base/rgd.yaml': RGD('local'),
    'rgds/ok.yaml': RGD('reference'),
  });

const kroGapRows: Row[] = [
  {
    name: 'a kro.rgdPaths directory holding a symlink to outside the repository',
    build: (r) => {
      withRgdPaths(r);
      writeFileSync(path.join(r.outside, 'rgd.yaml'), RGD('outside'));
      symlinkSync('../../../../outside', path.join(r.app, 'rgds/out'));
    },
    code: RENDER,
    stderr: [/rgds\/out.* resolves outside the repository/],
  },
  {
    name: 'an alias bomb in a kro.rgdPaths file names the file',
    build: (r) => {
      withRgdPaths(r);
      write(r.app, { 'rgds/bomb.yaml': RGD('bomb') + aliasBomb('  ') });
    },
    code: RENDER,
    stderr: [/rgds\/bomb\.yaml/],
  },
  {
    name: 'a symlink loop in a kro.rgdPaths directory names the link, not an absolute path',
    build: (r) => {
      withRgdPaths(r);
      symlinkSync('.', path.join(r.app, 'rgds/loop'));
    },
    code: RENDER,
    stderr: [/rgds\/loop/, /^(?![\s\S]*\/tmp\/)/],
  },
  {
    name: 'a kro.crdDirs directory holding a symlink to a file outside the repository',
    build: (r) => {
      write(r.app, {
        'eks-overlay.yaml': `${CONFIG}kro:\n  crdDirs: [crds]\n`,
        'base/rgd.yaml': RGD('local'),
        'crds/ok.yaml': 'kind: CustomResourceDefinition\n',
      });
      writeFileSync(path.join(r.outside, 'crd.yaml'), 'kind: CustomResourceDefinition\n');
      symlinkSync(path.join(r.outside, 'crd.yaml'), path.join(r.app, 'crds/out.yaml'));
    },
    code: RENDER,
    stderr: [/crds\/out\.yaml.* resolves outside the repository/],
  },
];

describe('hostile app repositories: kro.rgdPaths and kro.crdDirs', () => {
  test.each(kroGapRows.map((r) => [r.name, r] as const))(
    '%s',
    (_name, row) => {
      expectCleanFailure(run(row), row.code, row.stderr);
    },
    60_000,
  );
});
