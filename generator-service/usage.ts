/** The generator's `--help` and `--version`, with the environment listed from the config modules' descriptors. */
import { plainText, type EnvVar } from '../core/env-vars';
import { version } from '../package.json';
import { EKS_ENV_VARS } from '../plugins/cluster-sources/eks-config';
import { SERVICE_ENV_VARS } from './config';

export const GENERATOR_VERSION: string = version;

function envLines(vars: readonly EnvVar[]): string[] {
  const pad = Math.max(...vars.map((v) => v.name.length)) + 2;
  return vars.map((v) => {
    const dflt = v.default === undefined ? '' : ` [default: ${String(v.default)}]`;
    return `  ${v.name.padEnd(pad)}${plainText(v.description)}${dflt}`;
  });
}

export function generatorUsage(): string {
  return [
    `eks-cluster-generator ${GENERATOR_VERSION}: the Argo CD ApplicationSet plugin generator for EKS fleets`,
    '',
    'Usage:',
    '  eks-cluster-generator           serve the configured fleet: CLUSTERS_FILE, or CLUSTER_SOURCE=eks',
    '  eks-cluster-generator --demo    serve the bundled example fleet (unless CLUSTERS_FILE is set) with a',
    '                                  generated token (unless one is configured), on 127.0.0.1 unless HOST is set',
    '  eks-cluster-generator --help | --version',
    '',
    'Environment (the full reference, registrar included: manifests/README.md, "Configuration reference"):',
    ...envLines(SERVICE_ENV_VARS),
    '',
    'EKS discovery (CLUSTER_SOURCE=eks):',
    ...envLines(EKS_ENV_VARS),
    '',
    'Exit codes: 0 stopped on SIGTERM/SIGINT, 1 could not listen or failed, 64 bad command line, 78 configuration error.',
    '',
  ].join('\n');
}
