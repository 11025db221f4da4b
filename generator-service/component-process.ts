/**
 * The process shell of a component started from the generator's binary as its own Deployment (`registrar`,
 * `upgrade-controller`): JSON log lines on stdout, exit 78 on bad configuration (ConfigError) and 1 on any other
 * start failure, and one clean stop on SIGTERM/SIGINT. Only this entry turns a component's errors into exit codes.
 */
import { ConfigError, describeError } from '../core/errors';
import { createJsonLogger, type Logger, type LogLevel } from '../core/logger';

const EX_CONFIG = 78;
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface StoppableComponent {
  stop(): Promise<void>;
}

export interface ComponentStartOptions {
  readonly log: Logger;
  readonly defaultMetrics: true;
}

export async function runComponentProcess(
  env: NodeJS.ProcessEnv,
  service: string,
  start: (env: NodeJS.ProcessEnv, options: ComponentStartOptions) => Promise<StoppableComponent>,
): Promise<void> {
  const exit = (message: string, code = EX_CONFIG): never => {
    process.stderr.write(`${service}: ${message}\n`);
    process.exit(code);
  };
  const levelText = env['LOG_LEVEL']?.trim() || 'info';
  const level = LOG_LEVELS.find((l) => l === levelText);
  if (level === undefined) {
    exit(
      `invalid configuration:\n  - LOG_LEVEL: "${levelText}" must be debug, info, warn or error`,
    );
  }
  const log = createJsonLogger(process.stdout, level, { service });
  let component: StoppableComponent;
  try {
    component = await start(env, { log, defaultMetrics: true });
  } catch (e) {
    exit(describeError(e), e instanceof ConfigError ? EX_CONFIG : 1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    component.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log.error('shutdown failed', { error: describeError(e) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
