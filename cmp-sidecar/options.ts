import { parseArgs } from 'node:util';
import { InputError } from '../core/errors';

/** The command line of render, validate, generate and parameters, parsed. */
export interface CommonOptions {
  readonly dir: string | undefined;
  readonly contexts: readonly string[];
  readonly cluster: Readonly<Record<string, string>>;
  readonly root: string | undefined;
}

type OptionName = 'context' | 'cluster' | 'root';

/**
 * Parses `[dir] [--context f]... [--cluster k=v]... [--root d]` for `command`, accepting only the options in
 * `allowed`. parseArgs runs non-strict and its tokens are checked here in order, so the first problem is reported
 * in our words, naming the argument as it was typed (`--bogus=1`, `-abc`), and a value that starts with `-` is
 * still a value (`--root -odd`), as it always was.
 */
export function parseCommandLine(
  args: readonly string[],
  command: string,
  allowed: readonly OptionName[] = ['context', 'cluster', 'root'],
): CommonOptions {
  const { tokens } = parseArgs({
    args: [...args],
    options: {
      context: { type: 'string', multiple: true },
      cluster: { type: 'string', multiple: true },
      root: { type: 'string' },
    },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  let dir: string | undefined;
  const contexts: string[] = [];
  const cluster: Record<string, string> = {};
  let root: string | undefined;
  for (const token of tokens) {
    const raw = args[token.index]!;
    if (token.kind === 'positional') {
      if (raw.startsWith('-')) throw new InputError(`unknown option ${raw} for ${command}`);
      if (dir === undefined) dir = raw;
      else throw new InputError(`${command} takes one directory, got also ${JSON.stringify(raw)}`);
      continue;
    }
    if (token.kind === 'option-terminator' || !isAllowed(token.name, allowed))
      throw new InputError(`unknown option ${raw} for ${command}`);
    if (token.value === undefined) throw new InputError(`${raw} needs a value`);
    if (token.name === 'context') contexts.push(token.value);
    else if (token.name === 'root') root = token.value;
    else {
      const eq = token.value.indexOf('=');
      if (eq <= 0)
        throw new InputError(`--cluster expects key=value, got ${JSON.stringify(token.value)}`);
      cluster[token.value.slice(0, eq)] = token.value.slice(eq + 1);
    }
  }
  return { dir, contexts, cluster, root };
}

function isAllowed(name: string, allowed: readonly OptionName[]): name is OptionName {
  return (allowed as readonly string[]).includes(name);
}
