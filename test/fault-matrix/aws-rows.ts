/**
 * AWS faults (EKS and STS through the real SDK against the HTTP fake), each seen from the generator (what Argo CD
 * gets from getparams) and from the registrar (which cluster Secrets it writes), both on the real registry.
 *
 * Phases of a persistent fault:
 *   cold    the fault is there before the first successful listing;
 *   healed  it clears;
 *   warm    it comes back, and meanwhile one cluster of an affected target is really deleted in AWS;
 *   stale   the registry's clock moves past EKS_MAX_STALE_SECONDS while it lasts (generator only);
 *   again   it clears again: now the deletion is seen.
 */
import type { EksHarness } from '../fakes/aws/eks-harness';
import { faultRules } from '../fakes/aws/faults';
import { NAMESPACE } from '../fakes/kube-api/harness';
import type { AwsPipeline, PipelineOptions, Target } from './aws-pipeline';
import {
  ALL_TARGETS,
  clusterOfSecret,
  describeAnswer,
  describeWrites,
  FOREIGN,
  MAX_STALE_SECONDS,
  PER_TARGET,
  ROLE,
  SPOKE,
  HOME,
  secretsNow,
  startPipeline,
  T,
} from './aws-pipeline';
import type { MatrixRow } from './matrix';

type Off = () => Promise<void>;

interface AwsFault {
  readonly name: string;
  /** Switches the fault on; returns the switch that turns it off. */
  readonly on: (p: AwsPipeline) => Off | Promise<Off>;
  /**
   * persistent: lasts until switched off; transient: the SDK retries it away (`retried` faulty attempts);
   * credentials: only the first AssumeRole can meet it (credentials are then cached for an hour);
   * vanish: a cluster listed, then 404 on DescribeCluster (AWS saying it is gone).
   */
  readonly kind: 'persistent' | 'transient' | 'credentials' | 'vanish';
  /** Targets the fault hits; the warm phase deletes the first cluster of the first one. */
  readonly affects: readonly Target[];
  readonly retried?: number;
  readonly pipeline?: () => PipelineOptions;
}

const FLEET = ALL_TARGETS.length * PER_TARGET;
const EKS_OPS = ['ListClusters', 'DescribeCluster'] as const;
const SHORT_TIMEOUT = { EKS_CALL_TIMEOUT_MS: '500', EKS_CONNECT_TIMEOUT_MS: '500' };

/**
 * The fake picks a rule with `probability` when its random source says so; this gate lets exactly the first
 * matching request through after each arming: "page 1 answers, page 2 (and its retries) fail".
 */
function firstPassesGate() {
  let armed = false;
  let passed = 0;
  return {
    random: () => {
      if (!armed) return 1;
      if (passed === 0) {
        passed++;
        return 1;
      }
      return 0;
    },
    arm: () => {
      armed = true;
      passed = 0;
    },
  };
}
const page2 = firstPassesGate();

