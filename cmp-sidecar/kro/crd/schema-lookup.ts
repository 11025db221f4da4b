import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compileSimpleSchema } from '../simpleschema/compile';
import { withAckEnums } from './ack-enums';
import { isMap, type JsonMap } from '../types';

/**
 * OpenAPI schemas of the kinds RGD templates may create: CRDs read from a directory (the sidecar mounts them;
 * EKS_OVERLAY_CRD_DIR) plus the instance CRDs that RGDs in the same render generate (kro chaining).
 */
export interface KindSchema {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly schema: JsonMap;
  /** Where it came from (CRD file or `ResourceGraphDefinition x`), for messages. */
  readonly origin: string;
}

export interface SchemaLookup {
  find(apiVersion: string, kind: string): KindSchema | undefined;
  /** True when a CRD given to the render belongs to `group`: that group's kinds are all known then. */
  crdGroup(group: string): boolean;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** A CRD file found by a cheap scan of its text; parsed only when a template needs one of its kinds. */
export interface LazyCrdFile {
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  load(): KindSchema[];
}

export function createSchemaLookup(
  entries: readonly KindSchema[],
  lazy: readonly LazyCrdFile[] = [],
  crdGroups: ReadonlySet<string> = new Set(),
): SchemaLookup {
  const byKey = new Map<string, KindSchema>();
  const add = (e: KindSchema) => {
    const key = `${e.group}/${e.version}/${e.kind}`;
    if (!byKey.has(key)) byKey.set(key, e);
  };
  for (const e of entries) add(e);
  const pending = new Map<string, LazyCrdFile[]>();
  for (const l of lazy) {
    const k = `${l.group}/${l.kind}`;
    pending.set(k, [...(pending.get(k) ?? []), l]);
  }
  return {
    find(apiVersion, kind) {
      const { group, version } = splitApiVersion(apiVersion);
      const waiting = pending.get(`${group}/${kind}`);
      if (waiting) {
        pending.delete(`${group}/${kind}`);
        for (const l of waiting) for (const e of l.load()) add(e);
      }
      return byKey.get(`${group}/${version}/${kind}`);
    },
    crdGroup: (group) => crdGroups.has(group),
  };
}

export const emptySchemaLookup: SchemaLookup = { find: () => undefined, crdGroup: () => false };

export interface CrdDirectory {
  /** CRDs whose group and kind a text scan could not tell, parsed eagerly. */
  readonly entries: readonly KindSchema[];
  readonly lazy: readonly LazyCrdFile[];
  /** Files that could not be read or parsed (reported as warnings: the check is best effort). */
  readonly problems: string[];
}

/**
 * Directories indexed before, each with the digest of its files when it was read. A process may render many times
 * (the warm render server), so an entry is used only while its files are byte for byte what was indexed: a cache
 * that can never change a render's result. Bounded, oldest out: Argo CD extracts each request into a new directory.
 */
const dirCache = new Map<string, IndexedDirectory>();
const DIR_CACHE_ENTRIES = 32;

/** What is kept of a directory: the eagerly parsed CRDs and their problems, and the lazy files' text. */
interface IndexedDirectory {
  readonly signature: string | undefined;
  readonly entries: readonly KindSchema[];
  readonly problems: readonly string[];
  readonly lazy: readonly { file: string; group: string; kind: string; text: string }[];
}

/**
 * A digest of `dir`'s entries and of every file's bytes; undefined when it cannot be read (never cached). Reading
 * is cheap next to parsing, and unlike file times (a kernel tick apart) a digest never misses a change.
 */
function directorySignature(dir: string): string | undefined {
  try {
    const digest = createHash('sha256');
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const st = statSync(file, { throwIfNoEntry: false });
      digest.update(`${name}\0${st?.isFile() === true ? 'f' : '-'}\0`);
      if (st?.isFile() === true) digest.update(readFileSync(file));
    }
    return digest.digest('hex');
  } catch {
    return undefined;
  }
}
const GROUP_RE = /^ {2}group:\s*["']?([a-z0-9.-]+)["']?\s*$/m;
const NAMES_KIND_RE = /^ {2}names:\s*\n(?: {4}.*\n)*? {4}kind:\s*["']?([A-Za-z0-9]+)["']?\s*$/m;

/**
 * Indexes every CustomResourceDefinition in `dir` (*.yaml, *.yml, *.json; not recursive), again only when its files
 * changed.
 * Large CRDs (Argo CD's ApplicationSet among them) take long to parse (cmp-sidecar/README.md, "Measured"), so
 * files are only scanned for their group and kind here and parsed when a template of that kind is checked. Each
 * call gets its own `problems`: a lazy file's problem belongs to the render that parsed it.
 */
export function loadCrdDirectory(dir: string): CrdDirectory {
  const signature = directorySignature(dir);
  const cached = dirCache.get(dir);
  if (cached !== undefined && signature !== undefined && cached.signature === signature)
    return forOneRender(cached);
  const indexed = indexDirectory(dir, signature);
  dirCache.delete(dir);
  if (signature !== undefined) {
    dirCache.set(dir, indexed);
    for (const oldest of dirCache.keys()) {
      if (dirCache.size <= DIR_CACHE_ENTRIES) break;
      dirCache.delete(oldest);
    }
  }
  return forOneRender(indexed);
}

function forOneRender(indexed: IndexedDirectory): CrdDirectory {
  const problems = [...indexed.problems];
  return {
    entries: indexed.entries,
    lazy: indexed.lazy.map(({ file, group, kind, text }) => ({
      file,
      group,
      kind,
      load: () => parseCrdFile(file, text, problems),
    })),
    problems,
  };
}

function parseCrdFile(file: string, text: string, problems: string[]): KindSchema[] {
  const out: KindSchema[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      problems.push(`${file}: not valid YAML`);
      break;
    }
    const obj: unknown = doc.toJS();
    if (isMap(obj)) out.push(...kindSchemasFromCrd(obj, file));
  }
  return out;
}

function indexDirectory(dir: string, signature: string | undefined): IndexedDirectory {
  const entries: KindSchema[] = [];
  const lazy: { file: string; group: string; kind: string; text: string }[] = [];
  const problems: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((n) => /\.(ya?ml|json)$/.test(n))
      .sort();
  } catch (e) {
    problems.push(
      `CRD directory ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      const text = readFileSync(file, 'utf8');
      const group = GROUP_RE.exec(text)?.[1];
      const kind = NAMES_KIND_RE.exec(text)?.[1];
      const single = text.split(/^---\s*$/m).filter((d) => d.trim() !== '').length <= 1;
      if (
        group !== undefined &&
        kind !== undefined &&
        single &&
        /^kind:\s*CustomResourceDefinition\s*$/m.test(text)
      ) {
        lazy.push({ file, group, kind, text });
      } else {
        entries.push(...parseCrdFile(file, text, problems));
      }
    } catch (e) {
      problems.push(`${file}: cannot be read (${(e as Error).message})`);
    }
  }
  return { signature, entries, problems, lazy };
}

export function kindSchemasFromCrd(crd: JsonMap, origin: string): KindSchema[] {
  if (crd['kind'] !== 'CustomResourceDefinition') return [];
  const spec = crd['spec'];
  if (!isMap(spec) || !isMap(spec['names'])) return [];
  const group = spec['group'];
  const kind = spec['names']['kind'];
  if (typeof group !== 'string' || typeof kind !== 'string') return [];
  const scope = spec['scope'] === 'Cluster' ? 'Cluster' : 'Namespaced';
  const versions = Array.isArray(spec['versions']) ? (spec['versions'] as unknown[]) : [];
  const out: KindSchema[] = [];
  for (const v of versions) {
    if (!isMap(v) || typeof v['name'] !== 'string' || v['served'] === false) continue;
    const schema = isMap(v['schema']) ? v['schema']['openAPIV3Schema'] : undefined;
    if (isMap(schema)) {
      out.push({
        group,
        version: v['name'],
        kind,
        scope,
        schema: withAckEnums(group, kind, schema),
        origin,
      });
    }
  }
  return out;
}

/** The instance CRD an RGD generates (§1.5), so templates of that kind can be checked too. */
export function kindSchemaFromRgd(rgd: JsonMap, rgdName: string): KindSchema | undefined {
  const spec = rgd['spec'];
  const schema = isMap(spec) ? spec['schema'] : undefined;
  if (!isMap(schema)) return undefined;
  const { kind, apiVersion } = schema;
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') return undefined;
  const compiled = compileSimpleSchema(
    schema['spec'],
    schema['types'],
    'spec.schema.spec',
    'spec.schema.types',
  );
  if (compiled.issues.length > 0) return undefined;
  return {
    group: typeof schema['group'] === 'string' ? schema['group'] : 'kro.run',
    version: apiVersion,
    kind,
    scope: schema['scope'] === 'Cluster' ? 'Cluster' : 'Namespaced',
    schema: {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: compiled.schema,
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    origin: `ResourceGraphDefinition ${rgdName}`,
  };
}
