import { RenderError } from '../../core/errors';
import { parseOverlayConfig } from '../config';
import { parseManifestFile } from './parse-documents';
import { cachedParse, enableParsedYamlCache } from './parsed-yaml-cache';
import type { TemplateScope } from './template';

/**
 * The parse cache of `eks-overlay serve`'s render workers: a file parsed again is walked again (templates, limits,
 * duplicate keys, errors), so a hit gives exactly what a fresh parse gives, for any scope.
 */

const APP = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: app-{{cluster.name}}',
  'data:',
  '  region: "{{cluster.aws.region}}"',
  '  shared: &s {a: 1}',
  '  again: *s',
  '  dup: one',
  '  dup: two',
  '---',
  'apiVersion: v1',
  'kind: List',
  'items:',
  '  - {apiVersion: v1, kind: Secret, metadata: {name: s}}',
  '',
].join('\n');
const prod = { cluster: { name: 'prod', aws: { region: 'us-east-1' } } };
const dev = { cluster: { name: 'dev', aws: { region: 'eu-west-1' } } };

function parseWarnings(text: string, scope: TemplateScope, file = 'base/app.yaml') {
  const warnings: string[] = [];
  const budget = { objects: 0 };
  const objects = parseManifestFile(text, file, scope, budget, { warn: (m) => warnings.push(m) });
  return { objects, warnings, budget };
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof RenderError) return e.message;
    throw e;
  }
  throw new Error('no error');
}

// What a parse gives without the cache, taken before the cache is turned on for this file's tests.
const fresh = {
  prod: parseWarnings(APP, prod),
  dev: parseWarnings(APP, dev),
  missing: errorOf(() => parseManifestFile(APP, 'base/app.yaml', { cluster: { name: 'x' } })),
  config: parseOverlayConfig('layers: [base, envs/prod]\nallowEmpty: true\n', 'eks-overlay.yaml'),
};

beforeAll(() => enableParsedYamlCache());

describe('a layer file parsed again comes from the cache and renders exactly as a fresh parse', () => {
  test('each scope gets its own templates, warnings, budget and objects', () => {
    const first = parseWarnings(APP, prod);
    expect(cachedParse('manifests', APP)).toBeDefined();
    const hit = { prod: parseWarnings(APP, prod), dev: parseWarnings(APP, dev) };
    expect(first).toEqual(fresh.prod);
    expect(hit).toEqual({ prod: fresh.prod, dev: fresh.dev });
    // Objects are built per render: a later stage changing one changes nothing in the next render.
    (first.objects[0]!.object['data'] as Record<string, unknown>)['region'] = 'changed';
    expect(parseWarnings(APP, prod)).toEqual(fresh.prod);
  });

  test('an error of the walk (a template, a limit) is found again on a hit', () => {
    expect(cachedParse('manifests', APP)).toBeDefined();
    expect(errorOf(() => parseManifestFile(APP, 'base/app.yaml', { cluster: { name: 'x' } }))).toBe(
      fresh.missing,
    );
    expect(
      errorOf(() => parseManifestFile(APP, 'base/app.yaml', prod, { objects: 9_999 })),
    ).toMatch(/base\/app\.yaml:12: the render has more than 10000 objects/);
  });

  test('the same text in another file names that file', () => {
    const other = parseWarnings(APP, prod, 'envs/prod/app.yaml');
    expect(other.warnings[0]).toMatch(/^envs\/prod\/app\.yaml:10: duplicate key "dup"/);
    expect(other.objects.map((o) => o.source.file)).toEqual([
      'envs/prod/app.yaml',
      'envs/prod/app.yaml',
    ]);
  });

  test('a file with invalid YAML is never kept, and fails the same way every time', () => {
    const broken = `${APP}---\na: [\n`;
    const first = errorOf(() => parseManifestFile(broken, 'base/x.yaml', prod));
    expect(first).toMatch(/base\/x\.yaml:\d+: invalid YAML/);
    expect(cachedParse('manifests', broken)).toBeUndefined();
    expect(errorOf(() => parseManifestFile(broken, 'base/x.yaml', prod))).toBe(first);
  });

  test('eks-overlay.yaml: kept by its text, read the same on a hit', () => {
    const text = 'layers: [base, envs/prod]\nallowEmpty: true\n';
    expect(parseOverlayConfig(text, 'eks-overlay.yaml')).toEqual(fresh.config);
    expect(cachedParse('config', text)).toBeDefined();
    expect(parseOverlayConfig(text, 'eks-overlay.yaml')).toEqual(fresh.config);
  });

  test('memory stays bounded: large files are not kept, the least recently used go first', () => {
    const big = (n: number, size: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${n}}\ndata:\n  x: ${'y'.repeat(size)}\n`;
    const huge = big(0, 300 * 1024);
    parseManifestFile(huge, 'base/huge.yaml', {});
    expect(cachedParse('manifests', huge)).toBeUndefined();
    const files = [1, 2, 3, 4, 5].map((n) => big(n, 240 * 1024));
    for (const f of files) parseManifestFile(f, 'base/big.yaml', {});
    // Four of 240 KB fit in 1 MB: the first one and the small files read before it are gone.
    expect(files.map((f) => cachedParse('manifests', f) !== undefined)).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(cachedParse('manifests', APP)).toBeUndefined();
  });
});
