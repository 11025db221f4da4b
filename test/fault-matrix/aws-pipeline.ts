/**
 * The production chain for AWS faults: the AWS fake ← real SDK ← EKS source (built by the existing
 * startEksHarness) ← fleet registry ← the generator's HTTP app, and optionally the registrar on the registry's
 * snapshots against the fake Kubernetes API. Phrases describing what each component did live here too, so the
 * rows and the probes speak the same language.
 */
import request from 'supertest';
import { silentLogger } from '../../core/logger';
import { createApp, GET_PARAMS_PATH } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import type { FleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import { createFleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import type { EksHarness } from '../fakes/aws/eks-harness';
import { addAll, clusters, HOME_KEY, startEksHarness } from '../fakes/aws/eks-harness';
import type { AwsFake } from '../fakes/aws/aws-fake';
import type { FakeCluster } from '../fakes/aws/fleet';
import type { Harness as KubeHarness, Replica } from '../fakes/kube-api/harness';
import {
  decodedData,
  NAMESPACE,
  startHarness as startKubeHarness,
} from '../fakes/kube-api/harness';
import type { KubeObject, RequestRecord } from '../fakes/kube-api/server';

export const HOME = '111111111111';
export const SPOKE = '222222222222';
export const ROLE = `arn:aws:iam::${SPOKE}:role/eks-discovery`;
export const MAX_STALE_SECONDS = 900;
const TOKEN = 'fault-matrix-token';

export interface Target {
  readonly account: string;
  readonly region: string;
  readonly prefix: string;
}

/** Four targets (own account and one assumed role, two regions each), two clusters each: 8 clusters. */
export const T = {
  homeUse1: { account: HOME, region: 'us-east-1', prefix: 'h-use1' },
  homeEuw1: { account: HOME, region: 'eu-west-1', prefix: 'h-euw1' },
  spokeUse1: { account: SPOKE, region: 'us-east-1', prefix: 's-use1' },
  spokeEuw1: { account: SPOKE, region: 'eu-west-1', prefix: 's-euw1' },
} as const satisfies Record<string, Target>;
export const ALL_TARGETS: readonly Target[] = Object.values(T);
export const PER_TARGET = 2;

const BASE_ENV = {
  EKS_REGIONS: 'us-east-1,eu-west-1',
  EKS_ASSUME_ROLE_ARNS: ROLE,
  EKS_DESCRIBE_CONCURRENCY: '2',
  EKS_ENROLL_SELECTOR: 'argocd=enabled',
  EKS_MAX_STALE_SECONDS: String(MAX_STALE_SECONDS),
};

export interface PipelineOptions {
  readonly env?: Record<string, string>;
  /** Extra clusters per target, e.g. to make a target need two ListClusters pages. */
  readonly extra?: (fake: AwsFake) => void;
  /** Lets a test decide when a rule with `probability` fires (the fake asks this instead of Math.random). */
  readonly random?: () => number;
  /** Also run the registrar (REGISTRAR_PRUNE=true) on the registry's snapshots. */
  readonly registrar?: boolean;
}

export interface ParamsAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface AwsPipeline {
  readonly aws: EksHarness;
  readonly fake: AwsFake;
  readonly registry: FleetRegistry;
  /** Added to the registry's clock, to age the data past EKS_MAX_STALE_SECONDS without waiting. */
  skewMs: number;
  refresh(): Promise<void>;
  getParams(parameters?: Record<string, unknown>): Promise<ParamsAnswer>;
  /** Names of the enrolled clusters AWS really holds now. */
  truth(): string[];
  readonly kube: KubeHarness | undefined;
  readonly replica: Replica | undefined;
  close(): Promise<void>;
}

export function seedFleet(fake: AwsFake, version?: string): void {
  for (const t of ALL_TARGETS) {
    const extra: Partial<FakeCluster> = version === undefined ? {} : { version };
    addAll(fake, t.account, t.region, clusters(t.prefix, PER_TARGET, {}, extra));
  }
}

export async function startPipeline(opts: PipelineOptions = {}): Promise<AwsPipeline> {
  const aws = await startEksHarness(
    { ...BASE_ENV, ...opts.env },
    {
      homeAccount: HOME,
      ...(opts.random === undefined ? {} : { random: opts.random }),
      fleet: (fake) => {
        seedFleet(fake);
        opts.extra?.(fake);
      },
    },
  );
  const pipeline = {
    aws,
    fake: aws.fake,
    skewMs: 0,
  } as { skewMs: number } & Pick<AwsPipeline, 'aws' | 'fake'>;
  const registry = createFleetRegistry({
    source: aws.source,
    log: silentLogger,
    metrics: createServiceMetrics(),
    now: () => Date.now() + pipeline.skewMs,
    // The rows' `again` phase checks that a cluster really deleted during the fault leaves once its target lists
    // again; waiting for FLEET_ABSENCE_REFRESHES (default 2) is tested on its own (generator-service/snapshot/memory.test.ts).
    absenceRefreshes: 1,
  });
  const app = createApp({
    registry,
    tokens: { current: () => TOKEN },
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
  let kube: KubeHarness | undefined;
  let replica: Replica | undefined;
  if (opts.registrar) {
    kube = await startKubeHarness();
    replica = await kube.start('replica-a', registry, { REGISTRAR_PRUNE: 'true' });
  }
  return Object.assign(pipeline, {
    registry,
    kube,
    replica,
    refresh: () => registry.refresh(),
    async getParams(parameters: Record<string, unknown> = {}): Promise<ParamsAnswer> {
      const res = await request(app)
        .post(GET_PARAMS_PATH)
        .set('Authorization', `Bearer ${TOKEN}`)
        .send({ applicationSetName: 'fault-matrix', input: { parameters } });
      return { status: res.status, body: res.body as unknown };
    },
    truth: () => ALL_TARGETS.flatMap((t) => aws.fake.clusterNames(t.account, t.region)).sort(),
    async close() {
      await registry.stop();
      await kube?.close();
      await aws.close();
    },
  });
}

// ---- what the generator answered ------------------------------------------------------------------

interface ParamSetShape {
  readonly name: string;
}

export function namesOf(body: unknown): string[] {
  const params = (body as { output?: { parameters?: ParamSetShape[] } }).output?.parameters ?? [];
  return params.map((p) => p.name).sort();
}

/** Strings that must never reach an answer: the credentials the fake saw or handed out. */
function secretsIn(p: AwsPipeline, text: string): string[] {
  return [HOME_KEY.secret, ...p.fake.issuedSecrets()].filter((s) => text.includes(s));
}

/**
 * One answer in the matrix's phrases:
 *  - `503 {message}`: a non-2xx with a non-empty, secret-free `message` (the designed refusal);
 *  - `200 = last good (n)`: byte-for-byte the answer given before the fault;
 *  - `200 all n`: every enrolled cluster AWS holds now;
 *  - `200 n − a, b`: fewer clusters than AWS holds (or than the last good answer), naming the missing ones.
 */
export function describeAnswer(
  p: AwsPipeline,
  res: ParamsAnswer,
  ref: { lastGood?: unknown } = {},
): string {
  const text = JSON.stringify(res.body);
  const leaked = secretsIn(p, text);
  if (leaked.length > 0) return `${res.status} LEAKS A CREDENTIAL`;
  if (res.status !== 200) {
    const message = (res.body as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' && message !== ''
      ? `${res.status} {message}`
      : `${res.status} without a message: ${text.slice(0, 80)}`;
  }
  const names = namesOf(res.body);
  if (ref.lastGood !== undefined && text === JSON.stringify(ref.lastGood))
    return `200 = last good (${names.length})`;
  const reference = ref.lastGood !== undefined ? namesOf(ref.lastGood) : p.truth();
  const missing = reference.filter((n) => !names.includes(n));
  if (missing.length === 0 && names.length === reference.length) return `200 all ${names.length}`;
  return `200 ${names.length} − ${missing.join(', ') || '(different clusters)'}`;
}

// ---- what the registrar wrote ---------------------------------------------------------------------

/** A cluster Secret someone made by hand: the registrar must never change or delete it. */
export const FOREIGN: KubeObject = {
  metadata: {
    name: 'hand-made-cluster',
    namespace: NAMESPACE,
    labels: { 'argocd.argoproj.io/secret-type': 'cluster' },
  },
  stringData: {
    name: 'hand-made',
    server: 'https://hand-made.example.com',
    config: '{"bearerToken":"hand-made-token"}',
  },
};

export function secretsNow(kube: KubeHarness): KubeObject[] {
  return kube.api.list('secrets', NAMESPACE);
}

/** A Secret name → the cluster it registers (its data.name), from what is stored now. */
export function clusterOfSecret(kube: KubeHarness): Map<string, string> {
  return new Map(
    secretsNow(kube).map((s) => [s.metadata.name, decodedData(s)['name'] ?? s.metadata.name]),
  );
}

/**
 * The Secret writes since `since` (an index into the request log), in phrases: `0 writes`, or
 * `created 8`, `updated 1`, `deleted h-use1-000` (cluster names through `names`).
 */
export function describeWrites(
  kube: KubeHarness,
  since: number,
  names: ReadonlyMap<string, string>,
): string {
  const writes = kube.api.requests
    .slice(since)
    .filter(
      (r: RequestRecord) =>
        r.resource === 'secrets' && r.status < 300 && r.verb !== 'list' && r.verb !== 'get',
    );
  if (writes.length === 0) return '0 writes';
  const parts: string[] = [];
  const created = writes.filter((w) => w.verb === 'create').length;
  const updated = writes.filter((w) => w.verb === 'update' || w.verb === 'patch').length;
  const deleted = writes
    .filter((w) => w.verb === 'delete')
    .map((w) => names.get(w.name ?? '') ?? w.name ?? '?')
    .sort();
  if (created > 0) parts.push(`created ${created}`);
  if (updated > 0) parts.push(`updated ${updated}`);
  if (deleted.length > 0) parts.push(`deleted ${deleted.join(', ')}`);
  return parts.join(', ');
}
