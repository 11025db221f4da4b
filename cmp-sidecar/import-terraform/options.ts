import { parseArgs } from 'node:util';
import { InputError } from '../../core/errors';
import { PHASES, type Phase } from './types';

export interface ImportTerraformOptions {
  readonly state: string;
  readonly out: string | undefined;
  readonly phase: Phase;
  readonly namespace: string | undefined;
  readonly rgd: string | undefined;
  readonly only: readonly string[];
  readonly crdDirs: readonly string[];
  /** The default region (`--region <r>`). */
  readonly region: string | undefined;
  /** Regions of aliased provider configurations (`--region <alias>=<r>`). */
  readonly regionByAlias: Readonly<Record<string, string>>;
  readonly accountId: string | undefined;
  readonly accountIdByAlias: Readonly<Record<string, string>>;
  readonly report: string | undefined;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * `terraform <state> [--out d] [--phase p] [--namespace ns] [--rgd name] [--only t]... [--crd-dir d]...
 * [--region [alias=]r]... [--account-id [alias=]id]... [--report f]`, checked token by token as parseCommandLine does: the first problem
 * is reported naming the argument as typed.
 */
export function parseImportTerraform(args: readonly string[]): ImportTerraformOptions {
  const [source, ...rest] = args;
  if (source !== 'terraform')
    throw new InputError(
      source === undefined
        ? 'import needs a source: eks-overlay import terraform <state>'
        : `import: unknown source ${JSON.stringify(source)} (terraform is the only one)`,
    );
  const multiple = new Set(['only', 'crd-dir', 'region', 'account-id']);
  const names = [
    'out',
    'phase',
    'namespace',
    'rgd',
    'only',
    'crd-dir',
    'region',
    'account-id',
    'report',
  ];
  const { tokens } = parseArgs({
    args: rest,
    options: Object.fromEntries(
      names.map((n) => [n, { type: 'string' as const, multiple: multiple.has(n) }]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  let state: string | undefined;
  const single: Record<string, string> = {};
  const lists: Record<string, string[]> = {
    only: [],
    'crd-dir': [],
    region: [],
    'account-id': [],
  };
  for (const token of tokens) {
    const raw = rest[token.index]!;
    if (token.kind === 'positional') {
      if (raw.startsWith('-')) throw new InputError(`unknown option ${raw} for import terraform`);
      if (state !== undefined)
        throw new InputError(
          `import terraform takes one state file, got also ${JSON.stringify(raw)}`,
        );
      state = raw;
      continue;
    }
    if (token.kind === 'option-terminator' || !names.includes(token.name))
      throw new InputError(`unknown option ${raw} for import terraform`);
    if (token.value === undefined || token.value === '')
      throw new InputError(`${raw} needs a value`);
    if (multiple.has(token.name)) lists[token.name]!.push(token.value);
    else if (single[token.name] !== undefined) throw new InputError(`--${token.name} given twice`);
    else single[token.name] = token.value;
  }
  if (state === undefined)
    throw new InputError(
      'import terraform needs a state file (a state or `terraform show -json` output)',
    );
  const phase = single['phase'] ?? 'observe';
  if (!(PHASES as readonly string[]).includes(phase))
    throw new InputError(`--phase ${JSON.stringify(phase)}: one of ${PHASES.join(', ')}`);
  const namespace = single['namespace'];
  if (namespace !== undefined && !DNS_LABEL.test(namespace))
    throw new InputError(`--namespace ${JSON.stringify(namespace)} is not a valid namespace name`);
  const rgd = single['rgd'];
  if (rgd !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(rgd))
    throw new InputError(
      `--rgd ${JSON.stringify(rgd)} is not a valid object name (lowercase letters, digits, - and .)`,
    );
  const region = perAlias('--region', lists['region']!, REGION, 'an AWS region name');
  const account = perAlias(
    '--account-id',
    lists['account-id']!,
    /^\d{12}$/,
    'a 12-digit AWS account id',
  );
  return {
    state,
    out: single['out'],
    phase: phase as Phase,
    namespace,
    rgd,
    only: lists['only']!,
    crdDirs: lists['crd-dir']!,
    region: region.default,
    regionByAlias: region.byAlias,
    accountId: account.default,
    accountIdByAlias: account.byAlias,
    report: single['report'],
  };
}

/**
 * `<value>` (the default configuration's) or `<provider alias>=<value>`, repeatable: what the state cannot say about
 * a provider configuration (its region, its account), once per configuration.
 */
function perAlias(
  option: string,
  values: readonly string[],
  valid: RegExp,
  what: string,
): { default: string | undefined; byAlias: Record<string, string> } {
  let fallback: string | undefined;
  const byAlias: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const [alias, v] = eq < 0 ? [undefined, value] : [value.slice(0, eq), value.slice(eq + 1)];
    if (!valid.test(v))
      throw new InputError(
        `${option} ${JSON.stringify(value)}: ${JSON.stringify(v)} is not ${what}`,
      );
    if (alias === undefined) {
      if (fallback !== undefined)
        throw new InputError(
          `${option} given twice without an alias (use <provider alias>=<value> for aliases)`,
        );
      fallback = v;
    } else {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(alias))
        throw new InputError(
          `${option} ${JSON.stringify(value)}: ${JSON.stringify(alias)} is not a provider alias`,
        );
      if (byAlias[alias] !== undefined) throw new InputError(`${option} ${alias}=... given twice`);
      byAlias[alias] = v;
    }
  }
  return { default: fallback, byAlias };
}
