/**
 * The fleet query: `input.parameters` parsed and validated (cluster-query.ts), then applied to a snapshot
 * (select.ts) with the checks that refuse a whole query rather than answer part of it (query-coverage.ts, the
 * glob budget, add-on versions). Shared by the generator and anything else that must select clusters exactly as
 * the generator does; it reaches no SDK and no HTTP layer.
 */
export {
  inputErrorOf,
  parseClusterQuery,
  quote,
  typeName,
  type ClusterQuery,
} from './cluster-query';
export { checkQueryCovered, coverageOf } from './query-coverage';
export {
  MAX_NAME_GLOB_WORK,
  minorVersion,
  paramSetOf,
  selectClusters,
  selectForQuery,
  type ParamSet,
} from './select';
