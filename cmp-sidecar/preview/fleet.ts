import { readFile } from 'node:fs/promises';
import { clusterFromRecord } from '../../core/cluster';
import type { Cluster } from '../../core/cluster';
import { ConfigError, describeError, isAppError } from '../../core/errors';
import { paramSetOf, parseClusterQuery, selectForQuery } from '../../core/fleet-query';
import type { FleetSnapshot } from '../../core/snapshot';
import { parseFleetYaml } from '../../plugins/cluster-sources/fleet-yaml';
import { clusterSecretFor, pluginGeneratorEnv } from '../argocd/applicationset';
import type { ArgoCdEnv } from '../argocd/applicationset';
import { goHttpDo } from '../argocd/http-client';
import type { GoHttpRequest, GoHttpResponse, HttpTransport } from '../argocd/http-client';
import type { SecretObject } from '../argocd/plugin-generator';

/** What the preview knows of one destination cluster, for the render's environment. */
export interface ClusterInfo {
  readonly name: string;
  /** The EKS version as the source gives it (`1.30`), for KUBE_VERSION. */
  readonly version: string;
}

/**
 * The fleet an expansion sees: the Argo CD environment the plugin generator needs (the ConfigMap and token Secret
 * Argo CD would read, a transport that reaches the generator or answers from the fleet file), the cluster Secrets of
 * the native clusters generator, and what is known of each destination server.
 */
export interface FleetSource {
  readonly env: ArgoCdEnv;
  /** Destination server → cluster, from the fleet file or from every parameter set the generator answered. */
  readonly clusters: Map<string, ClusterInfo>;
  /** The first answer of the generator that was not a usable 2xx, if any: the preview then fails as a whole. */
  readonly failures: string[];
  /**
   * Whether the native clusters generator can be previewed: the fleet file gives one cluster Secret per cluster; the
   * generator's URL does not say which cluster Secrets Argo CD holds.
   */
  readonly clusterSecrets: boolean;
}

/** The ConfigMap name ApplicationSets reference for this project's generator (manifests/base/plugin-generator). */
export const GENERATOR_CONFIG_MAP = 'eks-cluster-generator';
const FILE_BASE_URL = 'http://fleet-file.preview.invalid';

/** `--fleet <file>`: the generator's own fleet format and its own query code, without any service. */
export async function fleetFromFile(file: string): Promise<FleetSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`--fleet ${file}: cannot read the fleet file: ${describeError(e)}`]);
  }
  const parsed = parseFleetYaml(text, file);
  if ('issues' in parsed) throw new ConfigError(parsed.issues.map((i) => `--fleet ${i}`));
  // A record the generator cannot map is quarantined there on its own (it serves the rest): the same here.
  const clusters: Cluster[] = [];
  for (const record of parsed.fleet.records) {
    const mapped = clusterFromRecord(record);
    if (mapped.cluster !== undefined) clusters.push(mapped.cluster);
  }
  clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const snapshot: FleetSnapshot = {
    clusters,
    parts: [{ id: `file:${file}`, lastSuccessAt: Date.now(), lastError: undefined }],
    addonDefaults: parsed.fleet.addonDefaults,
    builtAt: Date.now(),
    version: 1,
  };
  const token = 'preview';
  const base = pluginGeneratorEnv({ baseUrl: FILE_BASE_URL, token });
  const secrets: SecretObject[] = [...base.secrets, ...clusters.map((c) => clusterSecretFor(c))];
  const failures: string[] = [];
  return {
    env: { ...base, secrets, transport: recordFailures(fileTransport(snapshot), failures) },
    clusters: new Map(clusters.map((c) => [c.server, { name: c.name, version: c.aws.version }])),
    failures,
    clusterSecrets: true,
  };
}

/**
 * Answers the plugin generator's request as the generator's getparams route would, from a fleet snapshot: same
 * query parsing and selection (core/fleet-query), same reply shape, and refusals as non-2xx `{message}`.
 */
