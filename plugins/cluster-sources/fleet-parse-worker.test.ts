/**
 * Large fleet files are parsed in a child process running the service bundle, so the yaml document's heap dies
 * with it. The worker must answer exactly what the in-thread parse answers (records, or every issue with
 * its file:line:col), and a worker that fails must be a load error for that refresh, never a crash or a shorter
 * fleet. The bundle is built from the current sources (as `npm run build` does): under jest the sources are
 * TypeScript, which a worker cannot run.
 */
import childProcess from 'node:child_process';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SourceUnavailableError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { bundleSources, type SourceBundles } from '../../test/helpers/bundle';
import { fileSource, parseFleetYaml } from './file';
import { defaultFleetParseWorker, parseFleetInWorker } from './fleet-parse-worker';

const cluster = (i: number, version = '"1.30"') => `  - clusterName: c-${String(i).padStart(5, '0')}
    accountId: "012345678901"
    region: eu-west-1
    version: ${version}
    endpoint: https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
    tags: { env: prod, team: t${i % 7} }
`;
/** A fleet of n clusters; `broken` maps a cluster index to a replacement text for it. */
const fleetText = (n: number, broken: Record<number, string> = {}): string =>
  `clusters:\n${Array.from({ length: n }, (_, i) => broken[i] ?? cluster(i)).join('')}`;

/** Over the 1 MiB threshold the shipped service parses in a worker. */
const LARGE = 5000;

let bundles: SourceBundles;
let dir: string;
beforeAll(async () => {
  bundles = await bundleSources(['generator-service'], 'fleet-worker-');
  dir = mkdtempSync(path.join(tmpdir(), 'fleet-worker-data-'));
});
afterAll(() => {
  bundles.remove();
  rmSync(dir, { recursive: true, force: true });
});

const ctx = { signal: new AbortController().signal, log: silentLogger };
const workerOf = (entry: string, minBytes = 0) => ({ entry, minBytes });

describe('the worker answers exactly what the in-thread parse answers', () => {
  const cases: [string, string][] = [
    ['a valid large fleet', fleetText(LARGE)],
    [
      'a large fleet with schema problems near the end',
      fleetText(LARGE, {
        4321: cluster(4321, '1.30'),
        4990: cluster(4990).replace('region:', 'regoin:'),
      }),
    ],
    ['a large fleet with a YAML syntax error', fleetText(LARGE, { 4000: '  - [unclosed\n' })],
    ['a large fleet with a duplicate cluster', fleetText(LARGE, { 4999: cluster(3) })],
  ];
  test.each(cases)('%s', async (_name, text) => {
    const bytes = Buffer.from(text);
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    const file = path.join(dir, 'fleet.yaml');
    const inThread = parseFleetYaml(text, file);
    expect(
      await parseFleetInWorker(bytes, file, workerOf(bundles.file('generator-service'))),
    ).toEqual(inThread);
  });
});

