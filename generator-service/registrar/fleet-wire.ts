/**
 * The fleet as the split registrar reads it from the generator: `GET /api/v1/registrar/fleet` answers
 * `{"fleet": {version, builtAt, parts, clusters}}`. It is the generator's serving snapshot with what getparams
 * leaves out on purpose: each cluster's CA data (needed for its Secret) and the state of each source part (needed
 * to prove that a cluster left before its Secret is pruned). Both sides of the wire live here so they cannot drift.
 */
import type { Cluster } from '../../core/cluster';
import type { FleetSnapshot, SourcePart } from '../../core/snapshot';

export const FLEET_PATH = '/api/v1/registrar/fleet';

/** The snapshot fields the registrar reads; addon defaults are the generator's business only. */
export type FleetView = Pick<FleetSnapshot, 'version' | 'builtAt' | 'parts' | 'clusters'>;

export function encodeFleet(snapshot: FleetSnapshot): Buffer {
  const view: FleetView = {
    version: snapshot.version,
    builtAt: snapshot.builtAt,
    parts: snapshot.parts,
    clusters: snapshot.clusters,
  };
  return Buffer.from(JSON.stringify({ fleet: view }), 'utf8');
}

/** A reply that is not a complete fleet. Its message names the first fields at fault (no values). */
export class ShapelessFleetError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the generator's fleet reply is not a complete fleet: ${problems.join('; ')}`);
    this.name = 'ShapelessFleetError';
  }
}

const MAX_PROBLEMS = 5;

/**
 * Validates a parsed reply and returns the fleet, or throws ShapelessFleetError. Everything the registrar reads is
 * checked: a field missing here would otherwise become an empty Secret field, or a cluster "gone".
 */
export function decodeFleet(body: unknown): FleetView {
  const problems: string[] = [];
  const fleet = isObject(body) ? body['fleet'] : undefined;
  if (!isObject(fleet)) throw new ShapelessFleetError(['no "fleet" object']);
  const version = fleet['version'];
  const builtAt = fleet['builtAt'];
  if (!isCount(version)) problems.push('fleet.version is not a non-negative integer');
  if (!isCount(builtAt)) problems.push('fleet.builtAt is not a non-negative integer');

  const rawParts = fleet['parts'];
  const parts: SourcePart[] = [];
  if (!Array.isArray(rawParts) || rawParts.length === 0) {
    // Every source has at least one part; without them no removal could ever be proven or refused.
    problems.push('fleet.parts is not a non-empty array');
  } else {
    rawParts.forEach((p, i) => {
      const part = decodePart(p);
      if (part === undefined) problems.push(`fleet.parts[${i}] is not a source part`);
      else parts.push(part);
    });
  }

  const rawClusters = fleet['clusters'];
  const clusters: Cluster[] = [];
  if (!Array.isArray(rawClusters)) problems.push('fleet.clusters is not an array');
  else {
    (rawClusters as unknown[]).forEach((c, i) => {
      const field = clusterProblem(c);
      if (field !== undefined) problems.push(`fleet.clusters[${i}].${field} is missing or invalid`);
      // Every field the registrar reads was checked just above.
      else clusters.push(c as Cluster);
    });
  }
  if (problems.length > 0) throw new ShapelessFleetError(problems.slice(0, MAX_PROBLEMS));
  return { version: version as number, builtAt: builtAt as number, parts, clusters };
}

function decodePart(p: unknown): SourcePart | undefined {
  if (!isObject(p) || !isNonEmptyString(p['id'])) return undefined;
  const { lastSuccessAt, lastError, scope } = p;
  if (lastSuccessAt !== undefined && !isCount(lastSuccessAt)) return undefined;
  if (lastError !== undefined && typeof lastError !== 'string') return undefined;
  let decodedScope: SourcePart['scope'];
  if (scope !== undefined) {
    if (!isObject(scope) || !isNonEmptyString(scope['accountId'])) return undefined;
    if (!isNonEmptyString(scope['region'])) return undefined;
    decodedScope = { accountId: scope['accountId'], region: scope['region'] };
  }
  return {
    id: p['id'],
    lastSuccessAt: lastSuccessAt,
    lastError: lastError,
    ...(decodedScope === undefined ? {} : { scope: decodedScope }),
  };
}

/** The first field of a cluster the registrar needs that is absent or of the wrong type. */
function clusterProblem(c: unknown): string | undefined {
  if (!isObject(c)) return '(cluster)';
  if (!isNonEmptyString(c['name'])) return 'name';
  for (const key of ['server', 'project', 'caData']) {
    if (typeof c[key] !== 'string') return key;
  }
  for (const key of ['labels', 'annotations']) {
    if (!isStringMap(c[key])) return key;
  }
  const aws = c['aws'];
  if (!isObject(aws)) return 'aws';
  for (const key of ['accountId', 'region', 'clusterName']) {
    if (!isNonEmptyString(aws[key])) return `aws.${key}`;
  }
  for (const key of ['arn', 'status']) {
    if (typeof aws[key] !== 'string') return `aws.${key}`;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isStringMap(v: unknown): boolean {
  return isObject(v) && Object.values(v).every((x) => typeof x === 'string');
}
