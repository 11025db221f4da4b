import { createHash } from 'node:crypto';
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeError, SourceUnavailableError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { SourcePart } from '../../core/snapshot';
import { exampleFleetPath } from './examples';
import { parseFileConfig, FILE_ENV_VARS } from './file-config';
import {
  defaultFleetParseWorker,
  parseFleetInWorker,
  type FleetParseResult,
  type FleetParseWorkerOptions,
} from './fleet-parse-worker';
import { parseFleetYaml, type Fleet } from './fleet-yaml';
import type { ClusterSource, ClusterSourceModule, SourceContext, SourceLoad } from './source';

export { parseFleetYaml, type Fleet } from './fleet-yaml';

export interface FileSourceOptions {
  readonly path: string;
  readonly log: Logger;
  /** How often the registry re-reads the file even without a change notification. */
  readonly refreshIntervalMs?: number;
  /** How often the file's identity (inode, size, mtime) is polled, to notice changes fs.watch misses. */
  readonly pollIntervalMs?: number;
  readonly now?: () => number;
  /**
   * Where large files are parsed: a child process running this bundle (the default when running from one), or
   * `undefined` to parse every file in-thread.
   */
  readonly parseWorker?: FleetParseWorkerOptions | undefined;
}

/**
 * A ClusterSource over a fleet file, with one part `file:<path>`. A file that cannot be read or is invalid keeps
 * the last good fleet (the part reports the error); the first load rejects when there is no good fleet yet.
 * Changes are noticed through fs.watch on the directory (ConfigMap mounts swap a `..data` symlink, which a watch
 * on the file itself would lose) plus a stat poll.
 */
