import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFESTS_DIR, REPO_ROOT, rel, walkFiles } from './manifest-tree';

/*
 * manifests/iam/ holds the IAM policies each part needs. The actions the code can call are derived from its sources
 * (the SDK commands it imports, its paginators, its credential providers), and each policy must grant exactly the
 * actions of the code that runs under it: nothing missing (a call would be denied), nothing unused, no wildcard.
 */

const IAM_DIR = path.join(MANIFESTS_DIR, 'iam');
const SOURCE_DIRS = ['core', 'plugins', 'generator-service', 'cmp-sidecar'];

/** @aws-sdk client package → IAM service prefix. */
const SERVICE_OF: Record<string, string> = {
  'client-eks': 'eks',
  'client-sts': 'sts',
  'client-secrets-manager': 'secretsmanager',
};

/** Credential providers → the action they call with the caller's identity ('' = none). */
const PROVIDER_ACTION: Record<string, string> = {
  fromTemporaryCredentials: 'sts:AssumeRole',
  // The default chain: environment, IRSA's AssumeRoleWithWebIdentity (authorized by the role's trust policy, not by
  // an identity policy), EKS Pod Identity and the container endpoints. No permission of the Pod's own role.
  fromNodeProviderChain: '',
};

/**
 * Actions the SDK can call that IAM never checks. sts:GetCallerIdentity: "No permissions are required to perform
 * this operation" (STS API reference); an explicit deny does not stop it either.
 */
const NEEDS_NO_PERMISSION = new Set(['sts:GetCallerIdentity']);

interface AwsCall {
  file: string;
  action: string;
}

/** The AWS actions one source file can call, from its value imports of @aws-sdk packages. */
function awsCallsOf(file: string, text: string): AwsCall[] {
  const out: AwsCall[] = [];
  const imports = text.matchAll(
    /import\s+(type\s+)?(\{[^}]*\}|\*\s+as\s+\w+|\w+)\s+from\s+['"]@aws-sdk\/([\w-]+)['"]/g,
  );
  for (const [, typeOnly, clause, pkg] of imports) {
    if (typeOnly) continue;
    if (!clause!.startsWith('{'))
      throw new Error(`${file}: import named SDK members from @aws-sdk/${pkg!}, not a namespace`);
    const names = clause!
      .slice(1, -1)
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '' && !n.startsWith('type '))
      .map((n) => n.split(/\s+as\s+/)[0]!);
    for (const name of names) {
      if (pkg === 'credential-providers') {
        const action = PROVIDER_ACTION[name];
        if (action === undefined)
          throw new Error(`${file}: credential provider ${name} has no known IAM action here`);
        if (action !== '') out.push({ file, action });
        continue;
      }
      const service = SERVICE_OF[pkg!];
      if (service === undefined)
        throw new Error(`${file}: @aws-sdk/${pkg!} has no IAM prefix here`);
      const command = /^(\w+)Command$/.exec(name)?.[1];
      const paginated = /^paginate(\w+)$/.exec(name)?.[1];
      const operation = command ?? paginated;
      if (operation !== undefined) out.push({ file, action: `${service}:${operation}` });
    }
  }
  return out;
}