const FAULTS: AwsFault[] = [
  {
    name: 'throttling, retried then succeeds (2 × 429 TooManyRequestsException on ListClusters)',
    kind: 'transient',
    retried: 2,
    affects: [T.spokeUse1],
    on: faultRules(() => ({
      match: { op: 'ListClusters', account: SPOKE, region: 'us-east-1' },
      fault: { kind: 'throttle' },
      times: 2,
    })),
  },
  {
    name: '5xx, retried then succeeds (2 × 503 on one DescribeCluster)',
    kind: 'transient',
    retried: 2,
    affects: [T.homeEuw1],
    on: faultRules(() => ({
      match: { op: 'DescribeCluster', subject: 'h-euw1-001' },
      fault: { kind: 'error', status: 503, type: 'ServiceUnavailableException' },
      times: 2,
    })),
  },
  {
    name: 'persistent throttling (429 on every EKS call)',
    kind: 'persistent',
    affects: ALL_TARGETS,
    on: faultRules(() => ({ match: { op: [...EKS_OPS] }, fault: { kind: 'throttle' } })),
  },
  {
    name: '5xx (500 ServerException on every EKS call in eu-west-1)',
    kind: 'persistent',
    affects: [T.homeEuw1, T.spokeEuw1],
    on: faultRules(() => ({
      match: { region: 'eu-west-1', op: [...EKS_OPS] },
      fault: { kind: 'error', status: 500, type: 'ServerException', message: 'internal' },
    })),
  },
  {
    name: 'timeout: DescribeCluster never answers (per-call timeout 500 ms)',
    kind: 'persistent',
    affects: [T.homeEuw1, T.spokeEuw1],
    pipeline: () => ({ env: SHORT_TIMEOUT }),
    on: faultRules(() => ({
      match: { region: 'eu-west-1', op: 'DescribeCluster' },
      fault: { kind: 'hang' },
    })),
  },
  {
    name: 'slow responses: every answer 1.5 s late, past the 500 ms per-call timeout',
    kind: 'persistent',
    affects: ALL_TARGETS,
    pipeline: () => ({ env: SHORT_TIMEOUT }),
    on: (p) => {
      p.fake.setLatency(1500);
      return () => {
        p.fake.setLatency(0);
        return Promise.resolve();
      };
    },
  },
  {
    name: 'connection reset on ListClusters',
    kind: 'persistent',
    affects: [T.homeUse1],
    on: faultRules(() => ({
      match: { region: 'us-east-1', account: HOME, op: 'ListClusters' },
      fault: { kind: 'destroy' },
    })),
  },
  {
    name: 'connection refused (nothing listening)',
    kind: 'persistent',
    affects: ALL_TARGETS,
    on: async (p) => {
      await p.fake.refuse();
      return () => p.fake.accept();
    },
  },
  {
    name: 'malformed JSON (ListClusters body cut short)',
    kind: 'persistent',
    affects: [T.homeUse1, T.homeEuw1],
    on: faultRules(() => ({
      match: { account: HOME, op: 'ListClusters' },
      fault: { kind: 'malformed' },
    })),
  },
  {
    name: 'AccessDeniedException on ListClusters (one account)',
    kind: 'persistent',
    affects: [T.spokeUse1, T.spokeEuw1],
    on: faultRules(() => ({
      match: { account: SPOKE, op: 'ListClusters' },
      fault: {
        kind: 'error',
        status: 403,
        type: 'AccessDeniedException',
        message: `User: arn:aws:sts::${SPOKE}:assumed-role/eks-discovery/s is not authorized to perform: eks:ListClusters`,
      },
    })),
  },
  {
    name: 'ExpiredTokenException on every EKS call of the assumed role',
    kind: 'persistent',
    affects: [T.spokeUse1, T.spokeEuw1],
    on: faultRules(() => ({
      match: { account: SPOKE, op: [...EKS_OPS] },
      fault: {
        kind: 'error',
        status: 403,
        type: 'ExpiredTokenException',
        message: 'The security token included in the request is expired',
      },
    })),
  },
  {
    name: 'STS AssumeRole denied (met before credentials are cached)',
    kind: 'credentials',
    affects: [T.spokeUse1, T.spokeEuw1],
    on: (p) => {
      p.fake.denyRole(ROLE);
      return () => {
        p.fake.allowRole(ROLE);
        return Promise.resolve();
      };
    },
  },
  {
    name: 'STS AssumeRole answers ExpiredToken (the service identity expired)',
    kind: 'credentials',
    affects: [T.spokeUse1, T.spokeEuw1],
    on: faultRules(() => ({
      match: { op: 'AssumeRole' },
      fault: {
        kind: 'error',
        status: 403,
        type: 'ExpiredToken',
        message: 'The security token included in the request is expired',
      },
    })),
  },
  {
    name: 'a target region unreachable (every eu-west-1 EKS call blackholed)',
    kind: 'persistent',
    affects: [T.homeEuw1, T.spokeEuw1],
    pipeline: () => ({ env: SHORT_TIMEOUT }),
    on: faultRules(() => ({
      match: { region: 'eu-west-1', op: [...EKS_OPS] },
      fault: { kind: 'hang' },
    })),
  },
  {
    name: 'partial pagination: ListClusters page 2 fails (500), page 1 answered',
    kind: 'persistent',
    affects: [T.homeUse1],
    pipeline: () => ({
      random: page2.random,
      // 102 clusters in that target: two pages of at most 100.
      extra: (fake) => {
        for (let i = 0; i < 100; i++)
          fake.addCluster(HOME, 'us-east-1', {
            name: `h-use1-page-${String(i).padStart(3, '0')}`,
            tags: { argocd: 'enabled' },
          });
      },
    }),
    on: (p) => {
      page2.arm();
      return faultRules(() => ({
        match: { op: 'ListClusters', account: HOME, region: 'us-east-1' },
        fault: { kind: 'error', status: 500, type: 'ServerException', message: 'page 2' },
        probability: 1,
      }))(p);
    },
  },
  {
    name: 'a cluster vanishes between ListClusters and DescribeCluster (404 ResourceNotFoundException)',
    kind: 'vanish',
    affects: [T.homeUse1],
    on: faultRules(() => ({
      match: { op: 'DescribeCluster', subject: 'h-use1-001' },
      fault: {
        kind: 'error',
        status: 404,
        type: 'ResourceNotFoundException',
        message: 'No cluster found for name: h-use1-001.',
      },
    })),
  },
  // Successful-looking wrong answers (2xx without what the call exists for): faults, never "no clusters".
  ...(
    [
      ['200 with an empty body', { kind: 'reply', status: 200, body: '' }],
      ['200 {}', { kind: 'reply', status: 200, body: '{}' }],
      ['200 null', { kind: 'reply', status: 200, body: 'null' }],
      ['204 without a body', { kind: 'reply', status: 204, body: '' }],
      ['a page without its clusters member', { kind: 'omit', member: 'clusters' }],
    ] as const
  ).map(([what, fault]): AwsFault => ({
    name: `ListClusters ${what} (own account)`,
    kind: 'persistent',
    affects: [T.homeUse1, T.homeEuw1],
    on: faultRules(() => ({ match: { account: HOME, op: 'ListClusters' }, fault })),
  })),
  ...(
    [
      ['200 {} (no cluster member)', { kind: 'reply', status: 200, body: '{}' }],
      ['a cluster without its status', { kind: 'omit', member: 'cluster.status' }],
      ['an ACTIVE cluster without an endpoint', { kind: 'omit', member: 'cluster.endpoint' }],
    ] as const
  ).map(([what, fault]): AwsFault => ({
    name: `DescribeCluster answering ${what} for one cluster`,
    kind: 'persistent',
    affects: [T.spokeEuw1],
    on: faultRules(() => ({ match: { op: 'DescribeCluster', subject: 's-euw1-001' }, fault })),
  })),
  {
    name: 'STS GetCallerIdentity answering without the account id',
    kind: 'credentials',
    affects: [T.homeUse1, T.homeEuw1],
    on: faultRules(() => ({
      match: { op: 'GetCallerIdentity' },
      fault: { kind: 'omit', member: 'Account' },
    })),
  },
  {
    name: 'STS AssumeRole answering 200 without credentials',
    kind: 'credentials',
    affects: [T.spokeUse1, T.spokeEuw1],
    on: faultRules(() => ({
      match: { op: 'AssumeRole' },
      fault: { kind: 'omit', member: 'Credentials' },
    })),
  },
];

