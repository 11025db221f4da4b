import type { Cluster } from '../../../core/cluster';
import type { FleetMemory, ServedEntry } from '../memory';
import { StateStoreError } from './store';

/**
 * The fleet memory as stored (one JSON document, kept small: one short entry per served cluster):
 *
 * ```json
 * {
 *   "format": 1,
 *   "served":   { "<accountId>/<region>/<clusterName>": "<fleet name it was last served under>" },
 *   "absent":   { "<key>": <consecutive refreshes it was missing from> },
 *   "lastGood": { "<key>": <its last good Cluster, only while it is retained or quarantined> }
 * }
 * ```
 */
export interface StoredState {
  readonly served: Readonly<Record<string, string>>;
  readonly absent: Readonly<Record<string, number>>;
  readonly lastGood: Readonly<Record<string, Cluster>>;
}

export const STATE_FORMAT = 1;

export const EMPTY_STATE: StoredState = { served: {}, absent: {}, lastGood: {} };

/** What must be stored of `memory`: every served key and name, absence counts, last good clusters of held ones. */
export function stateOf(memory: FleetMemory): StoredState {
  const served: Record<string, string> = {};
  const absent: Record<string, number> = {};
  const lastGood: Record<string, Cluster> = {};
  for (const key of [...memory.keys()].sort()) {
    const e = memory.get(key) as ServedEntry;
    served[key] = e.name;
    if (e.absent > 0) absent[key] = e.absent;
    if (e.held && e.lastGood !== undefined) lastGood[key] = e.lastGood;
  }
  return { served, absent, lastGood };
}

/** The stored state as memory. `known` lends last good clusters this process has and the store need not hold. */
export function memoryOf(state: StoredState, known: FleetMemory = new Map()): FleetMemory {
  const memory = new Map<string, ServedEntry>();
  for (const [key, name] of Object.entries(state.served)) {
    const mine = known.get(key);
    const stored = state.lastGood[key];
    const lastGood = stored ?? (mine?.name === name ? mine.lastGood : undefined);
    // Held by whoever stored it: kept in the store until this process's next refresh judges the cluster itself.
    memory.set(key, { name, absent: state.absent[key] ?? 0, lastGood, held: stored !== undefined });
  }
  return memory;
}

export function serializeState(state: StoredState): string {
  return JSON.stringify({ format: STATE_FORMAT, ...state });
}

/** Parses a stored document; a document this version cannot trust is an error naming what is wrong. */
export function parseState(text: string | undefined, where: string): StoredState {
  if (text === undefined || text.trim() === '') return EMPTY_STATE;
  const bad = (what: string) => new StateStoreError(`${where}: ${what}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(doc)) throw bad('not a JSON object');
  if (doc['format'] !== STATE_FORMAT) {
    throw bad(`format ${JSON.stringify(doc['format'])} is not ${STATE_FORMAT}`);
  }
  const served = doc['served'] ?? {};
  const absent = doc['absent'] ?? {};
  const lastGood = doc['lastGood'] ?? {};
  if (!isRecord(served) || !Object.values(served).every((v) => typeof v === 'string' && v !== '')) {
    throw bad('"served" must map cluster keys to non-empty names');
  }
  if (
    !isRecord(absent) ||
    !Object.entries(absent).every(
      ([k, v]) => k in served && typeof v === 'number' && Number.isInteger(v) && v > 0,
    )
  ) {
    throw bad('"absent" must map served cluster keys to positive integers');
  }
  if (!isRecord(lastGood)) throw bad('"lastGood" must be an object');
  for (const [k, v] of Object.entries(lastGood)) {
    if (!isClusterShape(v)) throw bad(`"lastGood"."${k}" is not a cluster`);
    if (served[k] !== v.name) throw bad(`"lastGood"."${k}" is not named as "served" says`);
  }
  return {
    served: served as Record<string, string>,
    absent: absent as Record<string, number>,
    lastGood: lastGood as Record<string, Cluster>,
  };
}

/**
 * Our changes since `base` applied to `theirs` (what another replica wrote meanwhile): per cluster key, what we
 * changed wins, what we left alone is theirs.
 */
export function mergeState(base: StoredState, ours: StoredState, theirs: StoredState): StoredState {
  const served = { ...theirs.served };
  const absent = { ...theirs.absent };
  const lastGood = { ...theirs.lastGood };
  const keys = new Set([...Object.keys(base.served), ...Object.keys(ours.served)]);
  for (const key of keys) {
    if (entryText(base, key) === entryText(ours, key)) continue;
    delete served[key];
    delete absent[key];
    delete lastGood[key];
    const name = ours.served[key];
    if (name === undefined) continue;
    served[key] = name;
    const a = ours.absent[key];
    if (a !== undefined) absent[key] = a;
    const g = ours.lastGood[key];
    if (g !== undefined) lastGood[key] = g;
  }
  const sorted = <T>(r: Record<string, T>) =>
    Object.fromEntries(
      Object.keys(r)
        .sort()
        .map((k) => [k, r[k] as T]),
    );
  return { served: sorted(served), absent: sorted(absent), lastGood: sorted(lastGood) };
}

function entryText(s: StoredState, key: string): string {
  const name = s.served[key];
  return name === undefined ? '' : JSON.stringify([name, s.absent[key], s.lastGood[key]]);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringMap(v: unknown): boolean {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
}

const AWS_FIELDS = [
  'accountId',
  'region',
  'clusterName',
  'arn',
  'version',
  'platformVersion',
  'status',
  'endpoint',
  'oidcIssuer',
  'vpcId',
] as const;

/** Published as is, so a stored cluster must have the model's shape (strings where the model has strings). */
function isClusterShape(v: unknown): v is Cluster {
  if (!isRecord(v)) return false;
  const { aws, upgrade } = v;
  return (
    ['name', 'nameNormalized', 'server', 'project', 'caData'].every(
      (k) => typeof v[k] === 'string',
    ) &&
    isStringMap(v['labels']) &&
    isStringMap(v['annotations']) &&
    isRecord(aws) &&
    AWS_FIELDS.every((k) => typeof aws[k] === 'string') &&
    isStringMap(aws['tags']) &&
    isRecord(upgrade) &&
    ['group', 'color', 'weight'].every((k) => typeof upgrade[k] === 'string')
  );
}
