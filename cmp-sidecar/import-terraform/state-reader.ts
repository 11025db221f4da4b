import { ConfigError } from '../../core/errors';
import { withholdSensitive, type SensitivePath } from './sensitive';
import type { TfResource } from './types';

/**
 * Reads a Terraform state in either form people have at hand: the raw state file (format version 4, what
 * `terraform state pull` prints) or the output of `terraform show -json`. Both become the same list of managed
 * resource instances, sensitive values already removed; data sources are skipped (they describe, not own).
 * Every problem is an error naming the file and, where it lies in a resource, its address; no value is quoted.
 */
export function readTerraformState(text: string, file: string): TfResource[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const trimmed = text.trim();
    // A state is one JSON object: one that opens and never closes was cut off (a partial download or copy).
    const message = (e as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const truncated =
      trimmed.startsWith('{') &&
      (!trimmed.endsWith('}') ||
        /end of JSON input/.test(message) ||
        (position !== undefined && Number(position) >= text.trimEnd().length));
    // The parser's message quotes the text around the fault; the state may hold secrets, so quotes are dropped.
    const reason = message.replace(/"[^"]*"|'[^']*'/g, '…');
    throw new ConfigError([
      `${file}: ${truncated ? 'truncated state (the JSON ends early)' : 'not JSON'}: ${reason}`,
    ]);
  }
  if (!isObject(doc))
    throw new ConfigError([`${file}: not a Terraform state (a JSON object expected)`]);
  if ('format_version' in doc && 'values' in doc) return readShowJson(doc, file);
  if ('format_version' in doc && !('values' in doc)) {
    if ('planned_values' in doc)
      throw new ConfigError([
        `${file}: a plan, not a state: run \`terraform show -json\` without a plan file`,
      ]);
    throw new ConfigError([
      `${file}: \`terraform show -json\` output without "values": the state is empty`,
    ]);
  }
  if ('version' in doc) return readRawState(doc, file);
  throw new ConfigError([
    `${file}: not a Terraform state: neither a state file ("version": 4) nor \`terraform show -json\` output ("format_version")`,
  ]);
}

function readRawState(doc: Record<string, unknown>, file: string): TfResource[] {
  const version = doc['version'];
  if (version !== 4) {
    const older = typeof version === 'number' && version < 4;
    throw new ConfigError([
      older
        ? `${file}: state format version ${version} is older than 4 (Terraform 0.12+): upgrade it by running \`terraform init\` and \`terraform apply -refresh-only\` with Terraform 0.12 or later (or \`terraform state pull\` after one), then import again`
        : `${file}: unknown state format version ${JSON.stringify(version)}: only version 4 (Terraform 0.12 and later) is understood; \`terraform show -json\` output is also accepted`,
    ]);
  }
  const resources = doc['resources'];
  if (!Array.isArray(resources)) throw new ConfigError([`${file}: "resources" must be a list`]);
  const out: TfResource[] = [];
  for (const [i, r] of resources.entries()) {
    if (!isObject(r)) throw new ConfigError([`${file}: resources[${i}] must be an object`]);
    const mode = r['mode'];
    const type = r['type'];
    const name = r['name'];
    const module = r['module'] ?? '';
    const base = `${typeof module === 'string' && module !== '' ? `${module}.` : ''}${mode === 'data' ? 'data.' : ''}${String(type)}.${String(name)}`;
    if (typeof type !== 'string' || typeof name !== 'string' || typeof module !== 'string')
      throw new ConfigError([
        `${file}: resources[${i}] (${base}) needs string "type", "name" (and "module")`,
      ]);
    if (mode === 'data') continue;
    if (mode !== 'managed')
      throw new ConfigError([`${file}: ${base}: unknown mode ${JSON.stringify(mode)}`]);
    const provider = typeof r['provider'] === 'string' ? r['provider'] : '';
    const instances = r['instances'];
    if (!Array.isArray(instances))
      throw new ConfigError([`${file}: ${base}: "instances" must be a list`]);
    for (const inst of instances) {
      if (!isObject(inst))
        throw new ConfigError([`${file}: ${base}: an instance must be an object`]);
      const indexKey = inst['index_key'];
      if (indexKey !== undefined && typeof indexKey !== 'string' && typeof indexKey !== 'number')
        throw new ConfigError([`${file}: ${base}: index_key must be a number or a string`]);
      const address = base + indexSuffix(indexKey);
      // A deposed (create_before_destroy leftover) object is not the live one: only the current object is read.
      if (inst['deposed'] !== undefined) continue;
      const attributes = inst['attributes'];
      if (!isObject(attributes)) {
        throw new ConfigError([
          `${file}: ${address}: "attributes" missing or not an object${inst['attributes_flat'] !== undefined ? ' (flat attributes of Terraform 0.11: upgrade the state with Terraform 0.12 or later)' : ''}`,
        ]);
      }
      const paths = sensitivePathsOfRaw(inst['sensitive_attributes'], `${file}: ${address}`);
      out.push(resource(address, type, name, module, indexKey, provider, attributes, paths));
    }
  }
  return out;
}

