import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './manifest-tree';

/*
 * The two images, linted as text (no Docker engine or hadolint on these machines): multi-stage on a supported
 * Node LTS pinned to a major, `npm ci` then `npm run build`, and a runtime stage that holds the bundle only and
 * runs as a numeric non-root user.
 */

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const stages: Stage[] = [];
  joined.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not an instruction: ${line}`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({
        from: image!,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
      return;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`line ${i + 1}: ${op} before FROM`);
    stage.instructions.push({ op, args, line: i + 1 });
  });
  return stages;
}

const images = [
  { file: 'generator-service/Dockerfile', bundle: 'generator-service.cjs', uid: undefined },
  { file: 'cmp-sidecar/Dockerfile', bundle: 'eks-overlay.cjs', uid: '999' },
] as const;

describe.each(images)('$file', ({ file, bundle, uid }) => {
  const stages = parseDockerfile(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
  const build = stages[0]!;
  const runtime = stages.at(-1)!;
  const runs = (s: Stage) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);

  it('is multi-stage, every stage on node 22 or 24 pinned to a major (never latest)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages)
      expect(s.from).toMatch(/^node:(22|24)(\.\d+){0,2}(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/);
  });

  it('builds with npm ci, then npm run build', () => {
    const cmds = runs(build);
    const ci = cmds.findIndex((c) => /\bnpm ci\b/.test(c));
    const buildCmd = cmds.findIndex((c) => /\bnpm run build\b/.test(c));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(buildCmd).toBeGreaterThan(ci);
    expect(cmds.some((c) => /\bnpm (install|i)\b/.test(c))).toBe(false);
  });

  it('copies into the build stage every local file build.mjs imports', () => {
    const buildScript = readFileSync(path.join(REPO_ROOT, 'build.mjs'), 'utf8');
    const imported = [...buildScript.matchAll(/from '\.\/([^']+)'/g)].map((m) => m[1]!);
    expect(imported.length).toBeGreaterThan(0);
    const copied = build.instructions
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const file of imported)
      expect(copied.some((src) => file === src || file.startsWith(src))).toBe(true);
  });

  it('copies only the bundle from the build stage into the runtime stage', () => {
    const copies = runtime.instructions.filter(
      (i) => i.op === 'COPY' && !isShellScriptFromContext(i.args),
    );
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c.args).toMatch(new RegExp(`^--from=${build.name}\\s`));
      const sources = c.args.split(/\s+/).slice(1, -1);
      // The bundle (and its source map); the generator also ships its example fleet (data, not code).
      for (const src of sources)
        expect(src).toMatch(/\/dist\/([^/]+\.cjs(\.map)?|examples\/fleet\.yaml)$/);
    }
    expect(copies.some((c) => c.args.includes(`/dist/${bundle}`))).toBe(true);
  });

  it('installs no packages and no node_modules in the runtime stage', () => {
    const text = runtime.instructions.map((i) => i.args).join('\n');
    expect(text).not.toMatch(/node_modules/);
    expect(text).not.toMatch(/\bnpm (ci|install|i)\b|\byarn\b|\bpnpm\b/);
  });

  it('runs as a numeric non-root user', () => {
    const user = runtime.instructions.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toMatch(/^\d+(:\d+)?$/);
    const id = user!.split(':')[0]!;
    expect(id).not.toBe('0');
    if (uid !== undefined) expect(id).toBe(uid);
  });
});

describe('cmp-sidecar/Dockerfile', () => {
  const text = readFileSync(path.join(REPO_ROOT, 'cmp-sidecar/Dockerfile'), 'utf8');

  it('puts an eks-overlay executable on PATH that runs the bundle with node', () => {
    expect(text).toMatch(/\/usr\/local\/bin\/eks-overlay/);
    expect(text).toMatch(/exec node \/app\/dist\/eks-overlay\.cjs "\$@"/);
    expect(text).toMatch(/chmod 0?755 \/usr\/local\/bin\/eks-overlay/);
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('keeps local dependencies, builds and git metadata out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git']));
  });
});

/**
 * The sidecar's warm-renderer client and entrypoint are POSIX shell scripts (no dependencies, nothing to build):
 * they are copied from the build context as they are, and must stay plain `sh`.
 */
function isShellScriptFromContext(args: string): boolean {
  if (args.startsWith('--from')) return false;
  const sources = args
    .split(/\s+/)
    .filter((a) => !a.startsWith('--'))
    .slice(0, -1);
  return (
    sources.length > 0 &&
    sources.every((src) =>
      /^#!\/bin\/sh\n/.test(readFileSync(path.join(REPO_ROOT, src), 'utf8').slice(0, 20)),
    )
  );
}
