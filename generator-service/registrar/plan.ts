import type { SourcePart } from '../../core/snapshot';
import type { DesiredSecret, SecretContent } from './desired';
import { installationOf, ownerOf, REGISTRAR_ANNOTATIONS } from './desired';

/** A cluster Secret as read from the API, `data` decoded to strings. */
export interface ActualSecret extends SecretContent {
  readonly resourceVersion: string;
}

export type ConflictKind = 'foreign-server' | 'name-taken';

export interface Conflict {
  readonly kind: ConflictKind;
  /** The Secret we would write. */
  readonly desired: string;
  /** The Secret in the way. */
  readonly foreign: string;
  /** Whose it is: hand-made (or another tool's), or another registrar installation's (its id). */
  readonly owner:
    { readonly kind: 'foreign' } | { readonly kind: 'other-installation'; readonly id: string };
  readonly server: string;
}

/** Why an owned Secret whose cluster is not (registrable) in the snapshot stays. */
export type KeepReason =
  | 'cluster-not-registrable'
  | 'part-unknown'
  | 'part-failing'
  | 'fleet-read-failing'
  | 'prune-disabled';

export interface Plan {
  readonly create: readonly DesiredSecret[];
  readonly update: readonly { desired: DesiredSecret; actual: ActualSecret }[];
  readonly delete: readonly ActualSecret[];
  readonly unchanged: readonly string[];
  readonly keep: readonly { name: string; reason: KeepReason }[];
  readonly conflicts: readonly Conflict[];
}

export interface PlanInput {
  readonly desired: readonly DesiredSecret[];
  /** Names of the Secrets of every cluster in the snapshot, registrable or not: those are never pruned. */
  readonly inSnapshot: ReadonlySet<string>;
  /** Every Secret labelled as an Argo CD cluster in the namespace, owned or not. */
  readonly actual: readonly ActualSecret[];
  readonly parts: readonly SourcePart[];
  readonly prune: boolean;
  /** This registrar's REGISTRAR_INSTALLATION_ID: it writes and deletes only Secrets of this installation. */
  readonly installationId: string;
  /**
   * True while the latest read of the fleet was refused (split registrar): the snapshot is the last accepted one,
   * and while the generator is failing nothing is deleted, not even a retry of a removal decided before.
   */
  readonly fleetReadFailing?: boolean;
}

export function planReconcile(input: PlanInput): Plan {
  const byName = new Map(input.actual.map((s) => [s.name, s]));
  const mine = (s: ActualSecret) => ownerOf(s.labels, input.installationId) === 'this';
  const foreignByServer = new Map<string, ActualSecret>();
  for (const s of input.actual) {
    if (!mine(s) && s.data['server'] !== undefined) {
      foreignByServer.set(trimSlash(s.data['server']), s);
    }
  }

  const plan = {
    create: [] as DesiredSecret[],
    update: [] as { desired: DesiredSecret; actual: ActualSecret }[],
    delete: [] as ActualSecret[],
    unchanged: [] as string[],
    keep: [] as { name: string; reason: KeepReason }[],
    conflicts: [] as Conflict[],
  };

  for (const desired of input.desired) {
    const foreign = foreignByServer.get(trimSlash(desired.server));
    if (foreign !== undefined) {
      // A registration that is not ours wins: two Secrets for one server make Argo CD pick either at random.
      plan.conflicts.push({
        kind: 'foreign-server',
        desired: desired.name,
        foreign: foreign.name,
        owner: ownerDetail(foreign, input.installationId),
        server: desired.server,
      });
      continue;
    }
    const actual = byName.get(desired.name);
    if (actual === undefined) plan.create.push(desired);
    else if (!mine(actual)) {
      plan.conflicts.push({
        kind: 'name-taken',
        desired: desired.name,
        foreign: actual.name,
        owner: ownerDetail(actual, input.installationId),
        server: desired.server,
      });
    } else if (sameContent(desired, actual)) plan.unchanged.push(desired.name);
    else plan.update.push({ desired, actual });
  }

  const desiredNames = new Set(input.desired.map((d) => d.name));
  for (const actual of input.actual) {
    if (!mine(actual) || desiredNames.has(actual.name)) continue;
    const reason = removalBlocker(actual, input);
    if (reason === undefined) plan.delete.push(actual);
    else plan.keep.push({ name: actual.name, reason });
  }
  return plan;
}

/**
 * An owned Secret is deleted only when the snapshot proves its cluster is gone: its part (recorded on the Secret,
 * or found by account and region) is present and its last listing succeeded, and pruning is on.
 */
function removalBlocker(actual: ActualSecret, input: PlanInput): KeepReason | undefined {
  if (input.inSnapshot.has(actual.name)) return 'cluster-not-registrable';
  const part = partOfSecret(actual, input.parts);
  if (part === undefined) return 'part-unknown';
  if (part.lastError !== undefined || part.lastSuccessAt === undefined) return 'part-failing';
  if (input.fleetReadFailing === true) return 'fleet-read-failing';
  if (!input.prune) return 'prune-disabled';
  return undefined;
}

function ownerDetail(s: ActualSecret, installationId: string): Conflict['owner'] {
  return ownerOf(s.labels, installationId) === 'foreign'
    ? { kind: 'foreign' }
    : { kind: 'other-installation', id: installationOf(s.labels) };
}

export function partOfSecret(
  actual: SecretContent,
  parts: readonly SourcePart[],
): SourcePart | undefined {
  const partId = actual.annotations[REGISTRAR_ANNOTATIONS.sourcePart];
  if (partId !== undefined) {
    const byId = parts.find((p) => p.id === partId);
    if (byId) return byId;
  }
  const accountId = actual.annotations[REGISTRAR_ANNOTATIONS.accountId];
  const region = actual.annotations[REGISTRAR_ANNOTATIONS.region];
  if (accountId === undefined || region === undefined) return undefined;
  return parts.find((p) => p.scope?.accountId === accountId && p.scope.region === region);
}

/** Exact equality of labels, annotations and data: anything added or changed by hand is drift to repair. */
export function sameContent(a: SecretContent, b: SecretContent): boolean {
  return (
    sameMap(a.labels, b.labels) && sameMap(a.annotations, b.annotations) && sameMap(a.data, b.data)
  );
}

function sameMap(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

function trimSlash(server: string): string {
  return server.replace(/\/+$/, '');
}