function readShowJson(doc: Record<string, unknown>, file: string): TfResource[] {
  const fv = doc['format_version'];
  if (typeof fv !== 'string' || !/^1\.\d+$/.test(fv))
    throw new ConfigError([
      `${file}: \`terraform show -json\` format_version ${JSON.stringify(fv)} is not understood (1.x expected)`,
    ]);
  const values = doc['values'];
  if (!isObject(values)) throw new ConfigError([`${file}: "values" must be an object`]);
  const out: TfResource[] = [];
  const walk = (mod: unknown, where: string): void => {
    if (mod === undefined) return;
    if (!isObject(mod)) throw new ConfigError([`${file}: ${where} must be an object`]);
    const resources = mod['resources'] ?? [];
    if (!Array.isArray(resources))
      throw new ConfigError([`${file}: ${where}.resources must be a list`]);
    const moduleAddress = typeof mod['address'] === 'string' ? mod['address'] : '';
    for (const [i, r] of resources.entries()) {
      if (!isObject(r))
        throw new ConfigError([`${file}: ${where}.resources[${i}] must be an object`]);
      const address = r['address'];
      if (typeof address !== 'string')
        throw new ConfigError([`${file}: ${where}.resources[${i}] has no address`]);
      if (r['mode'] === 'data') continue;
      const type = r['type'];
      const name = r['name'];
      if (typeof type !== 'string' || typeof name !== 'string')
        throw new ConfigError([`${file}: ${address}: needs string "type" and "name"`]);
      if (r['mode'] !== 'managed')
        throw new ConfigError([`${file}: ${address}: unknown mode ${JSON.stringify(r['mode'])}`]);
      const indexKey = r['index'];
      if (indexKey !== undefined && typeof indexKey !== 'string' && typeof indexKey !== 'number')
        throw new ConfigError([`${file}: ${address}: index must be a number or a string`]);
      const attributes = r['values'];
      if (!isObject(attributes))
        throw new ConfigError([`${file}: ${address}: "values" missing or not an object`]);
      const paths = sensitivePathsOfMask(r['sensitive_values'], `${file}: ${address}`);
      const provider = typeof r['provider_name'] === 'string' ? r['provider_name'] : '';
      out.push(resource(address, type, name, moduleAddress, indexKey, provider, attributes, paths));
    }
    const children = mod['child_modules'] ?? [];
    if (!Array.isArray(children))
      throw new ConfigError([`${file}: ${where}.child_modules must be a list`]);
    children.forEach((c, i) => walk(c, `${where}.child_modules[${i}]`));
  };
  walk(values['root_module'], 'values.root_module');
  return out;
}

function resource(
  address: string,
  type: string,
  name: string,
  module: string,
  indexKey: string | number | undefined,
  provider: string,
  attributes: Record<string, unknown>,
  paths: readonly SensitivePath[],
): TfResource {
  const { values, withheld } = withholdSensitive(attributes, paths);
  return { address, type, name, module, indexKey, provider, values, withheld };
}

function indexSuffix(key: string | number | undefined): string {
  if (key === undefined) return '';
  return typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

/**
 * `sensitive_attributes` of a raw state: a list of paths, each a list of steps `{type: get_attr|index, value}`
 * (Terraform 0.15+), or, in later versions, one object per path holding such a list. Anything else is refused:
 * a path misread would let a secret through.
 */
function sensitivePathsOfRaw(raw: unknown, where: string): SensitivePath[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError([`${where}: sensitive_attributes must be a list`]);
  return raw.map((p, i) => {
    const steps = Array.isArray(p)
      ? p
      : isObject(p) && Array.isArray(p['path'])
        ? p['path']
        : undefined;
    if (!steps) throw new ConfigError([`${where}: sensitive_attributes[${i}] is not a path`]);
    return steps.map((s, j) => {
      if (!isObject(s) || (s['type'] !== 'get_attr' && s['type'] !== 'index'))
        throw new ConfigError([`${where}: sensitive_attributes[${i}][${j}] is not a path step`]);
      const v = s['value'];
      if (isObject(v) && 'value' in v) return v['value'] as string | number; // {value, type} form of index keys
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new ConfigError([`${where}: sensitive_attributes[${i}][${j}] has no key`]);
      return v;
    });
  });
}

/** `sensitive_values` of `show -json`: the shape of the values, `true` where a value is sensitive. */
function sensitivePathsOfMask(mask: unknown, where: string): SensitivePath[] {
  if (mask === undefined || mask === null || mask === false) return [];
  const out: SensitivePath[] = [];
  const walk = (m: unknown, path: (string | number)[]): void => {
    if (m === true) out.push(path);
    else if (Array.isArray(m)) m.forEach((x, i) => walk(x, [...path, i]));
    else if (isObject(m)) for (const [k, x] of Object.entries(m)) walk(x, [...path, k]);
    else if (m !== false) throw new ConfigError([`${where}: sensitive_values is malformed`]);
  };
  walk(mask, []);
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