/** Switches the fault on; the returned switch turns it off once, however often it is called. */
async function switchOn(f: AwsFault, p: AwsPipeline): Promise<Off> {
  const off = await f.on(p);
  let done: Promise<void> | undefined;
  return () => (done ??= off());
}

function fleetSize(opts: PipelineOptions | undefined): number {
  return FLEET + (opts?.extra ? 100 : 0);
}

function victimOf(f: AwsFault): { target: Target; name: string } {
  const target = f.affects[0] ?? T.homeUse1;
  return { target, name: `${target.prefix}-000` };
}

function list(phases: readonly (readonly [string, string])[]): string {
  return phases.map(([k, v]) => `${k}: ${v}`).join(' · ');
}

// ---- generator ------------------------------------------------------------------------------------

function generatorExpected(f: AwsFault, n: number): string {
  switch (f.kind) {
    case 'transient':
      return list([['cold', `200 all ${n} (${f.retried} faulty attempts retried away)`]]);
    case 'credentials':
      return list([
        ['cold', '503 {message}'],
        ['healed', `200 all ${n}`],
      ]);
    case 'vanish':
      return list([
        ['cold', `200 ${n - 1} − h-use1-001`],
        ['healed', `200 all ${n}`],
        ['warm', `200 ${n - 1} − h-use1-001`],
      ]);
    case 'persistent':
      return list([
        ['cold', '503 {message}'],
        ['healed', `200 all ${n}`],
        ['warm', `200 = last good (${n})`],
        ['stale', '503 {message}'],
        ['again', `200 all ${n - 1}`],
      ]);
  }
}

