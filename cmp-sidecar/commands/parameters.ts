import { lstat } from 'node:fs/promises';
import * as path from 'node:path';
import { readArgoEnv } from '../argocd-env';
import type { ExitCode } from '../exit';
import type { CommonOptions } from '../options';
import { EXIT } from '../exit';
import { buildClusterView, CLUSTER_PARAMETER, flattenClusterView } from '../cluster-context';
import { loadOverlayConfig } from '../config';
import { CONFIG_FILE } from '../render/config-file';
import type { Io } from '../io';
import { resolveDirs } from './render-inputs';

/** One ParameterAnnouncement (argocd-contract.md §B3); strict types, as Argo CD unmarshals them. */
interface Announcement {
  name: string;
  title?: string;
  tooltip?: string;
  required?: boolean;
  itemType: 'string';
  collectionType: 'string' | 'array' | 'map';
  string?: string;
  array?: string[];
  map?: Record<string, string>;
}

/**
 * Argo CD's dynamic parameters command (§B10): a JSON array on stdout, `[]` when the directory has no
 * eks-overlay.yaml. Announces the `cluster` map (its current entries, from ARGOCD_ENV_CLUSTER_CONTEXT, shown as
 * the defaults) and the parameters eks-overlay.yaml declares.
 */
export async function parameters(opts: CommonOptions, io: Io): Promise<ExitCode> {
  const env = readArgoEnv(io.env);
  const { appDir, rootDir } = await resolveDirs(opts, io, env);
  // lstat, not access: a dangling or escaping symlink named eks-overlay.yaml is refused, not taken for "no file".
  if ((await lstat(path.join(appDir, CONFIG_FILE)).catch(() => undefined)) === undefined) {
    io.stdout.write('[]\n');
    return EXIT.ok;
  }
  const config = await loadOverlayConfig(appDir, rootDir);
  const withoutOverrides = {
    ...env,
    parameters: env.parameters.filter((p) => p.name !== CLUSTER_PARAMETER),
  };
  const out: Announcement[] = [
    {
      name: CLUSTER_PARAMETER,
      title: 'Cluster context',
      tooltip:
        "Entries override the generator's cluster context (ARGOCD_ENV_CLUSTER_CONTEXT). Keys are dotted paths, e.g. metadata.labels.env or aws.region.",
      itemType: 'string',
      collectionType: 'map',
      map: flattenClusterView(buildClusterView(withoutOverrides)),
    },
  ];
  for (const p of config.parameters) {
    const a: Announcement = { name: p.name, itemType: 'string', collectionType: p.collectionType };
    if (p.title !== undefined) a.title = p.title;
    if (p.tooltip !== undefined) a.tooltip = p.tooltip;
    if (p.required) a.required = true;
    if (p.string !== undefined) a.string = p.string;
    if (p.array !== undefined) a.array = [...p.array];
    if (p.map !== undefined) a.map = { ...p.map };
    out.push(a);
  }
  io.stdout.write(JSON.stringify(out) + '\n');
  return EXIT.ok;
}
