import * as path from 'node:path';
import { ConfigError, RenderError, SecretError } from '../../core/errors';
import type * as AwsProvider from '../../plugins/secret-providers/aws-secrets-manager';
import type { SecretProvider } from '../../plugins/secret-providers/provider';
import { CONFIG_FILE } from '../render/config-file';
import { stageSettings } from '../render/stages';
import type { ObjectStage, StageContext } from '../render/stages';
import type { RenderedObject, SourceRef } from '../render/types';
import { clusterSecretStore } from './cluster-secret-store';
import { annotationsOf, isSecret, scanObject } from './collect';
import type { ObjectScan } from './collect';
import { secretsStageConfig } from './config';
import type { InlineConfig, SecretsConfig } from './config';
import { ConversionError, secretToExternalSecret } from './external-secret';
import { resolveInline } from './inline';
import type { InlineTarget } from './inline';
import { AVP_ANNOTATION_PREFIX, PlaceholderSyntaxError } from './placeholders';
import { knownSchemas } from '../kro/crd/known-schemas';
import { alwaysString, createStringFieldOracle, type StringFieldOracle } from './string-fields';

/**
 * The secrets stage: finds argocd-vault-plugin placeholders in the merged objects and, by mode,
 *
 *  - externalSecret (default): replaces each Secret holding placeholders by an ExternalSecret that ESO resolves
 *    in the cluster (no AWS access, no value ever in Argo CD), optionally adding the cluster's ClusterSecretStore;
 *  - inline: replaces the placeholders by values read from AWS Secrets Manager; the SDK is imported only then.
 *
 * Every problem is collected and reported at once; any problem fails the render.
 */

export interface InlineProviderRequest {
  readonly region: string;
  readonly inline: InlineConfig;
}

export type ProviderLoader = (req: InlineProviderRequest) => Promise<SecretProvider>;

/**
 * Lazy: the provider (and the AWS SDK under it) is required only in inline mode, so the default render never
 * parses or evaluates an AWS SDK. Bundled, it is its own file beside eks-overlay.cjs (build.mjs entry
 * `secret-provider-aws`); from sources (jest) it is the module itself. The paths are computed so that esbuild
 * leaves both requires to run time instead of inlining the SDK into the render bundle.
 */
export const loadAwsProvider: ProviderLoader = ({ region, inline }) => {
  const aws = requireAwsProvider();
  return Promise.resolve(
    aws.createAwsSecretsManagerProvider({
      region,
      requestTimeoutMs: inline.requestTimeoutMs,
      maxAttempts: inline.maxAttempts,
    }),
  );
};

const PROVIDER_CANDIDATES = [
  ['.', 'secret-provider-aws.cjs'],
  ['..', '..', 'plugins', 'secret-providers', 'aws-secrets-manager'],
];

function requireAwsProvider(): typeof AwsProvider {
  let lastError: unknown;
  for (const parts of PROVIDER_CANDIDATES) {
    const file = path.join(__dirname, ...parts);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(file) as typeof AwsProvider;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
      lastError = e;
    }
  }
  throw new SecretError(
    'secrets.mode inline: the AWS Secrets Manager provider (secret-provider-aws.cjs, installed next to eks-overlay.cjs) cannot be loaded',
    { cause: lastError },
  );
}

/** `processEnv` replaces the render's environment (`StageContext.processEnv`) for tests driving the stage alone. */
export function createSecretsStage(
  loadProvider: ProviderLoader = loadAwsProvider,
  processEnv?: Env,
): ObjectStage {
  return {
    name: 'secrets',
    config: secretsStageConfig,
    run: (objects, ctx) => runSecrets(objects, ctx, loadProvider, processEnv ?? ctx.processEnv),
  };
}

type Env = Readonly<Record<string, string | undefined>>;

export const secretsStage: ObjectStage = createSecretsStage();

