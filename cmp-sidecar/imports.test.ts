/**
 * The import direction inside eks-overlay (README "Layout"): render/ imports nothing from the layers above it (the
 * stages are handed to it), and no command imports cli.ts, which loads the commands.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map((m) => m[1]!);
}

test.each(['render', 'argocd'])('%s/ imports only itself, core/ and packages', (dir) => {
  const render = path.join(__dirname, dir);
  const upward = sources(render).flatMap((file) =>
    importsOf(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => path.resolve(path.dirname(file), spec))
      .filter((target) => !target.startsWith(render + path.sep))
      .filter((target) => !target.startsWith(path.resolve(__dirname, '..', 'core') + path.sep))
      .map((target) => `${path.relative(__dirname, file)} → ${path.relative(__dirname, target)}`),
  );
  expect(upward).toEqual([]);
});

test('no command imports cli.ts', () => {
  const cli = path.join(__dirname, 'cli');
  const back = sources(path.join(__dirname, 'commands')).filter((file) =>
    importsOf(file).some((spec) => path.resolve(path.dirname(file), spec) === cli),
  );
  expect(back).toEqual([]);
});
