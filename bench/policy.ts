import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { run } from '../cmp-sidecar/cli';
import { argoCdEnv } from './argocd-env';
import { writeEquivalentTrees } from './overlay-trees';
import { timeCommand } from './process';
import { fmt, median, ratio, type Row } from './stats';

/**
 * The policies stage's cost: a 1,000-object render with and without 20 admission policies (15
 * ValidatingAdmissionPolicies, 5 Gatekeeper constraints of CEL templates; all pass, so the render succeeds), side
 * by side, as a CLI process (what Argo CD runs) and as repeated renders in one warm process (preview, render server).
 */
const DEPLOYMENT_RULES: readonly string[] = [
  "has(object.metadata.labels) && 'app' in object.metadata.labels",
  'object.spec.replicas <= 10',
  "object.spec.template.spec.containers.all(c, c.image.matches('^registry\\\\.example\\\\.com/'))",
  "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))",
  "object.spec.template.spec.containers.all(c, c.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'))",
  'object.spec.template.spec.containers.all(c, !has(c.ports) || c.ports.all(p, p.containerPort > 0 && p.containerPort < 65536))',
  "object.spec.template.spec.containers.all(c, !has(c.env) || c.env.all(e, e.name.matches('^[A-Z_][A-Z0-9_]*$')))",
  'object.spec.selector.matchLabels.all(k, object.spec.template.metadata.labels[k] == object.spec.selector.matchLabels[k])',
  'variables.containers.size() <= 5',
  '!has(object.spec.template.spec.hostNetwork) || object.spec.template.spec.hostNetwork == false',
];
const ANY_RULES: readonly string[] = [
  "request.namespace != 'default'",
  'size(object.metadata.name) <= 63',
  "object.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
  "!has(object.metadata.annotations) || !('forbidden' in object.metadata.annotations)",
  "request.operation == 'CREATE' || oldObject != null",
];

function vap(i: number, expression: string, resources: string[], groups: string[]): string {
  const name = `bench-policy-${i}`;
  return (
    stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        matchConstraints: {
          resourceRules: [
            { apiGroups: groups, apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources },
          ],
        },
        variables: [
          {
            name: 'containers',
            expression:
              'has(object.spec) && has(object.spec.template) ? object.spec.template.spec.containers : []',
          },
        ],
        validations: [
          { expression, messageExpression: `'${name} failed for ' + object.metadata.name` },
        ],
      },
    }) +
    '---\n' +
    stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: { policyName: name, validationActions: i % 3 === 0 ? ['Warn'] : ['Deny'] },
    })
  );
}

function gatekeeper(i: number): string {
  const kind = `BenchRequiredLabels${i}`;
  return (
    stringify({
      apiVersion: 'templates.gatekeeper.sh/v1',
      kind: 'ConstraintTemplate',
      metadata: { name: kind.toLowerCase() },
      spec: {
        crd: { spec: { names: { kind } } },
        targets: [
          {
            target: 'admission.k8s.gatekeeper.sh',
            code: [
              {
                engine: 'K8sNativeValidation',
                source: {
                  validations: [
                    {
                      expression:
                        'variables.params.keys.all(k, !has(variables.anyObject.metadata.labels) || !(k in variables.anyObject.metadata.labels) || variables.anyObject.metadata.labels[k].size() < 64)',
                      messageExpression:
                        "'label values stay short: ' + variables.anyObject.metadata.name",
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    }) +
    '---\n' +
    stringify({
      apiVersion: 'constraints.gatekeeper.sh/v1beta1',
      kind,
      metadata: { name: `bench-${i}` },
      spec: {
        match: { kinds: [{ apiGroups: ['*'], kinds: ['*'] }], excludedNamespaces: ['kube-*'] },
        parameters: { keys: ['app', 'team', 'tier'] },
      },
    })
  );
}

export function writePolicies(dir: string): void {
  mkdirSync(dir, { recursive: true });
  DEPLOYMENT_RULES.forEach((e, i) =>
    writeFileSync(join(dir, `vap-${i}.yaml`), vap(i, e, ['deployments'], ['apps'])),
  );
  ANY_RULES.forEach((e, i) =>
    writeFileSync(join(dir, `vap-any-${i}.yaml`), vap(100 + i, e, ['*'], ['*'])),
  );
  for (let i = 0; i < 5; i++) writeFileSync(join(dir, `gatekeeper-${i}.yaml`), gatekeeper(i));
}

interface Timed {
  ms: number;
  peakMb: number;
}

async function renderInProcess(app: string, env: NodeJS.ProcessEnv): Promise<number> {
  let out = 0;
  const started = process.hrtime.bigint();
  const code = await run(['generate'], {
    cwd: app,
    env,
    stdout: { write: (s: string) => (out += s.length) },
    stderr: { write: () => undefined },
  });
  if (code !== 0 || out === 0) throw new Error(`in-process render failed with exit ${code}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function runPolicyBench(opts: {
  rounds: number;
  warmRenders: number;
}): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'bench-policy-'));
  const cli = resolve('dist/eks-overlay.cjs');
  const cacheDir = join(root, 'code-cache');
  try {
    const trees = writeEquivalentTrees(join(root, 'tree'), 1000);
    const policies = join(root, 'policies');
    writePolicies(policies);
    const without = { ...argoCdEnv(trees.app), EKS_OVERLAY_CACHE_DIR: cacheDir };
    const withPolicies = { ...without, EKS_OVERLAY_POLICY_DIRS: policies };
    const generate = (env: NodeJS.ProcessEnv) =>
      timeCommand(process.execPath, [cli, 'generate'], { cwd: trees.app, env });
    await generate(without);
    await generate(withPolicies);
    const a: Timed[] = [];
    const b: Timed[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      a.push(await generate(without));
      b.push(await generate(withPolicies));
    }
    const rows: Row[] = [];
    const cliRow = (label: string, ours: Timed[], base: Timed[]): Row => {
      const o = median(ours.map((x) => x.ms));
      const t = median(base.map((x) => x.ms));
      const om = median(ours.map((x) => x.peakMb));
      const tm = median(base.map((x) => x.peakMb));
      return {
        benchmark: label,
        'ours vs baseline': ratio(o, t),
        ours: `${fmt(o, 0)} ms, peak ${fmt(om, 0)} MB`,
        baseline: `without policies ${fmt(t, 0)} ms, peak ${fmt(tm, 0)} MB`,
        memory: `${ratio(om, tm)} of without`,
      };
    };
    rows.push(cliRow('eks-overlay generate, 1000 objects, 20 policies (CLI process)', b, a));

    // One warm process: the same renders repeated, interleaved, after a warm-up of each.
    await renderInProcess(trees.app, without);
    await renderInProcess(trees.app, withPolicies);
    const wa: number[] = [];
    const wb: number[] = [];
    for (let r = 0; r < opts.warmRenders; r++) {
      wa.push(await renderInProcess(trees.app, without));
      wb.push(await renderInProcess(trees.app, withPolicies));
    }
    rows.push({
      benchmark: 'render, 1000 objects, 20 policies (one warm process, in-process run())',
      'ours vs baseline': ratio(median(wb), median(wa)),
      ours: `${fmt(median(wb), 0)} ms`,
      baseline: `without policies ${fmt(median(wa), 0)} ms`,
      memory: '',
    });
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
