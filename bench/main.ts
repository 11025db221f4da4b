/**
 * `npm run bench`: each figure is a ratio against a baseline run side by side (interleaved, several rounds,
 * medians), because the machines are shared and noisy. Prints one markdown table and writes it to
 * bench/results/latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runCmpBench } from './cmp';
import { runEksDiscoveryBench } from './eks-discovery';
import { runFleetViewBench } from './fleet-view';
import { runGeneratorBench } from './generator';
import { runPreviewBench } from './preview';
import { runPolicyBench } from './policy';
import { runSecretsBench } from './secrets';
import { runWarmBench } from './warm';
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
  if (want('fleet-view')) {
    rows.push(
      ...(await runFleetViewBench({
        clusters: 10000,
        seconds: quick ? 3 : 5,
        rounds: quick ? 2 : 3,
        chromium: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium',
      })),
    );
  }
  if (want('cmp')) rows.push(...(await runCmpBench({ sizes: [20, 1000], rounds: quick ? 3 : 7 })));
  if (want('warm')) rows.push(...(await runWarmBench({ rounds: quick ? 15 : 31, burst: 1000 })));
  if (want('policy'))
    rows.push(...(await runPolicyBench({ rounds: quick ? 5 : 9, warmRenders: quick ? 5 : 15 })));
  if (want('secrets')) {
    rows.push(
      ...(await runSecretsBench({ counts: [1, 20, 21, 100, 1000], rounds: quick ? 3 : 5 })),
    );
  }

  // The fleet preview: run only with --only=preview (it builds a 3,000-Application repository).
  if (only?.split(',').includes('preview')) {
    rows.push(...(await runPreviewBench({ clusters: 1000, sample: 100 })));
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
