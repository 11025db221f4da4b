import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { K8sObject } from './manifest-tree';
import {
  findObject,
  installObjects,
  kustomizeBuild,
  MANIFESTS_DIR,
  REPO_ROOT,
  rel,
  walkFiles,
} from './manifest-tree';

/*
 * The optional monitoring component (manifests/components/monitoring): the ServiceMonitor scrapes the generator's
 * Service, and every metric and label the PrometheusRule names is one the code registers (an alert on a metric that
 * does not exist never fires, silently).
 */

const COMPONENT = path.join(MANIFESTS_DIR, 'components', 'monitoring');
/** Series Prometheus itself writes for every target. */
const PROMETHEUS_SERIES: Record<string, string[]> = {
  up: ['job', 'instance', 'namespace', 'pod', 'service'],
};
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Metric name → label names, from every prom-client metric the non-test sources create. */
function registeredMetrics(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const files = ['core', 'plugins', 'generator-service'].flatMap((d) =>
    walkFiles(path.join(REPO_ROOT, d), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts')),
  );
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /new (Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'([a-z_:][a-z0-9_:]*)'([\s\S]*?)\}\);?\n/g,
    )) {
      const [, type, name, rest] = m as unknown as [string, string, string, string];
      const labels = /labelNames:\s*\[([^\]]*)\]/.exec(rest)?.[1] ?? '';
      const labelNames = [...labels.matchAll(/'([^']+)'/g)].map((x) => x[1]!);
      const names =
        type === 'Histogram'
          ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
          : type === 'Summary'
            ? [name, `${name}_sum`, `${name}_count`]
            : [name];
      for (const n of names)
        out.set(
          n,
          type === 'Histogram' && n.endsWith('_bucket') ? [...labelNames, 'le'] : labelNames,
        );
    }
  }
  return out;
}

interface SeriesRef {
  metric: string;
  labels: string[];
}

/** The series selectors of a PromQL expression: metric names and the label names matched on each. */
function seriesIn(expr: string): SeriesRef[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const out: SeriesRef[] = [];
  for (const m of text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?(\s*\()?/g)) {
    const [, name, matchers, call] = m as unknown as [
      string,
      string,
      string | undefined,
      string | undefined,
    ];
    if (call !== undefined && matchers === undefined) continue; // a function or an aggregation
    if (PROMQL_WORDS.has(name.toLowerCase())) continue;
    const labels = [...(matchers ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map(
      (x) => x[1]!,
    );
    out.push({ metric: name, labels });
  }
  return out;
}

/** Every reference that is not a registered metric (or Prometheus's own series), or uses a label it lacks. */
function unknownReferences(expr: string, known: Map<string, string[]>): string[] {
  return seriesIn(expr).flatMap(({ metric, labels }) => {
    const allowed = known.get(metric) ?? PROMETHEUS_SERIES[metric];
    if (allowed === undefined) return [`metric ${metric}`];
    return labels.filter((l) => !allowed.includes(l)).map((l) => `label ${metric}{${l}}`);
  });
}

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const objects = kustomizeBuild(path.join(MANIFESTS_DIR, 'examples', 'install-eks-discovery'));
const rule = findObject(objects, 'PrometheusRule', 'argocd-eks-plugins');
const rules = (rule['spec'] as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
const known = registeredMetrics();

describe('the metrics the code registers', () => {
  it('are found (generator and registrar)', () => {
    expect([...known.keys()]).toEqual(
      expect.arrayContaining([
        'generator_http_requests_total',
        'generator_source_part_stale',
        'generator_registry_refresh_failures_total',
        'argocd_eks_registrar_conflicting_secrets',
        'argocd_eks_registrar_reconciles_total',
      ]),
    );
    expect(known.get('generator_http_requests_total')).toEqual(['route', 'status']);
  });
});

describe('PrometheusRule argocd-eks-plugins', () => {
  it('alerts on a stale discovery target, 503 answers, refresh and state store failures, foreign Secrets, registrar conflicts and a registrar behind the fleet', () => {
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const metric of [
      'generator_source_part_stale',
      'generator_http_requests_total',
      'generator_registry_refresh_failures_total',
      'argocd_eks_registrar_conflicting_secrets',
      'argocd_eks_registrar_conflicts_total',
      'argocd_eks_registrar_fleet_last_accepted_timestamp_seconds',
      'generator_state_store_failures_total',
    ])
      expect(exprs).toContain(metric);
  });

  it.each(rules.map((r) => [r.alert ?? r.expr, r] as const))(
    '%s names only metrics and labels the code registers',
    (_name, r) => {
      expect(seriesIn(r.expr).length).toBeGreaterThan(0);
      expect(unknownReferences(r.expr, known)).toEqual([]);
    },
  );

  it.each(rules.map((r) => [r.alert ?? r.expr, r] as const))(
    '%s has a severity, a summary and a description, and balanced brackets',
    (_name, r) => {
      expect(r.labels?.['severity']).toMatch(/^(critical|warning|info)$/);
      expect(r.annotations?.['summary']).toEqual(expect.any(String));
      expect(r.annotations?.['description']).toEqual(expect.any(String));
      const depth = (open: string, close: string) =>
        [...r.expr].reduce((d, c) => (d < 0 ? d : d + (c === open ? 1 : c === close ? -1 : 0)), 0);
      expect([depth('(', ')'), depth('{', '}'), depth('[', ']')]).toEqual([0, 0, 0]);
    },
  );

  it('the check has teeth: a misspelt metric or a label the metric lacks is reported', () => {
    expect(unknownReferences('sum(rate(generator_requests_total[5m])) > 0', known)).toEqual([
      'metric generator_requests_total',
    ]);
    expect(
      unknownReferences('max by (part) (generator_source_part_stale{target="x"}) == 1', known),
    ).toEqual(['label generator_source_part_stale{target}']);
    expect(unknownReferences('absent(up{job="x"} == 1)', known)).toEqual([]);
  });
});

describe('ServiceMonitor eks-cluster-generator', () => {
  const monitor = findObject(objects, 'ServiceMonitor', 'eks-cluster-generator');
  const spec = monitor['spec'] as {
    selector: { matchLabels: Record<string, string> };
    endpoints: { port: string; path: string }[];
  };

  it('selects the generator Service by its labels and scrapes /metrics on its named port', () => {
    const service = findObject(installObjects(), 'Service', 'eks-cluster-generator');
    expect(service.metadata.labels).toMatchObject(spec.selector.matchLabels);
    const ports = (service['spec'] as { ports: { name: string }[] }).ports.map((p) => p.name);
    for (const e of spec.endpoints) {
      expect(ports).toContain(e.port);
      expect(e.path).toBe('/metrics');
    }
  });

  it('lives with the generator (the Argo CD namespace)', () => {
    const objs: K8sObject[] = [monitor, rule];
    for (const o of objs) expect(o.metadata.namespace).toBe('argocd');
  });
});

describe('manifests/README.md', () => {
  const readme = readFileSync(path.join(MANIFESTS_DIR, 'README.md'), 'utf8');

  it('documents every alert and every metric the rules use', () => {
    const names = [
      ...rules.map((r) => r.alert!),
      ...new Set(rules.flatMap((r) => seriesIn(r.expr).map((s) => s.metric))),
    ].filter((n) => n !== 'up');
    expect(names.filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
  });

  it('names the component directory', () => {
    expect(readme).toContain(rel(COMPONENT).replace(/^manifests\//, ''));
  });
});
