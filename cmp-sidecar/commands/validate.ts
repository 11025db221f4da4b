import { describeError } from '../../core/errors';
import { readArgoEnv } from '../argocd-env';
import type { ExitCode } from '../exit';
import type { CommonOptions } from '../options';
import { EXIT, exitCodeFor } from '../exit';
import { buildClusterView, missingContextMessage } from '../cluster-context';
import { loadOverlayConfig } from '../config';
import { createLog } from '../io';
import type { Io } from '../io';
import { renderApp } from '../render/pipeline';
import { objectStagesFor } from '../stages';
import type { LayerUse } from '../render/pipeline';
import { isTemplate } from '../render/template';
import { readContextFile, resolveDirs, withContext } from './render-inputs';
import type { NamedContext } from './render-inputs';

/**
 * `validate <dir> [--context f]...`: renders the app once per context (every context of every file, or the
 * environment's when none is given) and reports every outcome; the exit code is that of the first failure.
 */
export async function validate(opts: CommonOptions, io: Io): Promise<ExitCode> {
  const log = createLog(io);
  const argoEnv = readArgoEnv(io.env);
  const dirs = await resolveDirs(opts, io, argoEnv);
  const config = await loadOverlayConfig(dirs.appDir, dirs.rootDir);
  const contexts: (NamedContext | undefined)[] = [];
  for (const file of opts.contexts) contexts.push(...(await readContextFile(file, io)));
  if (contexts.length === 0) contexts.push(undefined);

  let exit: ExitCode = EXIT.ok;
  const lines: string[] = [];
  const rendered: { name: string; layers: readonly LayerUse[] }[] = [];
  for (const context of contexts) {
    const name = context?.name ?? 'environment context';
    try {
      const env = withContext(argoEnv, context);
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
      lines.push(`ok   ${name}: ${result.objects.length} object(s)`);
      rendered.push({ name, layers: result.layers });
    } catch (e) {
      const code = exitCodeFor(e);
      if (code === EXIT.internal) throw e;
      if (exit === EXIT.ok) exit = code;
      lines.push(`FAIL ${name}: ${describeError(e)}`);
    }
  }
  const failed = lines.filter((l) => l.startsWith('FAIL')).length;
  lines.push(...optionalLayerReport(config.layers, rendered));
  lines.push(`${contexts.length - failed} of ${contexts.length} context(s) rendered`);
  (exit === EXIT.ok ? io.stdout : io.stderr).write(lines.join('\n') + '\n');
  return exit;
}

/**
 * For each templated (optional) layer: the contexts whose render found its directory and those that did not, so a
 * typo in a directory name (envs/prdo) shows as "missing for" every cluster it was meant for.
 */
function optionalLayerReport(
  templates: readonly string[],
  rendered: readonly { name: string; layers: readonly LayerUse[] }[],
): string[] {
  const out: string[] = [];
  templates.forEach((template, i) => {
    if (!isTemplate(template) || rendered.length === 0) return;
    const present: string[] = [];
    const missing: string[] = [];
    for (const r of rendered) {
      const use = r.layers[i];
      if (use === undefined) continue;
      (use.found ? present : missing).push(`${r.name} → ${use.dir}`);
    }
    const where = rendered[0]?.layers[i]?.where;
    const at = where?.line === undefined ? '' : ` (${where.file}:${where.line})`;
    out.push(
      `layer ${JSON.stringify(template)}${at}: present for ${present.length}${present.length > 0 ? ` (${present.join(', ')})` : ''}; ` +
        `missing for ${missing.length}${missing.length > 0 ? ` (${missing.join(', ')})` : ''}`,
    );
  });
  return out;
}