/** Faulty attempts that the SDK retried to a 200 under the same invocation id. */
function retriedAway(aws: EksHarness): number {
  const calls = aws.fake.calls;
  return calls.filter(
    (c) =>
      c.outcome !== 200 &&
      calls.some((x) => x.invocationId === c.invocationId && x.outcome === 200),
  ).length;
}

async function observeGenerator(f: AwsFault): Promise<string> {
  const p = await startPipeline(f.pipeline?.());
  try {
    const phases: [string, string][] = [];
    let off = await switchOn(f, p);
    await p.refresh();
    const cold = describeAnswer(p, await p.getParams());
    if (f.kind === 'transient') {
      phases.push(['cold', `${cold} (${retriedAway(p.aws)} faulty attempts retried away)`]);
      await off();
      return list(phases);
    }
    phases.push(['cold', cold]);
    await off();
    await p.refresh();
    const good = await p.getParams();
    phases.push(['healed', describeAnswer(p, good)]);
    if (f.kind === 'credentials') return list(phases);

    const victim = victimOf(f);
    if (f.kind === 'persistent')
      p.fake.removeCluster(victim.target.account, victim.target.region, victim.name);
    off = await switchOn(f, p);
    await p.refresh();
    phases.push(['warm', describeAnswer(p, await p.getParams(), { lastGood: good.body })]);
    if (f.kind === 'vanish') {
      await off();
      return list(phases);
    }
    p.skewMs = (MAX_STALE_SECONDS + 1) * 1000;
    phases.push(['stale', describeAnswer(p, await p.getParams())]);
    p.skewMs = 0;
    await off();
    await p.refresh();
    phases.push(['again', describeAnswer(p, await p.getParams())]);
    return list(phases);
  } finally {
    await p.close();
  }
}

// ---- registrar ------------------------------------------------------------------------------------

function registrarExpected(f: AwsFault, n: number): string {
  const untouched = 'foreign Secret untouched';
  switch (f.kind) {
    case 'transient':
      return list([
        ['cold', `success: created ${n} → ${n} Secrets`],
        ['end', untouched],
      ]);
    case 'credentials':
      return list([
        ['cold', 'no-snapshot: 0 writes → 0 Secrets'],
        ['healed', `success: created ${n} → ${n} Secrets`],
        ['end', untouched],
      ]);
    case 'vanish':
      return list([
        ['cold', `success: created ${n - 1} → ${n - 1} Secrets`],
        ['healed', `success: created 1 → ${n} Secrets`],
        ['warm', `success: deleted h-use1-001 → ${n - 1} Secrets`],
        ['end', untouched],
      ]);
    case 'persistent':
      return list([
        ['cold', 'no-snapshot: 0 writes → 0 Secrets'],
        ['healed', `success: created ${n} → ${n} Secrets`],
        ['warm', `success: 0 writes → ${n} Secrets`],
        ['again', `success: deleted ${victimOf(f).name} → ${n - 1} Secrets`],
        ['end', untouched],
      ]);
  }
}

