import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError } from '../../core/errors';
import { EXIT } from '../exit';
import type { ExitCode } from '../exit';
import type { Io } from '../io';
import { TempDirs, checkout, originUrl, repositoryTop } from '../preview/checkout';
import type { Revision } from '../preview/checkout';
import { fleetFromFile, fleetFromGenerator } from '../preview/fleet';
import { DEFAULT_KUBE_API_VERSIONS } from '../preview/kube-api-versions';
import { parsePreviewOptions } from '../preview/options';
import { runPreview } from '../preview/preview';
import type { RunCli } from '../preview/render-app';
import { createRenderPool } from '../preview/render-pool';
import { toJson, toMarkdown } from '../preview/report';

/**
 * `preview --base <ref> [--head <ref>] (--fleet <file> | --generator-url <url> --generator-token-file <f>) ...`:
 * what a change does to every Application on every cluster, rendered in process through `run` (cli.ts hands it
 * over, so this is exactly `eks-overlay generate`). Exit 0 when everything rendered, 1 when a render failed, a
 * policy denied or the fleet source failed, 2 usage, 78 configuration. The report goes to stdout (or --output) only
 * when the preview completed.
 */
export async function preview(args: readonly string[], io: Io, run: RunCli): Promise<ExitCode> {
  const opts = parsePreviewOptions(args);
  const repo = await repositoryTop(path.resolve(io.cwd, opts.repo));
  const repoUrl = opts.repoUrl ?? (await originUrl(repo));
  if (repoUrl === undefined) {
    throw new ConfigError([
      `the repository ${repo} has no "origin" remote: give --repo-url (the repoURL its Applications use)`,
    ]);
  }
  const fleet =
    opts.fleet !== undefined
      ? await fleetFromFile(path.resolve(io.cwd, opts.fleet))
      : await fleetFromGenerator(
          opts.generatorUrl ?? '',
          path.resolve(io.cwd, opts.generatorTokenFile ?? ''),
        );
  const temp = new TempDirs();
  const unguard = temp.guardSignals();
  const pool = createRenderPool(run, opts.jobs);
  try {
    const base = await checkout(repo, opts.base, temp, 'base');
    const head: Revision =
      opts.head === undefined
        ? { label: 'working tree', sha: undefined, dir: repo }
        : await checkout(repo, opts.head, temp, 'head');
    const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const started = Date.now();
    const report = await runPreview({
      base,
      head,
      repoUrl,
      fleet,
      appsetGlobs: opts.appsets,
      policyDirs: opts.policies.map((p) => path.resolve(io.cwd, p)),
      kubeApiVersions: opts.kubeApiVersions ?? DEFAULT_KUBE_API_VERSIONS,
      jobs: opts.jobs,
      run,
      pool,
      ...(tty ? { onProgress: progressBar(io, started) } : {}),
    });
    if (tty) io.stderr.write('\n');
    const text = opts.format === 'json' ? toJson(report) : toMarkdown(report);
    if (opts.output === undefined) io.stdout.write(text);
    else await writeFile(path.resolve(io.cwd, opts.output), text);
    // A Deny also fails its Application's render (an error); counted on its own all the same.
    const failed = report.summary.applications.error > 0 || (report.summary.policy?.deny ?? 0) > 0;
    return failed ? EXIT.render : EXIT.ok;
  } finally {
    await pool.close();
    unguard();
    for (const dir of temp.dispose()) {
      io.stderr.write(`eks-overlay: could not remove the temporary checkout ${dir}\n`);
    }
  }
}

/** `renders 120/3000  45/s  ETA 64s` on one rewritten line. */
function progressBar(io: Io, started: number): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done !== total && now - last < 100) return;
    last = now;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    io.stderr.write(
      `\reks-overlay preview: Applications ${done}/${total}  ${rate.toFixed(0)}/s  ETA ${eta}s `,
    );
  };
}
