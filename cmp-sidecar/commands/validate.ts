import { describeError } from '../../core/errors';
import { readArgoEnv } from '../argocd-env';
import type { CommonOptions, ExitCode } from '../cli';
import { EXIT, exitCodeFor } from '../cli';
import { buildClusterView } from '../cluster-context';
import { loadOverlayConfig } from '../config';
import { createLog } from '../io';
import type { Io } from '../io';
import { renderApp } from '../render/pipeline';
import { readContextFile, resolveDirs, withContext } from './prepare';
import type { NamedContext } from './prepare';

/**
 * `validate <dir> [--context f]...`: renders the app once per context (every context of every file, or the
 * environment's when none is given) and reports every outcome; the exit code is that of the first failure.
 */
export async function validate(opts: CommonOptions, io: Io): Promise<ExitCode> {
  const log = createLog(io);
  const argoEnv = readArgoEnv(io.env);
  const dirs = await resolveDirs(opts, io, argoEnv);
  const config = await loadOverlayConfig(dirs.appDir);
  const contexts: (NamedContext | undefined)[] = [];
  for (const file of opts.contexts) contexts.push(...(await readContextFile(file, io)));
  if (contexts.length === 0) contexts.push(undefined);

  let exit: ExitCode = EXIT.ok;
  const lines: string[] = [];
  for (const context of contexts) {
    const name = context?.name ?? 'environment context';
    try {
      const env = withContext(argoEnv, context);
      const cluster = buildClusterView(env, opts.cluster);
      const result = await renderApp({
        ...dirs,
        config,
        env,
        cluster,
        warn: log.warn,
        debug: log.debug,
      });
      lines.push(`ok   ${name}: ${result.objects.length} object(s)`);
    } catch (e) {
      const code = exitCodeFor(e);
      if (code === EXIT.internal) throw e;
      if (exit === EXIT.ok) exit = code;
      lines.push(`FAIL ${name}: ${describeError(e)}`);
    }
  }
  const failed = lines.filter((l) => l.startsWith('FAIL')).length;
  lines.push(`${contexts.length - failed} of ${contexts.length} context(s) rendered`);
  (exit === EXIT.ok ? io.stdout : io.stderr).write(lines.join('\n') + '\n');
  return exit;
}