async function runSecrets(
  objects: readonly RenderedObject[],
  ctx: StageContext,
  loadProvider: ProviderLoader,
  processEnv: Env,
): Promise<RenderedObject[]> {
  const configRef: SourceRef = ctx.config.sources['secrets'] ?? { file: CONFIG_FILE };
  const config = stageSettings(ctx.config, secretsStageConfig);

  const problems: string[] = [];
  const scans: (ObjectScan | undefined)[] = objects.map((o) => {
    try {
      const scan = scanObject(o.object, (id) => ctx.templateString(id, o.source));
      return scan.occurrences.length > 0 ? scan : undefined;
    } catch (e) {
      if (e instanceof PlaceholderSyntaxError) {
        problems.push(`${whereOf(o.source)}: ${describeObject(o.object)}: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  });
  failOn(problems, objects, scans);

  // The preview shows inline placeholders by reference (secret id and key): it never fetches a value.
  if (config.mode === 'inline' && ctx.env.secretsByReference === true) return [...objects];
  const out =
    config.mode === 'inline'
      ? await inlineMode(objects, scans, config, configRef, ctx, loadProvider, processEnv)
      : externalSecretMode(objects, scans, config, configRef, ctx);
  if (config.mode === 'externalSecret' && config.clusterSecretStore !== undefined)
    out.push(emitClusterSecretStore(config, configRef, ctx));
  return out;
}

function externalSecretMode(
  objects: readonly RenderedObject[],
  scans: readonly (ObjectScan | undefined)[],
  config: SecretsConfig,
  configRef: SourceRef,
  ctx: StageContext,
): RenderedObject[] {
  const needed = scans.some((s) => s !== undefined);
  if (!needed) return [...objects];
  if (config.store === undefined)
    throw new ConfigError([
      `${whereOf(configRef)}: secrets.store {kind, name} is required: the manifests hold secret placeholders and mode externalSecret references that store`,
    ]);
  const store = { kind: config.store.kind, name: ctx.templateString(config.store.name, configRef) };
  const problems: string[] = [];
  const out = objects.map((o, i): RenderedObject => {
    const scan = scans[i];
    if (!scan) return o;
    const at = `${whereOf(o.source)}: ${describeObject(o.object)}`;
    if (!isSecret(o.object)) {
      const paths = scan.occurrences.map((occ) => occ.path.join('.')).join(', ');
      problems.push(
        `${at}: secret placeholders outside a Secret (${paths}) cannot become an ExternalSecret; move them into a Secret, or use secrets.mode: inline`,
      );
      return o;
    }
    try {
      const es = secretToExternalSecret(o.object, scan, {
        store,
        refreshInterval: config.refreshInterval,
      });
      return { object: es, source: o.source };
    } catch (e) {
      if (e instanceof ConversionError) {
        problems.push(`${at}: ${e.message}`);
        return o;
      }
      throw e;
    }
  });
  failOn(problems, objects, scans);
  ctx.debug(
    `secrets: ${scans.filter(Boolean).length} Secret(s) → ExternalSecret via ${store.kind}/${store.name}`,
  );
  return out;
}

async function inlineMode(
  objects: readonly RenderedObject[],
  scans: readonly (ObjectScan | undefined)[],
  config: SecretsConfig,
  configRef: SourceRef,
  ctx: StageContext,
  loadProvider: ProviderLoader,
  processEnv: Env,
): Promise<RenderedObject[]> {
  const targets: InlineTarget[] = [];
  let stringField: StringFieldOracle = () => true;
  const out = objects.map((o, i): RenderedObject => {
    const scan = scans[i];
    if (!scan) return o;
    // Resolve into a copy: the input objects are not ours to mutate.
    const object = structuredClone(o.object);
    stripAvpAnnotations(object);
    targets.push({
      object,
      where: whereOf(o.source),
      what: describeObject(o.object),
      scan,
      isSecret: isSecret(o.object),
      stringField: (path) => stringField(object, path),
    });
    return { object, source: o.source };
  });
  if (targets.length === 0) return out;

  const region = inlineRegion(config, configRef, ctx, processEnv);
  ctx.warn(
    `secrets.mode is inline: values from AWS Secrets Manager (${region}) are written into the rendered manifests, ` +
      `which Argo CD stores in its cache (Redis) and keeps as desired state; prefer mode externalSecret`,
  );
  // Schemas matter only where a whole value is one placeholder (it may keep a non-string type there) in a field
  // that is not text anyway: Secrets and ConfigMaps alone never load them.
  const wholeValues = targets.some((t) =>
    t.scan.occurrences.some(
      (o) => !o.base64Wrapped && o.segments.length === 1 && !alwaysString(t.object, o.path),
    ),
  );
  stringField = createStringFieldOracle(
    wholeValues ? await knownSchemas(objects, ctx, processEnv) : undefined,
  );
  const provider = await loadProvider({ region, inline: config.inline });
  let result: Awaited<ReturnType<typeof resolveInline>>;
  try {
    result = await resolveInline(targets, provider, AbortSignal.timeout(config.inline.deadlineMs));
  } finally {
    provider.close();
  }
  if (result.problems.length > 0) {
    const lines = result.problems.map((p) => `${p.where}: ${p.message}`);
    throw new SecretError(
      lines.length === 1
        ? `secret resolution failed: ${lines[0]}`
        : `secret resolution failed (${lines.length} problems):\n  - ${lines.join('\n  - ')}`,
    );
  }
  ctx.debug(
    `secrets: ${result.fetched} secret version(s) resolved inline for ${targets.length} object(s)`,
  );
  return out;
}

function inlineRegion(
  config: SecretsConfig,
  configRef: SourceRef,
  ctx: StageContext,
  processEnv: Env,
): string {
  if (config.inline.region !== undefined)
    return ctx.templateString(config.inline.region, configRef);
  const aws = ctx.cluster['aws'];
  const fromContext =
    typeof aws === 'object' && aws !== null
      ? (aws as Record<string, unknown>)['region']
      : undefined;
  if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
  const fromEnv = processEnv['AWS_REGION'] ?? processEnv['AWS_DEFAULT_REGION'];
  if (fromEnv) return fromEnv;
  throw new ConfigError([
    `${whereOf(configRef)}: secrets.mode inline needs a region: set secrets.inline.region, give the cluster context aws.region, or set AWS_REGION`,
  ]);
}

function emitClusterSecretStore(
  config: SecretsConfig,
  configRef: SourceRef,
  ctx: StageContext,
): RenderedObject {
  const css = config.clusterSecretStore!;
  if (config.store === undefined)
    throw new ConfigError([
      `${whereOf(configRef)}: secrets.clusterSecretStore needs secrets.store.name (the store's name)`,
    ]);
  const name = ctx.templateString(config.store.name, configRef);
  const region = ctx.templateString(css.region ?? '{{cluster.aws.region}}', configRef);
  return {
    object: clusterSecretStore(name, region, {
      ...css,
      role: css.role === undefined ? undefined : ctx.templateString(css.role, configRef),
    }),
    source: configRef,
  };
}

function stripAvpAnnotations(object: Record<string, unknown>): void {
  const ann = annotationsOf(object);
  for (const k of Object.keys(ann)) if (k.startsWith(AVP_ANNOTATION_PREFIX)) delete ann[k];
  const meta = object['metadata'] as Record<string, unknown> | undefined;
  if (meta && Object.keys(ann).length === 0 && meta['annotations'] !== undefined)
    delete meta['annotations'];
}

function failOn(
  problems: readonly string[],
  objects: readonly RenderedObject[],
  scans: readonly (ObjectScan | undefined)[],
): void {
  if (problems.length === 0) return;
  const first = objects.find((_, i) => scans[i] !== undefined)?.source;
  throw new RenderError(
    problems.length === 1
      ? problems[0]!
      : `${problems.length} secret placeholder problems:\n  - ${problems.join('\n  - ')}`,
    first === undefined
      ? {}
      : { file: first.file, ...(first.line === undefined ? {} : { line: first.line }) },
  );
}

function whereOf(ref: SourceRef): string {
  return ref.line === undefined ? ref.file : `${ref.file}:${ref.line}`;
}

function describeObject(object: Record<string, unknown>): string {
  const meta = (object['metadata'] ?? {}) as Record<string, unknown>;
  const ns = typeof meta['namespace'] === 'string' ? `${meta['namespace']}/` : '';
  const name = typeof meta['name'] === 'string' ? meta['name'] : '?';
  return `${String(object['kind'])}/${ns}${name}`;
}