async function observeRegistrar(f: AwsFault): Promise<string> {
  const p = await startPipeline({ ...f.pipeline?.(), registrar: true });
  const kube = p.kube!;
  const replica = p.replica!;
  const foreign = kube.api.seed('secrets', structuredClone(FOREIGN));
  let names = new Map<string, string>();
  const owned = () =>
    secretsNow(kube).filter(
      (s) => s.metadata.labels?.['app.kubernetes.io/managed-by'] === 'argocd-eks-plugins',
    ).length;
  /** Refreshes the registry, lets the registrar react, reconciles once more on purpose, and describes it. */
  const step = async (): Promise<string> => {
    const mark = kube.api.requests.length;
    await p.refresh();
    await replica.handle.settle();
    const outcome = await replica.handle.reconcile('fault-matrix probe');
    const writes = describeWrites(kube, mark, names);
    names = new Map([...names, ...clusterOfSecret(kube)]);
    return `${outcome ?? 'none'}: ${writes} → ${owned()} Secrets`;
  };
  try {
    const phases: [string, string][] = [];
    let off = await switchOn(f, p);
    phases.push(['cold', await step()]);
    if (f.kind !== 'transient') {
      await off();
      phases.push(['healed', await step()]);
      if (f.kind === 'persistent') {
        const victim = victimOf(f);
        p.fake.removeCluster(victim.target.account, victim.target.region, victim.name);
      }
      if (f.kind !== 'credentials') {
        off = await switchOn(f, p);
        phases.push(['warm', await step()]);
        if (f.kind === 'persistent') {
          await off();
          phases.push(['again', await step()]);
        }
      }
    }
    await off();
    const now = kube.api.get('secrets', NAMESPACE, FOREIGN.metadata.name);
    phases.push([
      'end',
      JSON.stringify(now) === JSON.stringify(foreign)
        ? 'foreign Secret untouched'
        : 'FOREIGN SECRET CHANGED',
    ]);
    return list(phases);
  } finally {
    await p.close();
  }
}

const faultRows: MatrixRow[] = FAULTS.flatMap((f): MatrixRow[] => {
  const n = fleetSize(f.pipeline?.());
  return [
    {
      component: 'generator',
      fault: f.name,
      expected: generatorExpected(f, n),
      observe: () => observeGenerator(f),
    },
    {
      component: 'registrar',
      fault: `${f.name} (via the registry)`,
      expected: registrarExpected(f, n),
      observe: () => observeRegistrar(f),
    },
  ];
});

// ---- add-on default versions (generator only: the registrar does not use them) ---------------------

interface AddonSet {
  readonly name: string;
  readonly addons?: Record<string, string>;
}

const ADDONS = { addons: ['vpc-cni', 'kube-proxy'] };

/** An answer to a request for add-ons: a refusal, or which clusters got an empty version. */
function describeAddonAnswer(
  p: AwsPipeline,
  res: { status: number; body: unknown },
  ref: { lastGood?: unknown } = {},
): string {
  const base = describeAnswer(p, res, ref);
  if (res.status !== 200) {
    // The message matters here: it must say what is missing, not call a real add-on unknown.
    const message = (res.body as { message?: unknown } | undefined)?.message;
    return base.endsWith('{message}') && typeof message === 'string'
      ? `${res.status} ${JSON.stringify({ message })}`
      : base;
  }
  const sets = (res.body as { output: { parameters: AddonSet[] } }).output.parameters;
  const empty = sets
    .filter((s) => Object.values(s.addons ?? {}).some((v) => v === ''))
    .map((s) => s.name);
  return empty.length > 0 ? `${base} with add-on version "" for ${empty.join(', ')}` : base;
}

