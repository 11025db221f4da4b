import { parentPort } from 'node:worker_threads';
import { readArgoEnv } from '../argocd-env';
import { run } from '../cli';
import { resolveDirs } from '../commands/render-inputs';
import { loadOverlayConfig } from '../config';
import { EXIT, reportError } from '../exit';
import type { Io } from '../io';
import { parseCommandLine } from '../options';
import { enableParsedYamlCache } from '../render/parsed-yaml-cache';
import { stageSettings } from '../render/stages';
import { secretsStageConfig } from '../secrets/config';
import type { RenderJob, WorkerAnswer } from './protocol';

/**
 * A render worker thread of `eks-overlay serve`: it loaded the CLI bundle once and runs `eks-overlay generate` for
 * each job with the client's directory and environment, exactly the code path of the CLI (`run(['generate'], io)`),
 * output buffered. Nothing of a render outlives it but compiled code and caches that cannot change a result.
 */

export function serveRenders(): void {
  const port = parentPort;
  if (port === null) throw new Error('serveRenders runs in a worker thread');
  // Argo CD renders the same files for every cluster of an app: their parse is kept (by text) across renders.
  enableParsedYamlCache();
  port.on('message', (job: RenderJob) => {
    void renderJob(job).then(
      (answer) => port.postMessage(answer),
      (e: unknown) =>
        port.postMessage({
          kind: 'render-yourself',
          reason: `render worker failed: ${e instanceof Error ? e.message : String(e)}`,
        } satisfies WorkerAnswer),
    );
  });
}

export async function renderJob(job: RenderJob): Promise<WorkerAnswer> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    cwd: job.cwd,
    env: job.env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  };
  if (await usesInlineSecrets(io)) {
    return { kind: 'render-yourself', reason: 'secrets.mode inline renders in its own process' };
  }
  const code = injectedInternalError(job.env)
    ? reportError(new Error('internal error injected by EKS_OVERLAY_SERVE_TEST_FAULT'), io)
    : await run(['generate'], io);
  if (code === EXIT.internal) {
    // A bug, maybe one only this long-lived process has (a cache, state left by an earlier render): the client's
    // own short-lived CLI renders instead, and the stack goes to the sidecar's log.
    return {
      kind: 'render-yourself',
      reason: 'internal error in the render worker',
      log: stderr.trimEnd(),
    };
  }
  return { kind: 'done', code, stdout: code === 0 ? stdout : '', stderr };
}

/**
 * Test hook, set in the sidecar's environment (so in the client's, sent with each request): `internal` makes the
 * worker's render fail as a bug would (exit 70) while the CLI, which never reads it, renders normally. It proves
 * that the client then renders itself; an install never sets it.
 */
function injectedInternalError(env: Readonly<Record<string, string>>): boolean {
  return env['EKS_OVERLAY_SERVE_TEST_FAULT'] === 'internal';
}

/**
 * True when the app's eks-overlay.yaml asks for inline secrets. Read as `generate` reads it; when that fails the
 * answer is false, and the render itself reports the same error (it fails before any stage runs).
 */
async function usesInlineSecrets(io: Io): Promise<boolean> {
  try {
    const dirs = await resolveDirs(parseCommandLine([], 'generate'), io, readArgoEnv(io.env));
    const config = await loadOverlayConfig(dirs.appDir, dirs.rootDir);
    return stageSettings(config, secretsStageConfig).mode === 'inline';
  } catch {
    return false;
  }
}
