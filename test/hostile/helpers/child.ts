import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningChild {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exit: Promise<number | null>;
}

/** Runs `node <script> ...args` with exactly `env` (plus PATH), capturing stdout and stderr. */
export function runNode(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd?: string,
): RunningChild {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd === undefined ? {} : { cwd }),
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Polls `check` every 20 ms until it returns a value (the jest timeout bounds the wait). */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The port from the generator's `listening` log line; rejects with its stderr if the process exits first. */
export function listeningPort(r: RunningChild): Promise<number> {
  let exited: number | null | undefined;
  void r.exit.then((code) => (exited = code));
  return until(() => {
    if (exited !== undefined) {
      throw new Error(`exited with ${String(exited)} before listening: ${r.stderr()}${r.stdout()}`);
    }
    const line = r
      .stdout()
      .split('\n')
      .find((l) => l.includes('"msg":"listening"'));
    return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
  });
}