const addonDown = faultRules(() => ({
  match: { op: 'DescribeAddonVersions' },
  fault: { kind: 'error', status: 500, type: 'ServerException', message: 'addons down' },
}));

const addonRows: MatrixRow[] = [
  {
    component: 'generator',
    fault: 'DescribeAddonVersions down from the start',
    expected: list([
      [
        'with addons',
        '503 {"message":"no add-on defaults for Kubernetes 1.30 (not looked up yet, or not in the fleet file)"}',
      ],
      ['without', `200 all ${FLEET}`],
    ]),
    observe: async () => {
      const p = await startPipeline();
      try {
        addonDown(p);
        await p.refresh();
        return list([
          ['with addons', describeAddonAnswer(p, await p.getParams(ADDONS))],
          ['without', describeAnswer(p, await p.getParams())],
        ]);
      } finally {
        await p.close();
      }
    },
  },
  {
    component: 'generator',
    fault: 'DescribeAddonVersions failing after a successful lookup',
    expected: list([['with addons', `200 = last good (${FLEET})`]]),
    observe: async () => {
      const p = await startPipeline();
      try {
        await p.refresh();
        const good = await p.getParams(ADDONS);
        addonDown(p);
        await p.refresh();
        return list([
          [
            'with addons',
            describeAddonAnswer(p, await p.getParams(ADDONS), { lastGood: good.body }),
          ],
        ]);
      } finally {
        await p.close();
      }
    },
  },
  ...(
    [
      ['200 {}', { kind: 'reply', status: 200, body: '{}' }],
      ['a page without its addons list', { kind: 'omit', member: 'addons' }],
      [
        '{"addons": []} (no default named at all)',
        { kind: 'replace', member: 'addons', value: [] },
      ],
    ] as const
  ).map(([what, fault]): MatrixRow => ({
    component: 'generator',
    fault: `DescribeAddonVersions answering ${what} after a successful lookup`,
    expected: list([['with addons', `200 = last good (${FLEET})`]]),
    observe: async () => {
      const p = await startPipeline();
      try {
        await p.refresh();
        const good = await p.getParams(ADDONS);
        faultRules(() => ({ match: { op: 'DescribeAddonVersions' }, fault }))(p);
        await p.refresh();
        return list([
          [
            'with addons',
            describeAddonAnswer(p, await p.getParams(ADDONS), { lastGood: good.body }),
          ],
        ]);
      } finally {
        await p.close();
      }
    },
  })),
  {
    component: 'generator',
    fault:
      'DescribeAddonVersions failing when a cluster on a new Kubernetes version (1.31) joins: its defaults never looked up',
    expected: list([
      [
        'with addons',
        '503 {"message":"no add-on defaults for Kubernetes 1.31 (not looked up yet, or not in the fleet file)"}',
      ],
      ['without', `200 all ${FLEET + 1}`],
      ['healed, with addons', `200 all ${FLEET + 1}`],
    ]),
    observe: async () => {
      const p = await startPipeline();
      try {
        await p.refresh();
        p.fake.addCluster(HOME, 'us-east-1', {
          name: 'h-use1-new',
          version: '1.31',
          tags: { argocd: 'enabled' },
        });
        const off = addonDown(p);
        await p.refresh();
        const phases: [string, string][] = [
          ['with addons', describeAddonAnswer(p, await p.getParams(ADDONS))],
          ['without', describeAnswer(p, await p.getParams())],
        ];
        await off();
        await p.refresh();
        phases.push(['healed, with addons', describeAddonAnswer(p, await p.getParams(ADDONS))]);
        return list(phases);
      } finally {
        await p.close();
      }
    },
  },
];

export const awsRows: MatrixRow[] = [...faultRows, ...addonRows];