describe('a failing worker is a load error for that refresh', () => {
  // Every row has three cells: jest passes a `done` callback to a test function with more parameters than cells.
  const scripts: [string, string, object | undefined][] = [
    ['exits without an answer', 'process.exit(3);', undefined],
    ['throws', "throw new Error('boom');", undefined],
    [
      'runs out of memory',
      'const a = []; for (;;) a.push(new Array(100000).fill({ x: Math.random() }));',
      { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    ],
  ];
  test.each(scripts)(
    'a worker that %s: no fleet yet → the load rejects; then the last good fleet is kept',
    async (name, script, resourceLimits) => {
      const entry = path.join(dir, `${name.replace(/\W+/g, '-')}.cjs`);
      writeFileSync(entry, script);
      const file = path.join(dir, `fleet-${name.replace(/\W+/g, '-')}.yaml`);
      const big = fleetText(20);
      const small = fleetText(2);
      const parseWorker = {
        entry,
        minBytes: Buffer.byteLength(small) + 1,
        ...(resourceLimits ? { resourceLimits } : {}),
      };
      const source = fileSource({ path: file, log: silentLogger, parseWorker });

      writeFileSync(file, big);
      const first = source.load(ctx);
      await expect(first).rejects.toBeInstanceOf(SourceUnavailableError);
      await expect(first).rejects.toThrow(
        new RegExp(`^${escape(file)}: cannot parse the fleet file: the fleet parse worker`),
      );

      writeFileSync(file, small);
      expect((await source.load(ctx)).records).toHaveLength(2);

      writeFileSync(file, big);
      const kept = await source.load(ctx);
      expect(kept.records).toHaveLength(2);
      expect(kept.parts[0]?.lastError).toMatch(
        new RegExp(`^${escape(file)}: cannot parse the fleet file: the fleet parse worker`),
      );
    },
  );

  test('a load the registry aborts (its timeout) ends the worker and rejects; the last good fleet is kept', async () => {
    const entry = path.join(dir, 'never-answers.cjs');
    writeFileSync(entry, 'setInterval(() => undefined, 1000);');
    const file = path.join(dir, 'fleet-aborted.yaml');
    const small = fleetText(2);
    const source = fileSource({
      path: file,
      log: silentLogger,
      parseWorker: workerOf(entry, Buffer.byteLength(small) + 1),
    });
    writeFileSync(file, small);
    await source.load(ctx);
    // Child processes of this one: a running parser is one more.
    const before = children();
    writeFileSync(file, fleetText(20));
    const ac = new AbortController();
    const loading = source.load({ signal: ac.signal, log: silentLogger });
    await until(() => (children() > before ? true : undefined));
    ac.abort();
    const kept = await loading;
    expect(kept.records).toHaveLength(2);
    expect(kept.parts[0]?.lastError).toBe(
      `${file}: cannot parse the fleet file: the fleet parse was aborted`,
    );
    // A parser left running would stay a child: this waits forever (the test times out) if it is not ended.
    await until(() => (children() <= before ? true : undefined));
  });

  test('a worker the file cannot be sent to is ended and the refresh fails; the last good fleet is kept', async () => {
    const entry = path.join(dir, 'waits-for-the-file.cjs');
    writeFileSync(entry, 'setInterval(() => undefined, 1000);');
    const file = path.join(dir, 'fleet-not-sent.yaml');
    const small = fleetText(2);
    const source = fileSource({
      path: file,
      log: silentLogger,
      parseWorker: workerOf(entry, Buffer.byteLength(small) + 1),
    });
    writeFileSync(file, small);
    await source.load(ctx);
    const before = children();
    // A real child whose IPC send fails (the channel broke): the failure is injected, the process is real.
    const realFork = childProcess.fork;
    const forked = jest.spyOn(childProcess, 'fork').mockImplementation((...args) => {
      const child = (realFork as (...a: unknown[]) => ChildProcess)(...args);
      child.send = ((_message: unknown, callback: (e: Error | null) => void) => {
        process.nextTick(callback, Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        return false;
      }) as ChildProcess['send'];
      return child;
    });
    try {
      writeFileSync(file, fleetText(20));
      const kept = await source.load(ctx);
      expect(forked).toHaveBeenCalledTimes(1);
      expect(kept.records).toHaveLength(2);
      expect(kept.parts[0]?.lastError).toBe(
        `${file}: cannot parse the fleet file: the fleet parse worker could not be sent the file: write EPIPE`,
      );
    } finally {
      forked.mockRestore();
    }
    // A child left waiting for the file would stay a child: this waits forever (the test times out) if it is not ended.
    await until(() => (children() <= before ? true : undefined));
  });

  test('a worker entry that does not exist is a load error too', async () => {
    const file = path.join(dir, 'fleet-missing-entry.yaml');
    writeFileSync(file, fleetText(2));
    const source = fileSource({
      path: file,
      log: silentLogger,
      parseWorker: workerOf(path.join(dir, 'no-such-entry.cjs')),
    });
    await expect(source.load(ctx)).rejects.toThrow(/cannot parse the fleet file/);
  });
});

test('run from TypeScript sources there is no worker entry: files are parsed in-thread', () => {
  expect(defaultFleetParseWorker()).toBeUndefined();
});

describe('the bundled service with a large fleet file', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    child = undefined;
  });

  test('serves every cluster; a broken replacement keeps them all and logs file:line like the in-thread parse', async () => {
    const file = path.join(dir, 'served.yaml');
    writeFileSync(file, fleetText(LARGE));
    const token = 'fleet-worker-token';
    child = spawn(process.execPath, [bundles.file('generator-service')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        GENERATOR_TOKEN: token,
        CLUSTERS_FILE: file,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const port = await until(() => {
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      return line ? (JSON.parse(line) as { port: number }).port : undefined;
    });
    const base = `http://127.0.0.1:${port}`;
    await until(async () => {
      const res = await fetch(`${base}/readyz`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    });
    const clusters = async () => {
      const res = await fetch(`${base}/api/v1/getparams.execute`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: '{"applicationSetName":"all","input":{"parameters":{}}}',
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { output: { parameters: unknown[] } }).output.parameters;
    };
    expect(await clusters()).toHaveLength(LARGE);

    const broken = fleetText(LARGE, { 4321: cluster(4321, '1.30') });
    const expected = parseFleetYaml(broken, file);
    if (!('issues' in expected)) throw new Error('expected the broken fleet to have issues');
    expect(expected.issues[0]).toMatch(
      new RegExp(`^${escape(file)}:\\d+:\\d+: clusters\\[4321\\]`),
    );
    writeFileSync(file, broken);
    const warning = await until(() =>
      out.split('\n').find((l) => l.includes('keeping the last good fleet')),
    );
    expect((JSON.parse(warning) as { issues: string[] }).issues).toEqual(expected.issues);
    expect(await clusters()).toHaveLength(LARGE);
  });
});

/** Live child processes of this process (what the kernel lists for its main thread, which forks them). */
const children = (): number =>
  readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
    .split(' ')
    .filter((pid) => pid.trim() !== '' && isRunning(pid.trim())).length;

/** Not a zombie: a killed child stays listed until Node reaps it. */
function isRunning(pid: string): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
