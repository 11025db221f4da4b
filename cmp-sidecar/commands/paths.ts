import { lstat, readdir, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, InputError } from '../../core/errors';
import type { ExitCode } from '../exit';
import { EXIT } from '../exit';
import { loadOverlayConfig } from '../config';
import type { Io } from '../io';
import { parseCommandLine } from '../options';
import { realDir } from './render-inputs';
import { kroStageConfig } from '../kro/config';
import { policyStageConfig } from '../policy/config';
import { stageSettings } from '../render/stages';
import { isInside } from '../render/inside';

/**
 * `paths [dir] [--root <repo>]`: the value of the Application annotation `argocd.argoproj.io/manifest-generate-paths`
 * for one eks-overlay app, i.e. every path a render of it reads. Argo CD re-renders an Application after a commit
 * only when a changed file lies under one of these paths, so a path left out means edits there never reach the
 * clusters. Argo CD's syntax: `;`-separated, `.` and other relative entries are relative to the Application's
 * source path, a leading `/` starts at the repository root.
 *
 * What a render reads: the app directory (eks-overlay.yaml and every layer, which must stay inside the app), the
 * targets of symlinks found in the app directory that lead elsewhere in the repository (shared layers), and
 * `kro.rgdPaths` and `kro.crdDirs`, which may climb out of the app with `..`.
 */
export async function paths(args: readonly string[], io: Io): Promise<ExitCode> {
  const opts = parseCommandLine(args, 'paths', ['root']);
  const appDir = await realDir(path.resolve(io.cwd, opts.dir ?? '.'), 'app directory');
  const rootDir =
    opts.root === undefined
      ? await repositoryRoot(appDir)
      : await realDir(path.resolve(io.cwd, opts.root), '--root');
  if (!isInside(appDir, rootDir))
    throw new InputError(`the app directory ${appDir} is not inside the repository ${rootDir}`);

  const config = await loadOverlayConfig(appDir, rootDir);
  const { kro } = stageSettings(config, kroStageConfig);

  const read: string[] = [appDir];
  read.push(...(await symlinkTargets(appDir, rootDir)));
  for (const [key, declared] of [
    ...kro.rgdPaths.map((p) => ['kro.rgdPaths', p] as const),
    ...kro.crdDirs.map((p) => ['kro.crdDirs', p] as const),
  ]) {
    read.push(await declaredPath(declared, key, appDir, rootDir));
  }
  for (const declared of stageSettings(config, policyStageConfig).paths) {
    const fixed = staticPrefix(declared);
    if (fixed === undefined) continue; // templated from its first segment: it stays inside the app
    if (fixed === declared)
      read.push(await declaredPath(declared, 'policies.paths', appDir, rootDir));
    else {
      // Templated (`../../policies/{{cluster.metadata.labels.env}}`): every cluster's directory lies under the
      // fixed part, which may not exist at all for the clusters of this commit.
      const dir = await realpath(path.resolve(appDir, fixed)).catch(() => undefined);
      if (dir !== undefined && isInside(dir, rootDir)) read.push(dir);
    }
  }
  io.stdout.write(`${annotationValue(read, appDir, rootDir)}\n`);
  return EXIT.ok;
}

/**
 * The annotation value: `.` for the app, `/<path from the repository root>` for what lies outside it; paths inside
 * another listed path are left out (Argo CD matches by prefix), and the order is stable.
 */
export function annotationValue(read: readonly string[], appDir: string, rootDir: string): string {
  const outside = [...new Set(read.filter((p) => !isInside(p, appDir)))].sort();
  const kept = outside.filter((p) => !outside.some((q) => q !== p && isInside(p, q)));
  const fromRoot = kept.map((p) => `/${path.relative(rootDir, p).split(path.sep).join('/')}`);
  return ['.', ...fromRoot].join(';');
}

/** The part of a path before its first templated segment ('' → undefined), or the path when it has no template. */
function staticPrefix(declared: string): string | undefined {
  const at = declared.indexOf('{{');
  if (at < 0) return declared;
  const fixed = declared.slice(0, declared.lastIndexOf('/', at) + 1);
  return fixed === '' ? undefined : fixed;
}

/** A `kro.*` or `policies.paths` path: relative to the app, inside the repository, existing (as the render requires). */
async function declaredPath(
  declared: string,
  key: string,
  appDir: string,
  rootDir: string,
): Promise<string> {
  const where = `eks-overlay.yaml: ${key}: ${JSON.stringify(declared)}`;
  if (path.isAbsolute(declared))
    throw new ConfigError([`${where} must be relative to the app directory`]);
  let real: string;
  try {
    real = await realpath(path.resolve(appDir, declared));
  } catch {
    throw new ConfigError([`${where} does not exist`]);
  }
  if (!isInside(real, rootDir)) throw new ConfigError([`${where} resolves outside the repository`]);
  return real;
}

/**
 * Where the symlinks under the app directory lead, when that is elsewhere in the repository (a layer shared by
 * several apps). Links leaving the repository are not listed: the render refuses them. Directories reached through
 * a link are not walked again (their own links are the target's business, and loops end here).
 */
async function symlinkTargets(appDir: string, rootDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(p);
        } catch {
          continue; // dangling: the render reports it when a layer uses it
        }
        if (isInside(target, rootDir) && !isInside(target, appDir)) out.push(target);
      }
    }
  };
  await walk(appDir);
  return out;
}

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file for worktrees). */
async function repositoryRoot(dir: string): Promise<string> {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      await lstat(path.join(d, '.git'));
      return d;
    } catch {
      // not here: one level up
    }
    if (path.dirname(d) === d)
      throw new InputError(
        `no git repository at or above ${dir}: pass --root <repository root> (where Argo CD's source.path starts)`,
      );
  }
}
