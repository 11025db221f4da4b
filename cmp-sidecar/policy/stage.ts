import * as path from 'node:path';
import { ConfigError } from '../../core/errors';
import { CONFIG_FILE } from '../render/config-file';
import { stageSettings } from '../render/stages';
import type { ObjectStage, StageContext } from '../render/stages';
import type { RenderedObject, SourceRef } from '../render/types';
import { isTemplate } from '../render/template';
import { resolveRepoPath } from '../kro/reference-files';
import { crdDirectories, CRD_DIR_ENV } from '../kro/crd/known-schemas';
import { policyStageConfig } from './config';
import type { PolicySettings } from './config';
import type * as EvaluateModule from './evaluate';
import type * as LoadModule from './load';
import type * as ParsedCacheModule from './parsed-cache';
import type * as ReadModule from './read';
import type { PolicyPath } from './read';
import type * as ReportModule from './report';
import type * as RedactionModule from './secret-redaction';
import type * as ResourcesModule from './resources';
import type * as SubjectModule from './subject';
import type { Json, PolicyReport } from './types';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded only when a render has policies: the CEL library,
   RE2 and the built-in kinds table stay out of other renders (as the kro stage does). */
const lazy = {
  evaluate: () => require('./evaluate') as typeof EvaluateModule,
  load: () => require('./load') as typeof LoadModule,
  read: () => require('./read') as typeof ReadModule,
  report: () => require('./report') as typeof ReportModule,
  redaction: () => require('./secret-redaction') as typeof RedactionModule,
  resources: () => require('./resources') as typeof ResourcesModule,
  subject: () => require('./subject') as typeof SubjectModule,
  parsedCache: () => require('./parsed-cache') as typeof ParsedCacheModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Sidecar-wide policy directories, separated by ":"; every render evaluates them and an app cannot remove them. */
export const POLICY_DIRS_ENV = 'EKS_OVERLAY_POLICY_DIRS';

export interface PolicyStageOptions {
  /** The environment of the render (the CLI's `io.env`): EKS_OVERLAY_POLICY_DIRS, EKS_OVERLAY_CRD_DIR. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called with every violation (Deny, Warn, Audit) of a render that evaluated policies, before a Deny fails it. */
  readonly onReport?: (report: PolicyReport) => void;
  /**
   * Objects at the base revision: a rendered object found here is evaluated as an UPDATE with it as oldObject.
   * `'unchanged'`: the base renders exactly these objects, so each is an UPDATE with itself as oldObject.
   */
  readonly oldObjects?: readonly Readonly<Record<string, unknown>>[] | 'unchanged';
}

/**
 * The policies stage, last of the object stages: every rendered object is reviewed as the admission request
 * applying it would be, against the sidecar-wide policies and the app's `policies.paths`. A Deny fails the render
 * with one message listing every violation; Warn goes to stderr; Audit (Gatekeeper dryrun) to the debug log.
 * Policy objects among the rendered manifests are emitted as usual and not evaluated against their own render.
 */
export function createPolicyStage(options: PolicyStageOptions = { env: {} }): ObjectStage {
  return {
    name: 'policies',
    config: policyStageConfig,
    run: (objects, ctx) => runPolicies(objects, ctx, options),
  };
}

async function runPolicies(
  objects: readonly RenderedObject[],
  ctx: StageContext,
  options: PolicyStageOptions,
): Promise<RenderedObject[]> {
  const settings = stageSettings(ctx.config, policyStageConfig);
  const paths = [...sidecarPaths(options.env), ...(await appPaths(settings, ctx))];
  if (paths.length === 0) return [...objects];

  const docs = await lazy
    .read()
    .readPolicyDocuments(paths, lazy.parsedCache().openParsedPolicyCache(options.env));
  // An empty mount (the optional ConfigMap absent) costs a directory read, not the CEL library's load.
  if (!docs.some((d) => isPolicyKind(d.object))) return [...objects];
  const { loadPolicySet } = lazy.load();
  const { evaluatePolicies } = lazy.evaluate();
  const { describeViolation, denialError } = lazy.report();
  const policies = loadPolicySet(docs, settings.unsupported);
  for (const line of policies.skipped) ctx.warn(`policies: ${line}`);
  const rendered = objects.map((o) => o.object);
  const report = lazy.redaction().withoutSecretValues(
    evaluatePolicies({
      policies,
      subjects: objects.map((o) => {
        const old = findOld(o.object, options.oldObjects);
        return {
          object: o.object,
          oldObject: old ?? null,
          operation: old === undefined ? 'CREATE' : 'UPDATE',
          source: o.source,
        };
      }),
      rendered,
      crds: await crdsForUnknownKinds(
        rendered,
        policies.context.map((c) => c.object),
        ctx,
        options,
      ),
      defaultNamespace: ctx.env.appNamespace || 'default',
    }),
    rendered,
    policies,
  );
  options.onReport?.(report);
  for (const a of report.assumptions) ctx.debug(`policies: assumed: ${a}`);
  for (const v of report.violations) {
    if (v.action === 'Warn') ctx.warn(`policy: ${describeViolation(v)}`);
    if (v.action === 'Audit') ctx.debug(`policy audit: ${describeViolation(v)}`);
  }
  const denied = report.violations.filter((v) => v.action === 'Deny');
  if (denied.length > 0) throw denialError(denied);
  ctx.debug(
    `policies: ${policies.vaps.length} ValidatingAdmissionPolicy(ies), ${policies.constraints.length} constraint(s) over ${objects.length} object(s): no denial`,
  );
  return [...objects];
}

function isPolicyKind(o: Json): boolean {
  const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
  return (
    apiVersion.startsWith('admissionregistration.k8s.io/') ||
    apiVersion.startsWith('templates.gatekeeper.sh/') ||
    apiVersion.startsWith('constraints.gatekeeper.sh/')
  );
}

function sidecarPaths(env: PolicyStageOptions['env']): PolicyPath[] {
  return (env[POLICY_DIRS_ENV] ?? '')
    .split(path.delimiter)
    .filter((d) => d !== '')
    .map((d) => {
      if (!path.isAbsolute(d))
        throw new ConfigError([
          `${POLICY_DIRS_ENV}: ${JSON.stringify(d)} must be an absolute path`,
        ]);
      return { path: d, label: d };
    });
}

/** `policies.paths`, templated like layers and confined to the repository like `kro.rgdPaths`. */
async function appPaths(settings: PolicySettings, ctx: StageContext): Promise<PolicyPath[]> {
  const where: SourceRef = ctx.config.sources['policies'] ?? { file: CONFIG_FILE };
  const at = where.line === undefined ? where.file : `${where.file}:${where.line}`;
  const out: PolicyPath[] = [];
  const missing: string[] = [];
  for (const declared of settings.paths) {
    const templated = ctx.templateString(declared, where);
    const real = await resolveRepoPath(templated, ctx.appDir, ctx.rootDir, `${at}: policies.paths`);
    if (real === undefined) {
      if (isTemplate(declared))
        ctx.debug(
          `policies: ${JSON.stringify(templated)} does not exist for this cluster; skipped`,
        );
      else missing.push(`${at}: policies.paths: ${JSON.stringify(declared)} does not exist`);
      continue;
    }
    out.push({ path: real, label: path.relative(ctx.appDir, real) || '.', confineTo: ctx.rootDir });
  }
  if (missing.length > 0) throw new ConfigError(missing);
  return out;
}

function findOld(object: Json, oldObjects: PolicyStageOptions['oldObjects']): Json | undefined {
  if (oldObjects === 'unchanged') return structuredClone(object);
  if (oldObjects === undefined || oldObjects.length === 0) return undefined;
  const { objectIdentity } = lazy.subject();
  const id = objectIdentity(object);
  const old = oldObjects.find((o) => objectIdentity(o) === id);
  return old === undefined ? undefined : { ...old };
}

/**
 * CRDs from EKS_OVERLAY_CRD_DIR and `kro.crdDirs`, read only when the render holds a kind that is neither built
 * in nor defined by a CRD of the render or of the policy directories.
 */
async function crdsForUnknownKinds(
  rendered: readonly Json[],
  context: readonly Json[],
  ctx: StageContext,
  options: PolicyStageOptions,
): Promise<Json[]> {
  const { ResourceResolver } = lazy.resources();
  const known = new ResourceResolver(
    [...rendered, ...context].filter((o) => o['kind'] === 'CustomResourceDefinition'),
  );
  const unknown = rendered.some((o) => {
    const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
    return known.scopeOf(apiVersion, String(o['kind'])) === undefined;
  });
  if (!unknown) return [];
  const dirs = await crdDirectories(ctx, { [CRD_DIR_ENV]: options.env[CRD_DIR_ENV] });
  if (dirs.length === 0) return [];
  const docs = await lazy.read().readPolicyDocuments(dirs.map((d) => ({ path: d, label: d })));
  return docs.map((d) => d.object).filter((o) => o['kind'] === 'CustomResourceDefinition');
}
