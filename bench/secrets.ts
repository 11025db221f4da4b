import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { SecretsManagerFake } from '../test/fakes/aws-secrets-manager/server';
import { argoCdEnv } from './argocd-env';
import { timeCommand } from './process';
import { fmt, median, ratio, type Row } from './stats';

/** BatchGetSecretValue takes at most 20 secret ids per call (shared/docs/aws-api.md §2). */
const BATCH_LIMIT = 20;
const REGION = 'us-east-1';

/**
 * eks-overlay `generate` with M distinct secret placeholders, in inline mode against the Secrets Manager fake
 * (the real AWS SDK over HTTP): the BatchGetSecretValue calls observed against the ideal ceil(M/20), and the wall
 * time against the default mode (ExternalSecrets, no AWS call) of the same tree. Interleaved rounds, medians.
 */
export async function runSecretsBench(opts: { counts: number[]; rounds: number }): Promise<Row[]> {
  const rows: Row[] = [];
  const cli = resolve('dist/eks-overlay.cjs');
  const root = mkdtempSync(join(tmpdir(), 'bench-secrets-'));
  const fake = new SecretsManagerFake('111122223333', REGION);
  await fake.start();
  try {
    const cacheDir = join(root, 'code-cache');
    for (const m of opts.counts) {
      for (let i = 0; i < m; i++)
        fake.addSecret(`bench/${m}/secret-${i}`, { password: `value-${m}-${i}` });
      const inlineApp = writeSecretsApp(join(root, `${m}-inline`), m, { mode: 'inline' });
      const esApp = writeSecretsApp(join(root, `${m}-external-secret`), m, {
        store: { name: 'aws-sm' },
      });
      const generate = (app: string) =>
        timeCommand(process.execPath, [cli, 'generate'], {
          cwd: app,
          env: {
            ...argoCdEnv(app),
            EKS_OVERLAY_CACHE_DIR: cacheDir,
            AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
            AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
            AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
        });
      // Warm-up: the code caches (the CLI's and the AWS provider's) and the page cache.
      await generate(esApp);
      await generate(inlineApp);
      const inline: number[] = [];
      const external: number[] = [];
      const batchCalls: number[] = [];
      let otherCalls = 0;
      for (let r = 0; r < opts.rounds; r++) {
        fake.calls.length = 0;
        inline.push((await generate(inlineApp)).ms);
        batchCalls.push(fake.count('BatchGetSecretValue'));
        otherCalls += fake.calls.length - fake.count('BatchGetSecretValue');
        external.push((await generate(esApp)).ms);
      }
      const ideal = Math.ceil(m / BATCH_LIMIT);
      const observed = [...new Set(batchCalls)].join('/');
      rows.push({
        benchmark: `eks-overlay inline secrets, ${m} distinct`,
        'ours vs baseline': ratio(median(inline), median(external)),
        ours: `inline ${fmt(median(inline), 0)} ms, ${observed} BatchGetSecretValue call(s) (ideal ${ideal})${otherCalls > 0 ? `, ${otherCalls} other call(s)` : ''}`,
        baseline: `externalSecret mode ${fmt(median(external), 0)} ms, no AWS call`,
        memory: '',
      });
    }
  } finally {
    await fake.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

/** One Secret per distinct secret id, each with one placeholder (what a typical app holds: one id per Secret). */
function writeSecretsApp(dir: string, count: number, secrets: Record<string, unknown>): string {
  mkdirSync(join(dir, 'base'), { recursive: true });
  writeFileSync(join(dir, 'eks-overlay.yaml'), stringify({ layers: ['base'], secrets }));
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(
      stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `secret-${i}`, namespace: 'apps' },
        stringData: { password: `<path:bench/${count}/secret-${i}#password>` },
      }),
    );
  }
  writeFileSync(join(dir, 'base', 'secrets.yaml'), docs.join('---\n'));
  return dir;
}