function fileTransport(snapshot: FleetSnapshot): HttpTransport {
  return (req: GoHttpRequest): Promise<GoHttpResponse> => {
    const reply = (status: number, body: unknown): Promise<GoHttpResponse> =>
      Promise.resolve({
        status,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(body)),
      });
    let parameters: Record<string, unknown>;
    try {
      const request = JSON.parse(req.body.toString('utf8')) as {
        input?: { parameters?: Record<string, unknown> };
      };
      parameters = request.input?.parameters ?? {};
    } catch {
      return reply(400, { message: 'request body is not JSON' });
    }
    try {
      const q = parseClusterQuery(parameters);
      const selected = selectForQuery(snapshot, q);
      const sets = selected.map((c) => paramSetOf(c, q, snapshot.addonDefaults));
      return reply(200, { output: { parameters: q.flatList ? [{ clusters: sets }] : sets } });
    } catch (e) {
      if (!isAppError(e)) throw e;
      return reply(e.code === 'ERR_INPUT' ? 400 : 503, { message: describeError(e) });
    }
  };
}

/**
 * `--generator-url` + `--generator-token-file`: the running generator, called exactly as Argo CD calls it (the
 * plugin generator emulation builds the request; goHttpDo sends it like Go's client).
 */
export async function fleetFromGenerator(url: string, tokenFile: string): Promise<FleetSource> {
  let token: string;
  try {
    token = (await readFile(tokenFile, 'utf8')).trim();
  } catch (e) {
    throw new ConfigError([
      `--generator-token-file ${tokenFile}: cannot read: ${describeError(e)}`,
    ]);
  }
  if (token === '') throw new ConfigError([`--generator-token-file ${tokenFile} is empty`]);
  const clusters = new Map<string, ClusterInfo>();
  const failures: string[] = [];
  const base = pluginGeneratorEnv({ baseUrl: url, token });
  const learn: HttpTransport = async (req) => {
    const res = await goHttpDo(req);
    if (res.status >= 200 && res.status <= 299) learnClusters(res.body, clusters);
    return res;
  };
  return {
    env: { ...base, transport: recordFailures(learn, failures) },
    clusters,
    failures,
    clusterSecrets: false,
  };
}

/** Every parameter set of a 2xx answer, indexed by server (the clusters the Applications will point at). */
function learnClusters(body: Buffer, into: Map<string, ClusterInfo>): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return; // the emulation reports the shapeless answer itself
  }
  const sets = (parsed as { output?: { parameters?: unknown } }).output?.parameters;
  if (!Array.isArray(sets)) return;
  const visit = (set: unknown) => {
    const s = set as {
      server?: unknown;
      name?: unknown;
      aws?: { version?: unknown };
      clusters?: unknown;
    };
    if (Array.isArray(s.clusters)) s.clusters.forEach(visit);
    if (typeof s.server === 'string' && typeof s.name === 'string') {
      into.set(s.server, {
        name: s.name,
        version: typeof s.aws?.version === 'string' ? s.aws.version : '',
      });
    }
  };
  sets.forEach(visit);
}

/**
 * Notes every answer Argo CD would refuse (transport failure, non-2xx, or a 2xx that is not `{output: {parameters:
 * [...]}}`): the emulation turns those into an ApplicationSet error, and the preview turns that into a failure of
 * the whole preview, never into "no clusters".
 */
function recordFailures(transport: HttpTransport, failures: string[]): HttpTransport {
  return async (req) => {
    let res: GoHttpResponse;
    try {
      res = await transport(req);
    } catch (e) {
      failures.push(`${req.url}: ${describeError(e)}`);
      throw e;
    }
    if (res.status < 200 || res.status > 299) {
      failures.push(`${req.url}: HTTP ${res.status}`);
    } else if (!hasParameters(res.body)) {
      failures.push(`${req.url}: HTTP ${res.status} without {"output":{"parameters":[...]}}`);
    }
    return res;
  };
}

function hasParameters(body: Buffer): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { output?: { parameters?: unknown } };
    return Array.isArray(parsed.output?.parameters);
  } catch {
    return false;
  }
}
