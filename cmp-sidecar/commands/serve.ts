import { parseArgs } from 'node:util';
import { InputError } from '../../core/errors';
import { EXIT } from '../exit';
import type { ExitCode } from '../exit';
import type { Io } from '../io';
import { serveConfigFromEnv } from '../serve/config';
import { startRenderServer } from '../serve/server';

/**
 * `serve [--socket <path>]`: the warm render server of the sidecar (cmp-sidecar/serve/). Runs until it has done
 * EKS_OVERLAY_SERVE_MAX_RENDERS renders, reached EKS_OVERLAY_SERVE_MAX_RSS_MB, or got SIGTERM/SIGINT; then exits 0
 * for its supervisor (the image's entrypoint loop) to start a fresh one.
 */
export async function serve(args: readonly string[], io: Io): Promise<ExitCode> {
  let socket: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { socket: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0)
      throw new InputError(`serve takes no argument, got ${JSON.stringify(positionals[0])}`);
    socket = values.socket;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`serve: ${(e as Error).message}`);
  }
  const config = serveConfigFromEnv(io.env, socket);
  const log = (line: string) => io.stderr.write(`eks-overlay serve: ${line}\n`);
  const server = await startRenderServer({ config, workerScript: workerScript(), log });
  const onSignal = (signal: NodeJS.Signals) => server.stop(`got ${signal}`);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const why = await server.stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  log(`stopped (${why})`);
  return EXIT.ok;
}

/**
 * The file this process was started from (dist/eks-overlay.cjs, which turns on the compile cache, or the CLI bundle
 * itself): a render worker runs it too, and cmp-sidecar/main.ts starts the worker loop there instead of a command.
 */
function workerScript(): string {
  const script = require.main?.filename ?? process.argv[1];
  if (script === undefined) throw new InputError('serve runs from the eks-overlay bundle');
  return script;
}
