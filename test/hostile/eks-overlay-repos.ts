/**
 * Builders of hostile app repositories for eks-overlay, generated in temp dirs (no large fixtures in git).
 * A repository is `<tmp>/repo/apps/app` (ARGOCD_APP_SOURCE_PATH=apps/app, so the root is `<tmp>/repo`) with a
 * sibling `<tmp>/outside` that symlinks may point at.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const SOURCE_PATH = 'apps/app';

/** A value planted where a careless error message would echo it; it must never reach stderr. */
export const PLANTED_SECRET = 'hunter2-PLANTED-s3cr3t';

export interface HostileRepo {
  readonly root: string;
  readonly repo: string;
  readonly app: string;
  readonly outside: string;
  readonly cleanup: () => void;
}

export function makeRepo(): HostileRepo {
  const root = mkdtempSync(path.join(os.tmpdir(), 'eks-overlay-hostile-'));
  const repo = path.join(root, 'repo');
  const app = path.join(repo, SOURCE_PATH);
  const outside = path.join(root, 'outside');
  mkdirSync(app, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(
    path.join(outside, 'stolen.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\ndata:\n  token: ${PLANTED_SECRET}\n`,
  );
  return {
    root,
    repo,
    app,
    outside,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Writes files relative to the app directory (strings or raw bytes), creating folders. */
export function write(app: string, files: Readonly<Record<string, string | Buffer>>): void {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(app, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

export const CONFIG = 'layers:\n  - base\n  - envs/{{cluster.metadata.labels.env}}\n';

export const CONFIG_MAP = (name: string, data = ''): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n${data}`;

/** A well-formed app: the hostile part is added by each case. */
export function baseApp(app: string): void {
  write(app, { 'eks-overlay.yaml': CONFIG, 'base/cm.yaml': CONFIG_MAP('base') });
}

export const CONTEXT = JSON.stringify({
  name: 'prod-use1',
  nameNormalized: 'prod-use1',
  metadata: { labels: { env: 'prod' }, annotations: {} },
  aws: { region: 'us-east-1', accountId: '123456789012' },
});

/** "Billion laughs": 9 levels of 9 aliases each, indented under `indent` (9^9 nodes if expanded). */
export function aliasBomb(indent: string, key = 'lol'): string {
  let s = `${indent}${key}0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n`;
  for (let i = 1; i < 10; i++) {
    s += `${indent}${key}${i}: &a${i} [${Array(9)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  }
  return s;
}

/** Argo CD's build environment (argocd-contract.md §B5) for a generate run. */
export function argoEnv(over: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: os.tmpdir(),
    ARGOCD_APP_NAME: 'app-prod-use1',
    ARGOCD_APP_NAMESPACE: 'app',
    ARGOCD_APP_PROJECT_NAME: 'default',
    ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
    ARGOCD_APP_REVISION_SHORT: '0123456',
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/platform/fleet.git',
    ARGOCD_APP_SOURCE_PATH: SOURCE_PATH,
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
    KUBE_VERSION: '1.31.2',
    ARGOCD_APP_PARAMETERS: 'null',
    ARGOCD_ENV_CLUSTER_CONTEXT: CONTEXT,
    ...over,
  };
}

export interface ChildResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Heap cap of the child: a hostile repository must fail cleanly inside it, never crash it. */
export const CHILD_HEAP_MB = 256;
/** Safety net only (a hung child must not hang the suite; below the tests' 60 s, far above a loaded machine's worst); no assertion is timed. */
const KILL_AFTER_MS = 50_000;

/** Runs the bundled CLI the way argocd-cmp-server does: a child process in the app directory. */
export function runChild(
  bundle: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
  command = 'generate',
): ChildResult {
  const res = spawnSync(
    process.execPath,
    [`--max-old-space-size=${CHILD_HEAP_MB}`, bundle, command],
    {
      cwd,
      env,
      encoding: 'utf8',
      timeout: KILL_AFTER_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr };
}
