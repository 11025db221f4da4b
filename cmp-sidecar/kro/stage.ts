import * as path from 'node:path';
import { ConfigError, ValidationError } from '../../core/errors';
import { CONFIG_FILE } from '../render/config-file';
import { sectionsOf, stageSettings } from '../render/stages';
import type { ObjectStage, StageContext } from '../render/stages';
import type { RenderedObject } from '../render/types';
import { readFile } from 'node:fs/promises';
import { kroStageConfig, whereIn } from './config';
import type { KroConfig } from './config';
import { fieldLine } from './field-lines';
import type * as InstancesModule from './instances';
import { CRD_DIR_ENV, crdDirectories } from './crd/known-schemas';
import { readYamlObjects, resolveRepoPath, yamlFilesUnder } from './reference-files';
import { unexpectedKroFailure, withoutSecretValues } from './secret-redaction';
import { formatFinding, type KroFinding, type KroInputObject } from './types';
import type * as ValidateModule from './validate';

/**
 * The kro stage: every ResourceGraphDefinition of the render is checked against kro's static rules before Argo CD
 * applies it (legacy ResourceGroups are translated, with a warning), then the instances eks-overlay.yaml declares
 * are built for this cluster and checked against their RGD's schema. Any error fails the render, listing every
 * problem with file:line, RGD, resource id and field path. `eks-overlay validate` runs the same stage.
 *
 * CRD schemas for template checks come from $EKS_OVERLAY_CRD_DIR (directories separated by ":"; the sidecar
 * image mounts them) and `kro.crdDirs`; kinds without a schema are reported as not schema-checked.
 */
export function createKroStage(
  processEnv?: Readonly<Record<string, string | undefined>>,
): ObjectStage {
  return {
    name: 'kro',
    config: kroStageConfig,
    run: (objects, ctx) => runKro(objects, ctx, processEnv ?? ctx.processEnv),
  };
}

export const kroStage: ObjectStage = createKroStage();

function mayBeKro(o: Record<string, unknown>): boolean {
  return o['kind'] === 'ResourceGraphDefinition' || o['kind'] === 'ResourceGroup';
}

async function runKro(
  objects: readonly RenderedObject[],
  ctx: StageContext,
  processEnv: Readonly<Record<string, string | undefined>>,
): Promise<RenderedObject[]> {
  const where = (key: string): string => whereIn(sectionsOf(ctx.config), key);
  const { kro: config, instances } = stageSettings(ctx.config, kroStageConfig);
  if (
    !objects.some((o) => mayBeKro(o.object)) &&
    instances.length === 0 &&
    config.rgdPaths.length === 0
  )
    return [...objects];

  // Loaded only when the render holds kro objects: the CEL parser and Ajv stay out of other renders.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { validateKroObjects } = require('./validate') as typeof ValidateModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildInstances } = require('./instances') as typeof InstancesModule;

  const crdDirs = await crdDirectories(ctx, processEnv);
  const referenceRgds = await loadReferenceRgds(config, ctx, where('kro'));
  let result: ReturnType<typeof validateKroObjects>;
  try {
    result = validateKroObjects(objects, {
      crdDirs,
      referenceRgds,
      legacy: config.legacy,
      celOmitFunction: config.celOmitFunction,
    });
  } catch (e) {
    throw unexpectedKroFailure(e, objects);
  }
  const findings: KroFinding[] = [...result.findings];
  const out: RenderedObject[] = result.objects.map((o, i) => ({
    object: o.object,
    source: o.source ?? objects[i]?.source ?? { file: CONFIG_FILE },
  }));
  if (instances.length > 0) {
    const instancesRef = ctx.config.sources['instances'] ?? { file: CONFIG_FILE };
    const rendered = new Set(
      result.rgds.filter((r) => !referenceRgds.includes(r.input)).map((r) => r.name),
    );
    const built = buildInstances(
      instances,
      result.rgds,
      rendered,
      (text) => ctx.templateString(text, instancesRef),
      instancesRef,
    );
    findings.push(...built.findings);
    for (const object of built.objects) out.push({ object, source: instancesRef });
  }
  const located = withoutSecretValues(await withFieldLines(findings, ctx.appDir), objects);
  for (const f of located) if (f.severity === 'warning') ctx.warn(`kro: ${formatFinding(f)}`);
  const errors = located.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new ValidationError(
      `kro: ${errors.length} problem(s) in ResourceGraphDefinitions/instances:\n  - ${errors.map(formatFinding).join('\n  - ')}`,
    );
  }
  if (crdDirs.length === 0 && result.rgds.length > 0) {
    ctx.debug(
      `kro: ${CRD_DIR_ENV} is not set and kro.crdDirs is empty: templates are not schema-checked`,
    );
  }
  return out;
}

async function loadReferenceRgds(
  config: KroConfig,
  ctx: StageContext,
  where: string,
): Promise<KroInputObject[]> {
  const out: KroInputObject[] = [];
  for (const declared of config.rgdPaths) {
    const real = await resolveRepoPath(declared, ctx.appDir, ctx.rootDir, `${where}: kro.rgdPaths`);
    if (real === undefined)
      throw new ConfigError([`${where}: kro.rgdPaths: ${JSON.stringify(declared)} does not exist`]);
    for (const file of await yamlFilesUnder(real, ctx.rootDir, ctx.appDir)) {
      const label = path.relative(ctx.appDir, file);
      const objs = await readYamlObjects(file, label);
      out.push(...objs.filter((o) => o.object['kind'] === 'ResourceGraphDefinition'));
    }
  }
  return out;
}

/** Points each finding at the line of its field when the file still holds it (best effort; reads each file once). */
async function withFieldLines(
  findings: readonly KroFinding[],
  appDir: string,
): Promise<KroFinding[]> {
  const texts = new Map<string, string | undefined>();
  const out: KroFinding[] = [];
  for (const f of findings) {
    const src = f.source;
    if (
      !src ||
      f.path === '-' ||
      path.isAbsolute(src.file) ||
      src.file.split(/[\\/]/).includes('..')
    ) {
      out.push(f);
      continue;
    }
    if (!texts.has(src.file)) {
      texts.set(
        src.file,
        await readFile(path.join(appDir, src.file), 'utf8').catch(() => undefined),
      );
    }
    const text = texts.get(src.file);
    const docLine = src.file === CONFIG_FILE ? undefined : src.line;
    const line = text === undefined ? undefined : fieldLine(text, docLine, f.path);
    out.push(line === undefined ? f : { ...f, source: { file: src.file, line } });
  }
  return out;
}
