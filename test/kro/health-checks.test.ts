import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../cmp/helpers';

/**
 * The Lua health checks of manifests/health, run by Debian's lua5.1 through manifests/health/harness.lua with
 * the object as `obj` and only base functions available, as Argo CD runs them by default.
 */
const HEALTH_DIR = path.resolve(__dirname, '../../manifests/health');

/** A JSON value as a Lua literal (nulls become absent fields, as in Argo CD's conversion). */
function toLua(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `{${v.map(toLua).join(', ')}}`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== null);
  return `{${entries.map(([k, x]) => `[${JSON.stringify(k)}] = ${toLua(x)}`).join(', ')}}`;
}

interface Health {
  status: string;
  message: string;
}

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir('kro-health-')));
afterAll(() => tmp.cleanup());

function runHealth(script: string, obj: unknown): Health {
  const objectFile = path.join(tmp.dir, 'object.lua');
  writeFileSync(objectFile, `return ${toLua(obj)}\n`);
  const out = execFileSync(
    'lua5.1',
    [path.join(HEALTH_DIR, 'harness.lua'), path.join(HEALTH_DIR, script), objectFile],
    {
      encoding: 'utf8',
    },
  );
  const field = (name: string) =>
    out
      .split('\n')
      .find((l) => l.startsWith(`${name}=`))
      ?.slice(name.length + 1) ?? '';
  return { status: field('status'), message: field('message') };
}

const cond = (type: string, status: string, extra: Record<string, unknown> = {}) => ({
  type,
  status,
  ...extra,
});

const instance = (status: unknown, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'kro.run/v1alpha1',
  kind: 'EksCluster',
  metadata: { name: 'prod-us-east-1-workload', generation: 2, ...metadata },
  ...(status === undefined ? {} : { status }),
});

describe('kro.lua on kro instances', () => {
  test.each<[string, unknown, Health | { status: string; message: RegExp }]>([
    [
      'no status yet',
      instance(undefined),
      { status: 'Progressing', message: 'Waiting for kro to reconcile' },
    ],
    [
      'ACTIVE and Ready',
      instance({
        state: 'ACTIVE',
        conditions: [
          cond('Ready', 'True', { observedGeneration: 2, message: 'All resources are ready' }),
        ],
      }),
      { status: 'Healthy', message: 'All resources are ready' },
    ],
    [
      'IN_PROGRESS while resources come up',
      instance({
        state: 'IN_PROGRESS',
        conditions: [
          cond('Ready', 'False', { observedGeneration: 2, message: 'waiting for cluster' }),
          cond('ResourcesReady', 'False', { message: 'waiting for cluster' }),
        ],
      }),
      { status: 'Progressing', message: 'waiting for cluster' },
    ],
    [
      'FAILED',
      instance({
        state: 'FAILED',
        conditions: [
          cond('GraphResolved', 'False', { message: 'cannot resolve ${cluster.status.endpoint}' }),
        ],
      }),
      { status: 'Degraded', message: 'cannot resolve ${cluster.status.endpoint}' },
    ],
    [
      'ERROR without conditions',
      instance({ state: 'ERROR' }),
      { status: 'Degraded', message: 'kro instance is ERROR' },
    ],
    [
      'legacy InstanceSynced=False',
      instance({
        state: 'ACTIVE',
        conditions: [cond('InstanceSynced', 'False', { reason: 'ReconcileFailed' })],
      }),
      { status: 'Degraded', message: 'ReconcileFailed' },
    ],
    ['DELETING', instance({ state: 'DELETING' }), { status: 'Progressing', message: /deleting/ }],
    [
      'Ready for an older generation',
      instance({ state: 'ACTIVE', conditions: [cond('Ready', 'True', { observedGeneration: 1 })] }),
      { status: 'Progressing', message: 'Waiting for kro to observe generation 2' },
    ],
    [
      'suspended by annotation',
      instance({ state: 'ACTIVE' }, { annotations: { 'kro.run/reconcile': 'suspended' } }),
      { status: 'Suspended', message: /suspended/ },
    ],
  ])('%s', (_name, obj, expected) => {
    const got = runHealth('kro.lua', obj);
    expect(got.status).toBe(expected.status);
    if (expected.message instanceof RegExp) expect(got.message).toMatch(expected.message);
    else expect(got.message).toBe(expected.message);
  });
});

