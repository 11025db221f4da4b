/**
 * The arrows that must never exist between the parts (ARCHITECTURE.md), held against the imports of every source
 * file that is not a test: core reaches no SDK and no other part, plugins never reach up, the generator and
 * eks-overlay never import each other, and no part has an import cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PARTS = ['core', 'plugins', 'generator-service', 'cmp-sidecar'] as const;
type Part = (typeof PARTS)[number];

/** Packages that talk to AWS or Kubernetes: the kernel must stay free of them. */
const SDK = /^(@aws-sdk\/|@smithy\/|@kubernetes\/client-node)/;

interface SourceFile {
  readonly file: string;
  readonly part: Part;
  /** Relative imports resolved to repository paths (without extension), and package imports as written. */
  readonly local: readonly string[];
  readonly packages: readonly string[];
}

function sourceFiles(part: Part): string[] {
  return readdirSync(path.join(REPO_ROOT, part), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name))
    .map((e) => path.relative(REPO_ROOT, path.join(e.parentPath, e.name)));
}

function read(file: string, part: Part): SourceFile {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  // Static imports, re-exports, `import()` and `require()`; type-only imports count too (they are arrows as well).
  const specs = [
    ...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)'([^']+)'/gm),
  ].map((m) => m[1]!);
  const local = specs
    .filter((s) => s.startsWith('.'))
    .map((s) =>
      path
        .relative(REPO_ROOT, path.resolve(path.dirname(path.join(REPO_ROOT, file)), s))
        .replace(/\.(js|ts)$/, ''),
    );
  return { file, part, local, packages: specs.filter((s) => !s.startsWith('.')) };
}

const files = PARTS.flatMap((part) => sourceFiles(part).map((f) => read(f, part)));
const partOf = (target: string): string => target.split(path.sep)[0] ?? '';

function arrows(from: Part, to: readonly string[]): string[] {
  return files
    .filter((f) => f.part === from)
    .flatMap((f) => f.local.filter((t) => to.includes(partOf(t))).map((t) => `${f.file} → ${t}`));
}

test('the parts have source files to check', () => {
  for (const part of PARTS) expect(files.filter((f) => f.part === part).length).toBeGreaterThan(3);
});

test('core reaches no SDK and no other part', () => {
  const sdk = files
    .filter((f) => f.part === 'core')
    .flatMap((f) => f.packages.filter((p) => SDK.test(p)).map((p) => `${f.file} → ${p}`));
  expect(sdk).toEqual([]);
  expect(arrows('core', ['plugins', 'generator-service', 'cmp-sidecar', 'test', 'bench'])).toEqual(
    [],
  );
});

test('plugins never reach up into the generator or eks-overlay', () => {
  expect(arrows('plugins', ['generator-service', 'cmp-sidecar', 'test', 'bench'])).toEqual([]);
});

test('the generator and eks-overlay never import each other', () => {
  expect(arrows('generator-service', ['cmp-sidecar', 'test', 'bench'])).toEqual([]);
  expect(arrows('cmp-sidecar', ['generator-service', 'test', 'bench'])).toEqual([]);
});

test('no import cycle among the source files', () => {
  const known = new Set(files.map((f) => f.file.replace(/\.ts$/, '')));
  const edges = new Map(
    files.map((f) => [
      f.file.replace(/\.ts$/, ''),
      f.local.map((t) => (known.has(t) ? t : `${t}/index`)).filter((t) => known.has(t)),
    ]),
  );
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of edges.keys()) visit(node, []);
  expect(cycles).toEqual([]);
});
