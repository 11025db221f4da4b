/**
 * Secrets Manager faults against eks-overlay in inline mode: the bundled CLI as a child process with Argo CD's
 * environment, its provider bundle beside it, the real SDK talking to the Secrets Manager fake. Argo CD prunes when
 * a CMP prints nothing successfully, so every fault must end in a non-zero exit with an empty stdout, and stderr
 * must say where (file:line), which secret and key, and never a value.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import { parseAllDocuments } from 'yaml';
import type { SmFaultRule } from '../fakes/aws-secrets-manager/server';
import { SecretsManagerFake } from '../fakes/aws-secrets-manager/server';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { generateAsArgoCd, type CmpRun } from '../helpers/cmp-run';
import type { MatrixRow } from './matrix';

const REPO_ROOT = path.resolve(__dirname, '../..');
const CANARY = 'CANARY-fault-matrix-9d2e';
const CONTEXT = { name: 'prod-eu-1', aws: { region: 'eu-west-1' } };

let bundle: Promise<SourceBundles> | undefined;

/**
 * Bundles eks-overlay and its AWS provider from the current sources the way build.mjs lays them out (the provider
 * beside the CLI), into a temp dir, once per run: dist/ belongs to `npm run build` and may be mid-rebuild.
 */
async function cliBundle(): Promise<string> {
  // FAULT_MATRIX_CLI=dist/eks-overlay.cjs runs the rows against an artifact built by `npm run build` instead.
  const given = process.env['FAULT_MATRIX_CLI'];
  if (given) return path.resolve(REPO_ROOT, given);
  bundle ??= bundleSources(['eks-overlay', 'secret-provider-aws'], 'fault-matrix-cli-');
  return (await bundle).file('eks-overlay');
}

/** Removes the bundle and stops esbuild's service process. */
export async function removeCliBundle(): Promise<void> {
  (await bundle?.catch(() => undefined))?.remove();
  await stopEsbuild();
}

/** Two Secrets in one file: db (line 1) and api (line 7), each with one placeholder. */
const MANIFESTS = `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData:
  password: <path:prod/shop/db#password>
---
apiVersion: v1
kind: Secret
metadata: {name: api, namespace: shop}
stringData:
  token: <path:prod/shop/api#token>
`;
const AT = {
  db: { line: 'base/secrets.yaml:1', id: 'prod/shop/db', key: 'password' },
  api: { line: 'base/secrets.yaml:7', id: 'prod/shop/api', key: 'token' },
} as const;
type Which = keyof typeof AT;

interface SmFault {
  readonly name: string;
  /** The secret the fault is about; absent for a fault that resolves (retried away). */
  readonly at?: Which;
  /** The error name stderr must give (the operator's first clue). */
  readonly reason?: string;
  readonly rules?: readonly SmFaultRule[];
  /** Replaces the planted secrets: e.g. a broken JSON string. */
  readonly plant?: (fake: SecretsManagerFake) => void;
  readonly requestTimeoutMs?: number;
}

const FAULTS: SmFault[] = [
  {
    name: 'throttled once, retried then succeeds',
    rules: [{ fault: { kind: 'throttle' }, times: 1 }],
  },
  {
    name: 'ResourceNotFoundException (secret missing)',
    at: 'api',
    reason: 'ResourceNotFoundException',
    plant: (fake) => fake.addSecret('prod/shop/db', { password: `pw-${CANARY}` }),
  },
  {
    name: 'AccessDeniedException on the call',
    at: 'db',
    reason: 'AccessDeniedException',
    rules: [
      {
        fault: {
          kind: 'error',
          status: 400,
          type: 'AccessDeniedException',
          message: 'not authorized to perform: secretsmanager:BatchGetSecretValue',
        },
      },
    ],
  },
  {
    name: 'throttled past retries (ThrottlingException)',
    at: 'db',
    reason: 'ThrottlingException',
    rules: [{ fault: { kind: 'throttle' } }],
  },
  {
    name: '5xx past retries (500 InternalServiceError)',
    at: 'db',
    reason: 'InternalServiceError',
    rules: [{ fault: { kind: 'error', status: 500, type: 'InternalServiceError' } }],
  },
  {
    name: 'timeout: the endpoint never answers (requestTimeoutMs 300)',
    at: 'db',
    reason: 'TimeoutError',
    requestTimeoutMs: 300,
    rules: [{ fault: { kind: 'hang' } }],
  },
  {
    name: 'connection reset',
    at: 'db',
    reason: 'socket hang up',
    rules: [{ fault: { kind: 'destroy' } }],
  },
  {
    name: 'malformed answer (body holding the values cut short)',
    at: 'db',
    reason: 'SyntaxError',
    rules: [{ fault: { kind: 'malformed' } }],
  },
  {
    name: 'DecryptionFailure (KMS)',
    at: 'api',
    reason: 'DecryptionFailure',
    rules: [{ secretId: 'prod/shop/api', fault: { kind: 'item', code: 'DecryptionFailure' } }],
  },
  {
    name: 'malformed JSON secret (key asked of a broken JSON string)',
    at: 'api',
    reason: 'not a JSON object',
    plant: (fake) => {
      fake.addSecret('prod/shop/db', { password: `pw-${CANARY}` });
      fake.addSecret('prod/shop/api', `{"token": "tok-${CANARY}"`);
    },
  },
  {
    name: 'missing key',
    at: 'api',
    reason: 'no such key',
    plant: (fake) => {
      fake.addSecret('prod/shop/db', { password: `pw-${CANARY}` });
      fake.addSecret('prod/shop/api', { other: `o-${CANARY}` });
    },
  },
  {
    name: 'partial BatchGetSecretValue: db answered, api in Errors[] (AccessDeniedException)',
    at: 'api',
    reason: 'AccessDeniedException',
    rules: [{ secretId: 'prod/shop/api', fault: { kind: 'item', code: 'AccessDeniedException' } }],
  },
];