function callsInSources(): AwsCall[] {
  return SOURCE_DIRS.flatMap((d) =>
    walkFiles(path.join(REPO_ROOT, d), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts')),
  ).flatMap((f) => awsCallsOf(rel(f), readFileSync(f, 'utf8')));
}

interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  Principal?: unknown;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

const readPolicy = (name: string): Policy =>
  JSON.parse(readFileSync(path.join(IAM_DIR, name), 'utf8')) as Policy;
const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const granted = (p: Policy): string[] =>
  [...new Set(p.Statement.flatMap((s) => list(s.Action)))].sort();

/** Which policy covers which code: the identity the code runs with. */
const POLICIES: { file: string; who: string; covers: (c: AwsCall) => boolean }[] = [
  {
    file: 'generator-discovery.json',
    who: 'the generator (EKS discovery, its own account and AssumeRole into members)',
    covers: (c) => c.file.startsWith('plugins/cluster-sources/'),
  },
  {
    file: 'member-account-discovery.json',
    who: 'each member-account role the generator assumes (EKS reads only)',
    covers: (c) => c.file.startsWith('plugins/cluster-sources/') && c.action.startsWith('eks:'),
  },
  {
    file: 'upgrade-controller.json',
    who: 'the upgrade controller (tags, add-on reads, AssumeRole into member accounts)',
    covers: (c) => c.file.startsWith('generator-service/upgrades/'),
  },
  {
    file: 'eks-overlay-inline-secrets.json',
    who: 'argocd-repo-server (eks-overlay, secrets.mode: inline)',
    covers: (c) => c.file.startsWith('plugins/secret-providers/'),
  },
];

const calls = callsInSources();
const needed = (covers: (c: AwsCall) => boolean) =>
  [...new Set(calls.filter(covers).map((c) => c.action))]
    .filter((a) => !NEEDS_NO_PERMISSION.has(a))
    .sort();

describe('the AWS actions the code can call', () => {
  it('are found in the sources (commands, paginators, credential providers)', () => {
    expect([...new Set(calls.map((c) => c.action))].sort()).toEqual(
      expect.arrayContaining([
        'eks:ListClusters',
        'eks:DescribeCluster',
        'eks:DescribeAddonVersions',
        'sts:AssumeRole',
        'sts:GetCallerIdentity',
        'secretsmanager:BatchGetSecretValue',
        'secretsmanager:GetSecretValue',
      ]),
    );
  });

  it('each come from code that a policy covers', () => {
    const uncovered = calls.filter(
      (c) => !NEEDS_NO_PERMISSION.has(c.action) && !POLICIES.some((p) => p.covers(c)),
    );
    expect(uncovered).toEqual([]);
  });

  it('are derived from value imports only, and map paginators and providers to their actions', () => {
    const text = [
      "import type { Cluster } from '@aws-sdk/client-eks';",
      "import { ListNodegroupsCommand, paginateListAddons, EKSClient } from '@aws-sdk/client-eks';",
      "import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';",
    ].join('\n');
    expect(awsCallsOf('x.ts', text).map((c) => c.action)).toEqual([
      'eks:ListNodegroups',
      'eks:ListAddons',
      'sts:AssumeRole',
    ]);
    expect(() =>
      awsCallsOf('x.ts', "import { fromIni } from '@aws-sdk/credential-providers';"),
    ).toThrow(/fromIni/);
  });
});

describe.each(POLICIES)('manifests/iam/$file', ({ file, covers }) => {
  const policy = readPolicy(file);

  it('grants exactly what the code it covers calls (nothing missing, nothing unused)', () => {
    expect(granted(policy)).toEqual(needed(covers));
  });

  it('allows only, by named actions (no wildcard, no NotAction)', () => {
    expect(policy.Version).toBe('2012-10-17');
    for (const s of policy.Statement) {
      expect(s.Effect).toBe('Allow');
      expect(s.NotAction).toBeUndefined();
      for (const a of list(s.Action)) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      expect(list(s.Resource).length).toBeGreaterThan(0);
    }
  });
});

describe('manifests/iam/member-account-discovery-trust.json', () => {
  const trust = readPolicy('member-account-discovery-trust.json');

  it('lets the generator’s role assume the member role, and nothing else', () => {
    expect(granted(trust)).toEqual(['sts:AssumeRole']);
    for (const s of trust.Statement) expect(s.Principal).toBeDefined();
    // The generator assumes the roles it is given: its own policy must grant sts:AssumeRole on them.
    expect(granted(readPolicy('generator-discovery.json'))).toContain('sts:AssumeRole');
  });
});

describe('manifests/README.md', () => {
  it('links every policy file', () => {
    const readme = readFileSync(path.join(MANIFESTS_DIR, 'README.md'), 'utf8');
    const unlinked = walkFiles(IAM_DIR, (x) => x.endsWith('.json'))
      .map((f) => path.basename(f))
      .filter((name) => !readme.includes(`(iam/${name})`));
    expect(unlinked).toEqual([]);
  });
});
