/**
 * `npm run bench`: each figure is a ratio against a baseline run side by side (interleaved, several rounds,
 * medians), because the machines are shared and noisy. Prints one markdown table and writes it to
 * bench/results/latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runCmpBench } from './cmp';
import { runEksDiscoveryBench } from './eks-discovery';
import { runGeneratorBench } from './generator';
import { runPolicyBench } from './policy';
import { runSecretsBench } from './secrets';
import { markdownTable, type Row } from './stats';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const rows: Row[] = [];
  const want = (name: string) => only === undefined || only.split(',').includes(name);
  if (want('generator')) {
    rows.push(
      ...(await runGeneratorBench({
        sizes: [1000, 10000],
        rounds: quick ? 1 : 3,
        seconds: quick ? 2 : 5,
        connections: 50,
      })),
    );
  }
  if (want('discovery')) rows.push(...(await runDiscovery()));
  if (want('cmp')) rows.push(...(await runCmpBench({ sizes: [20, 1000], rounds: quick ? 3 : 7 })));
  if (want('policy'))
    rows.push(...(await runPolicyBench({ rounds: quick ? 5 : 9, warmRenders: quick ? 5 : 15 })));
  if (want('secrets')) {
    rows.push(
      ...(await runSecretsBench({ counts: [1, 20, 21, 100, 1000], rounds: quick ? 3 : 5 })),
    );
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const table = markdownTable(rows);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.md', `${header}\n\n${table}\n`);
  process.stdout.write(`${header}\n\n${table}\n`);
}

async function runDiscovery(): Promise<Row[]> {
  const rows = await runEksDiscoveryBench();
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
