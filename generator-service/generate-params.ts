import type { ClusterQuery } from '../core/fleet-query/cluster-query';
import { paramSetOf, selectForQuery } from '../core/fleet-query/select';
import type { FleetSnapshot } from '../core/snapshot';
import { JsonBufferBuilder } from './http/json-buffer';

/**
 * The reply body `{"output":{"parameters":[...]}}` for a query on a snapshot (argocd-contract.md §A4), as the
 * bytes `JSON.stringify` would give for the whole object. Each parameter set is built and serialized in turn and
 * dropped, so neither a fleet-sized params array nor a fleet-sized string is ever held next to the cached reply.
 * Params are not cached per cluster either: the response cache keeps the bytes.
 */
export function generateParamsBody(snapshot: FleetSnapshot, q: ClusterQuery): Buffer {
  const selected = selectForQuery(snapshot, q);
  const out = new JsonBufferBuilder();
  out.append(q.flatList ? '{"output":{"parameters":[{"clusters":[' : '{"output":{"parameters":[');
  let first = true;
  for (const c of selected) {
    const set = JSON.stringify(paramSetOf(c, q, snapshot.addonDefaults));
    out.append(first ? set : `,${set}`);
    first = false;
  }
  out.append(q.flatList ? ']}]}}' : ']}}');
  return out.finish();
}
