import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFleetYaml, type Fleet } from '../fleet-yaml';

/**
 * Where the bundled example fleet is. Tried in order: beside this module (sources, tests), then relative to the
 * bundle in dist/ (the repository layout), then dist/examples/ (a self-contained copy of the bundle).
 */
export function exampleFleetPath(): string {
  const candidates = [
    path.join(__dirname, 'fleet.yaml'),
    path.resolve(__dirname, '..', 'plugins', 'cluster-sources', 'examples', 'fleet.yaml'),
    path.join(__dirname, 'examples', 'fleet.yaml'),
  ];
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

/** The example fleet, parsed; throws if the bundled file is invalid (a bug the tests catch). */
export function readExampleFleet(): Fleet {
  const file = exampleFleetPath();
  const parsed = parseFleetYaml(readFileSync(file, 'utf8'), file);
  if ('issues' in parsed) throw new Error(`example fleet is invalid:\n${parsed.issues.join('\n')}`);
  if (parsed.warnings !== undefined) {
    throw new Error(`example fleet has bad clusters:\n${parsed.warnings.join('\n')}`);
  }
  return parsed.fleet;
}
