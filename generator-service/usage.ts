/** The generator's `--help` and `--version`, with the environment listed from the config modules' descriptors. */
import { plainText, type EnvVar } from '../core/env-vars';
import { version } from '../package.json';
import { CLUSTER_SOURCES, type SourceRegistry } from '../plugins/cluster-sources';
import { serviceEnvVars } from './config';

export const GENERATOR_VERSION: string = version;

function envLines(vars: readonly EnvVar[]): string[] {
  const pad = Math.max(...vars.map((v) => v.name.length)) + 2;
  return vars.map((v) => {
    const dflt = v.default === undefined ? '' : ` [default: ${String(v.default)}]`;
    return `  ${v.name.padEnd(pad)}${plainText(v.description)}${dflt}`;
  });
}

/** `sources`: the registry whose variables are listed (tests register a source of their own). */
export function generatorUsage(sources: SourceRegistry = CLUSTER_SOURCES): string {
  return [
    `eks-cluster-generator ${GENERATOR_VERSION}: the Argo CD ApplicationSet plugin generator for EKS fleets`,
    '',
    'Usage:',
    '  eks-cluster-generator           serve the fleet of the configured cluster source (CLUSTER_SOURCE, below)',
    '  eks-cluster-generator --demo    serve the bundled example fleet (unless CLUSTERS_FILE is set) with a',
    '                                  generated token (unless one is configured), on 127.0.0.1 unless HOST is set',
    '  eks-cluster-generator --help | --version',
    '',
    'Subcommands, each run as its own Deployment (settings: manifests/README.md, "Configuration reference"):',
    '  registrar           register the fleet as Argo CD cluster Secrets, reading it from this service',
    '  upgrade-controller  reconcile ClusterUpgrade objects: blue/green traffic moves between the clusters of a group',
    '',
    'Environment (the full reference, registrar included: manifests/README.md, "Configuration reference"):',
    ...envLines(serviceEnvVars(sources)),
    '',
    ...Object.values(sources).flatMap((m) => [
      `${m.title} (CLUSTER_SOURCE=${m.kind}):`,
      ...envLines(m.envVars),
      '',
    ]),
    'Exit codes: 0 stopped on SIGTERM/SIGINT, 1 could not listen or failed, 64 bad command line, 78 configuration error.',
    '',
  ].join('\n');
}
