import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import * as path from 'node:path';
import { InputError, SourceUnavailableError } from '../../core/errors';

/**
 * The repository at one revision, read with the real `git` binary: `git archive` of the commit into a temporary
 * directory (no worktree is registered in the user's repository), or the working tree itself for the head when no
 * --head is given. Temporary directories are removed on every exit path: `dispose()` in the command's `finally`, and
 * on SIGINT/SIGTERM by {@link TempDirs.guardSignals}, which removes them before the signal takes its course.
 */
export interface Revision {
  /** What the user named (`main`, `HEAD~1`, or `working tree`), for messages. */
  readonly label: string;
  /** The full commit SHA, or undefined for the working tree. */
  readonly sha: string | undefined;
  /** The directory holding the repository's files at this revision. */
  readonly dir: string;
}

export function git(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const why = stderr.trim().split('\n')[0] ?? error.message;
          reject(
            new SourceUnavailableError(`git ${args.join(' ')}: ${why || error.message}`, {
              cause: error,
            }),
          );
        } else resolve(stdout);
      },
    );
  });
}

/** The commit a ref names; a clear usage error naming the ref when the repository has no such commit. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], repo)).trim();
  } catch {
    throw new InputError(`git ref ${JSON.stringify(ref)} does not name a commit in ${repo}`);
  }
}

/** The top directory of the repository holding `dir`. */
export async function repositoryTop(dir: string): Promise<string> {
  try {
    return (await git(['rev-parse', '--show-toplevel'], dir)).trim();
  } catch {
    throw new InputError(`--repo ${dir} is not inside a git repository`);
  }
}

/** `remote.origin.url`, the default --repo-url; undefined when the repository has no origin. */
export async function originUrl(repo: string): Promise<string | undefined> {
  try {
    const url = (await git(['config', '--get', 'remote.origin.url'], repo)).trim();
    return url === '' ? undefined : url;
  } catch {
    return undefined;
  }
}

/**
 * The extraction processes still running: a signal must stop them before their directories are removed, or `tar`
 * keeps writing into a directory being deleted.
 */
const extracting = new Set<ChildProcess>();

function tracked(child: ChildProcess): ChildProcess {
  extracting.add(child);
  child.once('close', () => extracting.delete(child));
  return child;
}

/** Extracts the commit's tree into `dir` (`git archive | tar -x`). */
export function extractCommit(repo: string, sha: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', sha], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const untar = spawn('tar', ['-x', '-f', '-', '-C', dir], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    tracked(archive);
    tracked(untar);
    archive.stdout.pipe(untar.stdin);
    let errors = '';
    archive.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    untar.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    let pending = 2;
    let failed = false;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(
          new SourceUnavailableError(
            `${what} of ${sha.slice(0, 12)} failed: ${errors.trim() || `exit ${code}`}`,
          ),
        );
      }
      if (--pending === 0 && !failed) resolve();
    };
    archive.on('error', (e) => reject(new SourceUnavailableError(`git archive: ${e.message}`)));
    untar.on('error', (e) => reject(new SourceUnavailableError(`tar: ${e.message}`)));
    archive.on('close', done('git archive'));
    untar.on('close', done('extracting the archive'));
  });
}

/** Temporary directories of one preview, removed together. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), `eks-overlay-preview-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Removes every directory (stopping extractions first); returns those that could not be removed. */
  dispose(): string[] {
    for (const child of extracting) child.kill('SIGKILL');
    const left: string[] = [];
    for (const dir of this.dirs.splice(0)) {
      try {
        // Retries cover a killed `tar` whose last writes land while the tree is being removed.
        rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
      } catch {
        left.push(dir);
      }
    }
    return left;
  }

  /**
   * Until the returned function is called, SIGINT and SIGTERM remove the directories first and then end the
   * process the way the signal would have (re-raised once our handler is gone; else exit 128 + its number).
   */
  guardSignals(): () => void {
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => {
        for (const dir of this.dispose()) {
          process.stderr.write(`eks-overlay: could not remove the temporary checkout ${dir}\n`);
        }
        for (const [s, h] of handlers) process.removeListener(s, h);
        process.kill(process.pid, signal);
        // A re-raised signal is not always delivered before this returns (on a loaded machine, with worker
        // threads, the rest of the preview went on and exited with its own status). Never run on: end now with
        // the status a shell gives a process the signal ended.
        process.exit(128 + osConstants.signals[signal]);
      };
      handlers.set(signal, handler);
      process.once(signal, handler);
    }
    return () => {
      for (const [s, h] of handlers) process.removeListener(s, h);
    };
  }
}

/** The repository at `ref`, extracted into a fresh temporary directory. */
export async function checkout(
  repo: string,
  ref: string,
  temp: TempDirs,
  label: string,
): Promise<Revision> {
  const sha = await resolveCommit(repo, ref);
  const dir = temp.make(label);
  await extractCommit(repo, sha, dir);
  return { label: ref, sha, dir };
}