/** No AWS config or credentials files either: only what the row gives. */
function generate(cli: string, appDir: string, env: Record<string, string>): Promise<CmpRun> {
  return generateAsArgoCd(cli, appDir, CONTEXT, {
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    ...env,
  });
}

function expected(f: SmFault): string {
  if (f.at === undefined)
    return 'exit 0, stdout: 2 Secrets resolved, 1 faulty attempt retried away, stderr holds no value';
  const at = AT[f.at];
  return `exit ≠0, stdout empty, stderr names ${at.line} + ${at.id} + key ${at.key} + ${f.reason}, no value`;
}

function describeRun(f: SmFault, run: CmpRun, fake: SecretsManagerFake): string {
  const leak = run.stderr.includes(CANARY) ? 'STDERR HOLDS A VALUE' : undefined;
  if (f.at === undefined) {
    const objects = parseAllDocuments(run.stdout)
      .map((d) => d.toJS() as { stringData?: Record<string, string> } | null)
      .filter((o) => o !== null);
    const resolved = objects.filter((o) =>
      Object.values(o.stringData ?? {}).every((v) => v.includes(CANARY)),
    ).length;
    const retried = fake.calls.filter((c) => c.outcome !== 200).length;
    return [
      run.code === 0 ? 'exit 0' : `exit ${run.code}`,
      `stdout: ${resolved} Secrets resolved`,
      `${retried} faulty attempt${retried === 1 ? '' : 's'} retried away`,
      leak ?? 'stderr holds no value',
    ].join(', ');
  }
  const at = AT[f.at];
  const reason = f.reason ?? '';
  const named: [string, boolean][] = [
    [at.line, run.stderr.includes(`${at.line}:`)],
    [at.id, run.stderr.includes(at.id)],
    [`key ${at.key}`, run.stderr.includes(`#${at.key}`) || run.stderr.includes(`key "${at.key}"`)],
    [reason, run.stderr.includes(reason)],
  ];
  return [
    run.code === 0 ? 'exit 0' : run.code === null ? 'killed' : 'exit ≠0',
    run.stdout === '' ? 'stdout empty' : `STDOUT ${run.stdout.length} BYTES`,
    `stderr names ${named.map(([what, ok]) => (ok ? what : `NOT ${what}`)).join(' + ')}`,
    leak ?? 'no value',
  ].join(', ');
}

async function observe(f: SmFault): Promise<string> {
  const cli = await cliBundle();
  const appDir = mkdtempSync(path.join(os.tmpdir(), 'fault-matrix-app-'));
  const fake = new SecretsManagerFake('111122223333', 'eu-west-1');
  await fake.start();
  try {
    if (f.plant) f.plant(fake);
    else {
      fake.addSecret('prod/shop/db', { password: `pw-${CANARY}` });
      fake.addSecret('prod/shop/api', { token: `tok-${CANARY}` });
    }
    for (const r of f.rules ?? []) fake.inject({ ...r });
    writeFileSync(
      path.join(appDir, 'eks-overlay.yaml'),
      `layers:\n  - base\nsecrets:\n  mode: inline\n  inline: {maxAttempts: 2, requestTimeoutMs: ${f.requestTimeoutMs ?? 3000}}\n`,
    );
    mkdirSync(path.join(appDir, 'base'));
    writeFileSync(path.join(appDir, 'base', 'secrets.yaml'), MANIFESTS);
    const run = await generate(cli, appDir, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
      AWS_ACCESS_KEY_ID: 'AKIDFAULTMATRIX',
      AWS_SECRET_ACCESS_KEY: 'fault-matrix-not-a-real-key',
    });
    return describeRun(f, run, fake);
  } finally {
    await fake.stop();
    rmSync(appDir, { recursive: true, force: true });
  }
}

export const secretsRows: MatrixRow[] = FAULTS.map((f) => ({
  component: 'inline secrets',
  fault: `Secrets Manager: ${f.name}`,
  expected: expected(f),
  observe: () => observe(f),
}));