describe('kro.lua on ResourceGraphDefinitions', () => {
  const rgd = (status: unknown) => ({
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGraphDefinition',
    metadata: { name: 'ekscluster.kro.run' },
    status,
  });
  test.each<[string, unknown, string, string]>([
    [
      'Active',
      rgd({ state: 'Active', conditions: [cond('Ready', 'True')] }),
      'Healthy',
      'ResourceGraphDefinition is active',
    ],
    [
      'Inactive with a rejected graph',
      rgd({
        state: 'Inactive',
        conditions: [
          cond('GraphAccepted', 'False', { message: 'references unknown identifiers: [spc]' }),
        ],
      }),
      'Degraded',
      'references unknown identifiers: [spc]',
    ],
    [
      'not processed yet',
      rgd({}),
      'Progressing',
      'Waiting for kro to accept the ResourceGraphDefinition',
    ],
  ])('%s', (_name, obj, status, message) => {
    expect(runHealth('kro.lua', obj)).toEqual({ status, message });
  });
});

describe('ack.lua on ACK resources', () => {
  const cluster = (status: unknown) => ({
    apiVersion: 'eks.services.k8s.aws/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'prod' },
    ...(status === undefined ? {} : { status }),
  });
  test.each<[string, unknown, string, string]>([
    [
      'no status yet',
      cluster(undefined),
      'Progressing',
      'Waiting for the ACK controller to reconcile',
    ],
    [
      'synced (older runtime, no Ready)',
      cluster({
        status: 'ACTIVE',
        conditions: [
          cond('ACK.ResourceSynced', 'True', { message: 'Resource synced successfully' }),
        ],
      }),
      'Healthy',
      'Resource synced successfully',
    ],
    [
      'creating: not synced yet',
      cluster({
        status: 'CREATING',
        conditions: [
          cond('ACK.ResourceSynced', 'False', { message: 'Cluster is in CREATING status' }),
        ],
      }),
      'Progressing',
      'Cluster is in CREATING status',
    ],
    [
      'Ready=True (newer runtime)',
      cluster({
        conditions: [
          cond('Ready', 'True', { message: 'Resource synced successfully' }),
          cond('ACK.ResourceSynced', 'True'),
        ],
      }),
      'Healthy',
      'Resource synced successfully',
    ],
    [
      'Ready=False',
      cluster({ conditions: [cond('Ready', 'False', { reason: 'Pending' })] }),
      'Progressing',
      'Pending',
    ],
    [
      'terminal error',
      cluster({
        conditions: [
          cond('ACK.Terminal', 'True', {
            message: 'InvalidParameterException: unsupported Kubernetes version',
          }),
          cond('ACK.ResourceSynced', 'False'),
        ],
      }),
      'Degraded',
      'InvalidParameterException: unsupported Kubernetes version',
    ],
    [
      'recoverable error is retried',
      cluster({
        conditions: [cond('ACK.Recoverable', 'True', { message: 'AccessDeniedException' })],
      }),
      'Progressing',
      'Retrying: AccessDeniedException',
    ],
    [
      'unresolved references',
      cluster({
        conditions: [cond('ACK.ReferencesResolved', 'False', { message: 'role not found' })],
      }),
      'Progressing',
      'Waiting for references: role not found',
    ],
    [
      'AWS lifecycle FAILED',
      cluster({ status: 'FAILED', conditions: [cond('ACK.ResourceSynced', 'True')] }),
      'Degraded',
      'AWS reports FAILED',
    ],
  ])('%s', (_name, obj, status, message) => {
    expect(runHealth('ack.lua', obj)).toEqual({ status, message });
  });
});
