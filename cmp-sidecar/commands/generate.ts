import { InputError } from '../../core/errors';
import { readArgoEnv } from '../argocd-env';
import type { ExitCode } from '../exit';
import type { CommonOptions } from '../options';
import { EXIT } from '../exit';
import { buildClusterView, missingContextMessage } from '../cluster-context';
import { loadOverlayConfig } from '../config';
import { createLog } from '../io';
import type { Io } from '../io';
import { renderApp } from '../render/pipeline';
import { objectStagesFor } from '../stages';
import { readContextFile, resolveDirs, withContext } from './render-inputs';

/** `generate` (Argo CD) and `render <dir>` (people): the YAML stream on stdout, written once, only on success. */
export async function generate(opts: CommonOptions, io: Io): Promise<ExitCode> {
  const log = createLog(io);
  const argoEnv = readArgoEnv(io.env);
  const dirs = await resolveDirs(opts, io, argoEnv);
  const config = await loadOverlayConfig(dirs.appDir, dirs.rootDir);
  const contexts =
    opts.contexts[0] === undefined ? [] : await readContextFile(opts.contexts[0], io);
  if (contexts.length > 1) {
    throw new InputError(
      `--context ${opts.contexts[0]} holds ${contexts.length} contexts; render takes one (validate takes many)`,
    );
  }
  const env = withContext(argoEnv, contexts[0]);
  const cluster = buildClusterView(env, opts.cluster);
  const clusterMissing = missingContextMessage(env, opts.cluster);
  const result = await renderApp({
    ...dirs,
    config,
    env,
    processEnv: io.env,
    cluster,
    ...(clusterMissing === undefined ? {} : { clusterMissing }),
    warn: log.warn,
    debug: log.debug,
    stages: objectStagesFor(io),
  });
  io.stdout.write(result.yaml);
  return EXIT.ok;
}
