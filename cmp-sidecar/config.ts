import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import { ConfigError } from '../core/errors';
import { formatBytes, LIMITS } from './render/limits';
import { isInside } from './render/inside';
import { lineOverTokenLimit } from './render/token-limit';
import { cachedParse, remember } from './render/parsed-yaml-cache';
import { decodeText } from './render/read-text';
import { setOwn } from './render/set-own';
import { CONFIG_FILE } from './render/config-file';
import { sectionsOf } from './render/stages';
import type { ObjectStage } from './render/stages';
import type { OverlayConfig, ParameterDeclaration, SourceRef } from './render/types';
import { objectStages } from './stages';

/** The keys this loader reads itself; every other top-level key belongs to a stage (StageConfig.keys). */
const OWN_KEYS = ['layers', 'allowEmpty', 'parameters', 'yaml'] as const;
/** Names of OverlayConfig's own fields, which a stage's key would overwrite. */
const RESERVED_KEYS = new Set<string>([...OWN_KEYS, 'layerRefs', 'sources', 'stageSettings']);
const DUPLICATE_KEYS = ['warn', 'error'] as const;
const PARAM_KEYS = new Set(['name', 'title', 'tooltip', 'required', 'string', 'array', 'map']);
const RESERVED_PARAMS = new Set(['cluster']);
/** Parameter names that would reach for prototypes in `params` (templates refuse these names anyway). */
const FORBIDDEN_PARAM_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
/** Alias expansion allowed in eks-overlay.yaml (yaml's maxAliasCount: anchors × nodes they expand to). */
const MAX_ALIAS_COUNT = 1000;

/**
 * Reads and validates `<appDir>/eks-overlay.yaml`, the stages' sections included (each by its stage); every problem
 * of every section is reported at once as a ConfigError. The file may be a symlink inside `rootDir` (the
 * repository); one that leads outside it, or nowhere, is refused.
 */