export function fileSource(opts: FileSourceOptions): ClusterSource {
  const file = path.resolve(opts.path);
  const id = `file:${file}`;
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ source: id });
  const worker = 'parseWorker' in opts ? opts.parseWorker : defaultFleetParseWorker();
  let lastGood: Fleet | undefined;
  // The sha256 of the bytes lastGood was parsed from: an unchanged file (the periodic refresh, most watch events)
  // is answered with the same fleet without parsing, which at 10,000 clusters blocks the event loop for seconds.
  let lastGoodHash: string | undefined;
  let lastSuccessAt: number | undefined;
  let lastError: string | undefined;
  // The same for the last invalid bytes: re-reading them is a failure again, without parsing them again.
  let lastBad: { hash: string; problem: { summary: string; issues: string[] } } | undefined;

  const part = (): SourcePart => ({ id, lastSuccessAt, lastError });

  async function parse(bytes: Buffer, signal: AbortSignal): Promise<FleetParseResult> {
    if (worker === undefined || bytes.length < worker.minBytes) {
      return parseFleetYaml(bytes.toString('utf8'), file);
    }
    return parseFleetInWorker(bytes, file, worker, signal).catch((e: unknown) => {
      throw new FleetParseFailure(e);
    });
  }

  async function load(ctx: SourceContext): Promise<SourceLoad> {
    let problem: { summary: string; issues: string[] };
    try {
      const bytes = await readFile(file);
      const hash = createHash('sha256').update(bytes).digest('hex');
      const parsed =
        lastGood !== undefined && hash === lastGoodHash
          ? { fleet: lastGood }
          : lastBad?.hash === hash
            ? { issues: lastBad.problem.issues }
            : await parse(bytes, ctx.signal);
      if ('fleet' in parsed) {
        if (lastError !== undefined)
          log.info('fleet file is valid again', { clusters: parsed.fleet.records.length });
        if ('warnings' in parsed && parsed.warnings !== undefined && hash !== lastGoodHash) {
          log.warn('fleet file has clusters the registry quarantines (each on its own)', {
            issues: parsed.warnings,
          });
        }
        lastGood = parsed.fleet;
        lastGoodHash = hash;
        lastBad = undefined;
        lastSuccessAt = now();
        lastError = undefined;
        return {
          records: lastGood.records,
          addonDefaults: lastGood.addonDefaults,
          parts: [part()],
        };
      }
      const more =
        parsed.issues.length > 1 ? ` (and ${parsed.issues.length - 1} more problems)` : '';
      problem = {
        summary: `${parsed.issues[0] ?? 'invalid fleet file'}${more}`,
        issues: parsed.issues,
      };
      lastBad = { hash, problem };
    } catch (e) {
      const what = e instanceof FleetParseFailure ? 'parse' : 'read';
      const msg = `${file}: cannot ${what} the fleet file: ${describeError(e instanceof FleetParseFailure ? e.cause : e)}`;
      problem = { summary: msg, issues: [msg] };
    }
    // On every re-read, not only when it changes: the part stays failed (lastError) until the file is fixed, and
    // the registry counts each such refresh as failed.
    log.warn(
      lastGood === undefined
        ? 'fleet file is invalid; no clusters loaded yet'
        : 'fleet file is invalid; keeping the last good fleet',
      { issues: problem.issues },
    );
    lastError = problem.summary;
    if (lastGood === undefined) throw new SourceUnavailableError(problem.summary);
    return { records: lastGood.records, addonDefaults: lastGood.addonDefaults, parts: [part()] };
  }

  function watch(onChange: () => void): () => void {
    let debounce: NodeJS.Timeout | undefined;
    const changed = () => {
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(onChange, 50);
      debounce.unref();
    };
    let watcher: FSWatcher | undefined;
    try {
      const base = path.basename(file);
      watcher = fsWatch(path.dirname(file), { persistent: false }, (_event, name) => {
        // Kubernetes volume updates rename `..data`; anything else in the directory is not ours.
        if (name === null || name === base || name.startsWith('..')) changed();
      });
      watcher.on('error', () => undefined);
    } catch (e) {
      log.debug('fs.watch unavailable; relying on polling', { error: describeError(e) });
    }
    let signature: string | undefined;
    let polling = false;
    const poll = setInterval(() => {
      if (polling) return;
      polling = true;
      void stat(file)
        .then(
          (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
          (e: unknown) => `error:${describeError(e)}`,
        )
        .then((sig) => {
          if (signature !== undefined && sig !== signature) changed();
          signature = sig;
        })
        .finally(() => {
          polling = false;
        });
    }, opts.pollIntervalMs ?? 2000);
    poll.unref();
    return () => {
      clearInterval(poll);
      if (debounce) clearTimeout(debounce);
      watcher?.close();
    };
  }

  return {
    kind: 'file',
    load,
    refreshIntervalMs: opts.refreshIntervalMs ?? 30_000,
    watch,
  };
}

/** A parse worker that failed (crashed, ran out of memory): a load error like an unreadable file. */
class FleetParseFailure extends Error {
  constructor(cause: unknown) {
    super('fleet parse worker failed', { cause });
  }
}

/** `CLUSTER_SOURCE=file`, the default: the fleet file `CLUSTERS_FILE`, or the bundled example with --demo. */
export const fileClusterSource: ClusterSourceModule = {
  kind: 'file',
  title: 'Fleet file',
  summary: 'the fleet file `CLUSTERS_FILE`',
  envVars: FILE_ENV_VARS,
  checkEnv: (env, ctx) => {
    const parsed = parseFileConfig(env, ctx);
    return 'issues' in parsed ? parsed.issues : [];
  },
  fromEnv: (env, deps) => {
    const parsed = parseFileConfig(env, { selected: true, demo: deps.demo ?? false });
    if ('issues' in parsed) return parsed;
    const { clustersFile, refreshIntervalMs } = parsed.config;
    // Without a fleet file only --demo gets this far: it serves the example fleet.
    const file = clustersFile ?? exampleFleetPath();
    return {
      source: fileSource({
        path: file,
        log: deps.log,
        refreshIntervalMs,
        ...(deps.now === undefined ? {} : { now: deps.now }),
      }),
      description:
        clustersFile === undefined
          ? 'the bundled EXAMPLE fleet (fictitious clusters; set CLUSTERS_FILE or CLUSTER_SOURCE=eks for a real one)'
          : `the fleet file ${clustersFile}`,
    };
  },
};
