import * as path from 'node:path';
import { ConfigError } from '../../../core/errors';
import { sectionsOf, stageSettings } from '../../render/stages';
import type { StageContext } from '../../render/stages';
import type { OverlayConfig, RenderedObject } from '../../render/types';
import { kroStageConfig, whereIn } from '../config';
import { assertEntriesInside, resolveRepoPath } from '../reference-files';
import { rgdName } from '../rgd-model';
import type * as SchemaLookupModule from './schema-lookup';
import type { SchemaLookup } from './schema-lookup';

type Env = Readonly<Record<string, string | undefined>>;

/** Directories of CRDs the sidecar image mounts, separated by ":" (besides `kro.crdDirs`). */
export const CRD_DIR_ENV = 'EKS_OVERLAY_CRD_DIR';

/**
 * One render's CRD directories, by its config object: the secrets stage (inline values) and the kro stage both ask,
 * and resolving `kro.crdDirs` checks every entry stays inside the repository.
 */
const resolved = new WeakMap<OverlayConfig, Map<string, Promise<string[]>>>();

/**
 * The CRD directories of this render: $EKS_OVERLAY_CRD_DIR, then `kro.crdDirs` resolved inside the repository (a
 * ConfigError when one does not exist).
 */
export function crdDirectories(
  ctx: StageContext,
  processEnv: Env = ctx.processEnv,
): Promise<string[]> {
  let byInputs = resolved.get(ctx.config);
  if (byInputs === undefined)
    resolved.set(ctx.config, (byInputs = new Map<string, Promise<string[]>>()));
  const key = [processEnv[CRD_DIR_ENV] ?? '', ctx.appDir, ctx.rootDir].join('\0');
  let dirs = byInputs.get(key);
  if (dirs === undefined) byInputs.set(key, (dirs = resolveCrdDirectories(ctx, processEnv)));
  return dirs;
}

async function resolveCrdDirectories(ctx: StageContext, processEnv: Env): Promise<string[]> {
  const { kro: config } = stageSettings(ctx.config, kroStageConfig);
  const where = whereIn(sectionsOf(ctx.config), 'kro');
  const dirs = (processEnv[CRD_DIR_ENV] ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const declared of config.crdDirs) {
    const real = await resolveRepoPath(declared, ctx.appDir, ctx.rootDir, `${where}: kro.crdDirs`);
    if (real === undefined)
      throw new ConfigError([`${where}: kro.crdDirs: ${JSON.stringify(declared)} does not exist`]);
    await assertEntriesInside(real, ctx.rootDir, ctx.appDir);
    dirs.push(real);
  }
  return dirs;
}

/**
 * The CRD schemas this render knows (EKS_OVERLAY_CRD_DIR, kro.crdDirs) and the instance kinds of its RGDs, for
 * stages that need a field's type (inline secret values).
 */
export async function knownSchemas(
  objects: readonly RenderedObject[],
  ctx: StageContext,
  processEnv: Env = ctx.processEnv,
): Promise<SchemaLookup> {
  const dirs = await crdDirectories(ctx, processEnv);
  // Loaded only when a render needs a field's type: YAML parsing of CRDs stays out of other renders.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lookup = require('./schema-lookup') as typeof SchemaLookupModule;
  const entries: SchemaLookupModule.KindSchema[] = [];
  const lazy: SchemaLookupModule.LazyCrdFile[] = [];
  for (const dir of dirs.map(lookup.loadCrdDirectory)) {
    entries.push(...dir.entries);
    lazy.push(...dir.lazy);
  }
  for (const o of objects) {
    if (o.object['kind'] !== 'ResourceGraphDefinition') continue;
    const ks = lookup.kindSchemaFromRgd(o.object, rgdName(o.object));
    if (ks) entries.push(ks);
  }
  return lookup.createSchemaLookup(entries, lazy);
}