export async function loadOverlayConfig(
  appDir: string,
  rootDir: string = appDir,
  stages: readonly ObjectStage[] = objectStages,
): Promise<OverlayConfig> {
  const file = await confinedConfigFile(appDir, rootDir);
  let bytes: Buffer;
  try {
    const size = (await stat(file)).size;
    if (size > LIMITS.maxFileBytes) {
      throw new ConfigError([
        `${CONFIG_FILE}: is ${formatBytes(size)}, over the limit of ${formatBytes(LIMITS.maxFileBytes)} per file`,
      ]);
    }
    bytes = await readFile(file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(
      [`${CONFIG_FILE}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`],
      {
        cause: e,
      },
    );
  }
  const text = decodeText(bytes, CONFIG_FILE, (message) => new ConfigError([message]));
  const { config, issues } = readOverlayConfig(text, CONFIG_FILE, stages);
  const settings = new Map<object, unknown>();
  const sections = sectionsOf(config);
  for (const stage of stages) {
    if (stage.config !== undefined)
      settings.set(stage.config, stage.config.parse(sections, issues));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { ...config, stageSettings: settings };
}

/** The real path of eks-overlay.yaml once its symlinks (if any) are known to stay inside the repository. */
async function confinedConfigFile(appDir: string, rootDir: string): Promise<string> {
  const file = path.join(appDir, CONFIG_FILE);
  const link = await lstat(file).catch(() => undefined);
  if (link === undefined || !link.isSymbolicLink()) return file; // absent: reported when it is read
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([
      `${CONFIG_FILE}: ${code === 'ENOENT' ? 'is a dangling symlink' : code === 'ELOOP' ? 'is a symlink loop' : `cannot be resolved (${code})`}; refused`,
    ]);
  }
  if (!isInside(real, rootDir)) {
    throw new ConfigError([
      `${CONFIG_FILE}: is a symlink that resolves outside the repository; refused`,
    ]);
  }
  return real;
}

/**
 * Parses eks-overlay.yaml's text and validates the keys the loader owns (a ConfigError listing every problem); the
 * stages' sections stay as YAML read them, for each stage to validate (loadOverlayConfig does it at once).
 */
export function parseOverlayConfig(
  text: string,
  file: string,
  stages: readonly ObjectStage[] = objectStages,
): OverlayConfig {
  const { config, issues } = readOverlayConfig(text, file, stages);
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/** The keys of eks-overlay.yaml, in the order the "allowed" list names them: the loader's, then each stage's. */
function knownKeys(stages: readonly ObjectStage[]): Set<string> {
  const known = new Set<string>(OWN_KEYS);
  for (const stage of stages) {
    for (const key of stage.config?.keys ?? []) {
      if (known.has(key) || RESERVED_KEYS.has(key)) {
        // A bug in the stage list (exit 70), not in the user's file.
        throw new Error(
          `stage ${stage.name} claims the eks-overlay.yaml key "${key}", which is taken`,
        );
      }
      known.add(key);
    }
  }
  return known;
}

/**
 * The config and the problems of the loader's own keys. Problems that leave nothing to read further (invalid YAML,
 * duplicate keys, a root that is not a map, too many tokens) are thrown at once as a ConfigError.
 */
function readOverlayConfig(
  text: string,
  file: string,
  stages: readonly ObjectStage[],
): { config: OverlayConfig; issues: string[] } {
  const KNOWN_KEYS = knownKeys(stages);
  const tooMany = lineOverTokenLimit(text);
  if (tooMany !== undefined) {
    throw new ConfigError([
      `${file}:${tooMany}: more than ${LIMITS.maxYamlTokens} YAML tokens (the limit per file)`,
    ]);
  }
  const { doc, lines } = parseConfigDocument(text);
  const at = (node: Node | null | undefined): SourceRef => {
    const offset = node?.range?.[0];
    return offset === undefined ? { file } : { file, line: lines.linePos(offset).line };
  };
  const where = (node: Node | null | undefined): string => {
    const ref = at(node);
    return ref.line === undefined ? ref.file : `${ref.file}:${ref.line}`;
  };
  const issues: string[] = [];
  for (const err of doc.errors) {
    issues.push(
      `${file}:${lines.linePos(err.pos[0]).line}: invalid YAML: ${firstLine(err.message)}`,
    );
  }
  if (issues.length === 0) {
    visit(doc, {
      Map: (_key, map) => {
        const seen = new Set<unknown>();
        for (const pair of map.items) {
          const k = isScalar(pair.key) ? pair.key.value : pair.key;
          if (seen.has(k)) {
            issues.push(`${where(pair.key as Node)}: invalid YAML: Map keys must be unique`);
          }
          seen.add(k);
        }
      },
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const root = doc.contents;
  if (!isMap(root)) {
    throw new ConfigError([`${where(root)}: must be a map with a "layers" list`]);
  }

  const toJs = (node: Node | null, fallback: Node | null): unknown => {
    try {
      return node === null ? null : (node.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }) as unknown);
    } catch (e) {
      // yaml throws a ReferenceError for an alias bomb (and for aliases to missing anchors): name the place.
      issues.push(
        `${where(node ?? fallback)}: ${firstLine(e instanceof Error ? e.message : String(e))}`,
      );
      return undefined;
    }
  };
  const sources: Record<string, SourceRef> = {};
  let layers: string[] = [];
  const layerRefs: SourceRef[] = [];
  let allowEmpty = false;
  let yamlOptions: OverlayConfig['yaml'];
  let parameters: ParameterDeclaration[] = [];
  const passed: Record<string, unknown> = {};
  let sawLayers = false;

  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (key === undefined || !KNOWN_KEYS.has(key)) {
      issues.push(
        `${where(keyNode)}: unknown key ${JSON.stringify(key ?? String(keyNode))} (allowed: ${[...KNOWN_KEYS].join(', ')})`,
      );
      continue;
    }
    sources[key] = at(keyNode);
    const value = pair.value as Node | null;
    switch (key) {
      case 'layers':
        sawLayers = true;
        layers = parseLayers(value, where, issues, (n) => layerRefs.push(at(n)));
        break;
      case 'allowEmpty':
        if (isScalar(value) && typeof value.value === 'boolean') allowEmpty = value.value;
        else issues.push(`${where(value ?? keyNode)}: allowEmpty must be true or false`);
        break;
      case 'parameters':
        parameters = parseParameters(value, where, issues, (n) => toJs(n, n));
        break;
      case 'yaml':
        yamlOptions = parseYamlOptions(value ?? keyNode, where, issues);
        break;
      default:
        // A stage's section: kept as YAML read it, for the stage to validate.
        setOwn(passed, key, toJs(value, keyNode) ?? null);
    }
  }
  if (!sawLayers) issues.push(`${file}: "layers" is required (a list of directories, e.g. [base])`);
  const config: OverlayConfig = {
    ...passed,
    layers,
    layerRefs,
    allowEmpty,
    parameters,
    ...(yamlOptions === undefined ? {} : { yaml: yamlOptions }),
    sources,
  };
  return { config, issues };
}

/** `yaml: {duplicateKeys: warn|error}`: how layer files are read. */
function parseYamlOptions(
  node: Node | null,
  where: (n: Node | null | undefined) => string,
  issues: string[],
): OverlayConfig['yaml'] {
  if (!isMap(node)) {
    issues.push(`${where(node)}: yaml must be a map, e.g. {duplicateKeys: error}`);
    return undefined;
  }
  let duplicateKeys: (typeof DUPLICATE_KEYS)[number] = 'warn';
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const value = pair.value as Node | null;
    if (key !== 'duplicateKeys') {
      issues.push(`${where(keyNode)}: unknown key "yaml.${key}" (allowed: duplicateKeys)`);
      continue;
    }
    const v = isScalar(value) ? value.value : undefined;
    if (v === 'warn' || v === 'error') duplicateKeys = v;
    else
      issues.push(
        `${where(value ?? keyNode)}: yaml.duplicateKeys must be ${DUPLICATE_KEYS.join(' or ')} (warn: the last value wins, as in Argo CD; error: refused, as in kustomize)`,
      );
  }
  return { duplicateKeys };
}

function parseLayers(
  node: Node | null,
  where: (n: Node | null | undefined) => string,
  issues: string[],
  onItem: (n: Node) => void,
): string[] {
  if (!isSeq(node) || node.items.length === 0) {
    issues.push(`${where(node)}: layers must be a non-empty list of directory paths`);
    return [];
  }
  const out: string[] = [];
  for (const item of node.items as (Node | null)[]) {
    if (isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') {
      out.push(item.value);
      onItem(item);
    } else issues.push(`${where(item)}: each layer must be a non-empty string path`);
  }
  return out;
}

function parseParameters(
  node: Node | null,
  where: (n: Node | null | undefined) => string,
  issues: string[],
  toJs: (n: Node) => unknown,
): ParameterDeclaration[] {
  if (!isSeq(node)) {
    issues.push(
      `${where(node)}: parameters must be a list of {name, title, tooltip, required, string|array|map}`,
    );
    return [];
  }
  const out: ParameterDeclaration[] = [];
  const seen = new Set<string>();
  for (const item of node.items as (Node | null)[]) {
    if (!isMap(item)) {
      issues.push(`${where(item)}: each parameter must be a map`);
      continue;
    }
    const raw = toJs(item) as Record<string, unknown> | undefined;
    if (raw === undefined) continue;
    const here = where(item);
    for (const k of Object.keys(raw))
      if (!PARAM_KEYS.has(k)) issues.push(`${here}: unknown parameter key "${k}"`);
    const name = raw['name'];
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      issues.push(`${here}: parameter name must be a string like "replicas"`);
      continue;
    }
    if (FORBIDDEN_PARAM_NAMES.has(name)) {
      issues.push(`${here}: parameter name "${name}" is not allowed`);
      continue;
    }
    if (RESERVED_PARAMS.has(name)) {
      issues.push(`${here}: parameter "${name}" is reserved (eks-overlay announces it itself)`);
      continue;
    }
    if (seen.has(name)) issues.push(`${here}: parameter "${name}" is declared twice`);
    seen.add(name);
    const kinds = (['string', 'array', 'map'] as const).filter((k) => raw[k] !== undefined);
    if (kinds.length > 1)
      issues.push(`${here}: parameter "${name}" may have only one of string, array, map`);
    const collectionType = kinds[0] ?? 'string';
    const decl: { -readonly [K in keyof ParameterDeclaration]: ParameterDeclaration[K] } = {
      name,
      required: false,
      collectionType,
    };
    for (const k of ['title', 'tooltip'] as const) {
      const v = raw[k];
      if (v === undefined) continue;
      if (typeof v === 'string') decl[k] = v;
      else issues.push(`${here}: parameter "${name}" ${k} must be a string`);
    }
    if (raw['required'] !== undefined) {
      if (typeof raw['required'] === 'boolean') decl.required = raw['required'];
      else issues.push(`${here}: parameter "${name}" required must be true or false`);
    }
    const def = raw[collectionType];
    if (collectionType === 'string' && def !== undefined) {
      if (typeof def === 'string') decl.string = def;
      else issues.push(`${here}: parameter "${name}" string default must be a quoted string`);
    } else if (collectionType === 'array') {
      if (Array.isArray(def) && def.every((v) => typeof v === 'string')) decl.array = def;
      else issues.push(`${here}: parameter "${name}" array default must be a list of strings`);
    } else if (collectionType === 'map') {
      if (isStringMap(def)) decl.map = def;
      else issues.push(`${here}: parameter "${name}" map default must map strings to strings`);
    }
    out.push(decl);
  }
  return out;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string')
  );
}

/** The document of eks-overlay.yaml's text; a render server's worker keeps it for the next render of the file. */
function parseConfigDocument(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const cached = cachedParse('config', text);
  if (cached?.docs[0] !== undefined) return { doc: cached.docs[0], lines: cached.lines };
  const lines = new LineCounter();
  // Duplicate keys are checked below in one pass: yaml's uniqueKeys is quadratic in the size of a map.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length === 0) remember('config', text, { docs: [doc], lines });
  return { doc, lines };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
