/**
 * `$` in tags: Argo CD expands `$NAME`, `${NAME}` and `$$` in every plugin env value (Go os.Expand against the
 * build variables), so the generator's clusterContext must reach eks-overlay unchanged through that expansion.
 */
import { buildClusterView } from '../cluster-context';
import type { ArgoEnv } from '../render/types';
import { clusterFromRecord, clusterToParams, type ClusterRecord } from '../../core/cluster';
import { aClusterRecord } from '../../test/helpers/generator';
import { renderGoTemplate } from './go-template';
import { argocdEnvsubst, goOsExpand } from './plugin-env';

/** The build variables the repo server sets next to ARGOCD_ENV_* (argocd-contract.md B5). */
const BUILD_ENV = {
  ARGOCD_APP_NAME: 'addons-prod',
  ARGOCD_APP_NAMESPACE: 'kube-system',
  ARGOCD_APP_PROJECT_NAME: 'default',
  ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
  ARGOCD_APP_REVISION_SHORT: '0123456',
  ARGOCD_APP_REVISION_SHORT_8: '01234567',
  ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example/repo.git',
  ARGOCD_APP_SOURCE_PATH: 'apps/addons',
  ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
  KUBE_VERSION: '1.30.2',
  KUBE_API_VERSIONS: 'v1,apps/v1',
};

describe('goOsExpand (Go os.Expand)', () => {
  const vars: Record<string, string> = { A: 'x', AB: 'y', '1': 'one', $: 'DOLLAR' };
  const expand = (s: string) => goOsExpand(s, (n) => vars[n] ?? '');
  test.each([
    ['no dollar', 'no dollar'],
    ['$A', 'x'],
    ['$AB-$A', 'y-x'],
    ['${A}B', 'xB'],
    ['cost$center', 'cost'],
    ['$$', 'DOLLAR'],
    ['$1x', 'onex'],
    ['${1}', 'one'],
    ['a$', 'a$'], // a trailing $ is kept
    ['a$-b', 'ab'], // `-` is a special variable name: expanded (to "")
    ['a$ b', 'a$ b'], // not followed by a name: kept
    ['a${}b', 'ab'], // bad syntax eaten
    ['a${b', 'ab'], // unclosed: `${` eaten
    ['\\u0024A', '\\u0024A'],
  ])('%s → %s', (input, expected) => {
    expect(expand(input)).toBe(expected);
  });

  test('Argo CD keeps $$ as one $, blanks unknown names, and sees only build variables', () => {
    expect(argocdEnvsubst('$$HOME ${ARGOCD_APP_NAME} $PATH', BUILD_ENV)).toBe('$HOME addons-prod ');
  });
});

const argoEnv = (userEnv: Record<string, string>): ArgoEnv => ({
  appName: BUILD_ENV.ARGOCD_APP_NAME,
  appNamespace: BUILD_ENV.ARGOCD_APP_NAMESPACE,
  projectName: 'default',
  revision: BUILD_ENV.ARGOCD_APP_REVISION,
  revisionShort: BUILD_ENV.ARGOCD_APP_REVISION_SHORT,
  sourceRepoUrl: BUILD_ENV.ARGOCD_APP_SOURCE_REPO_URL,
  sourcePath: BUILD_ENV.ARGOCD_APP_SOURCE_PATH,
  targetRevision: BUILD_ENV.ARGOCD_APP_SOURCE_TARGET_REVISION,
  kubeVersion: BUILD_ENV.KUBE_VERSION,
  kubeApiVersions: ['v1', 'apps/v1'],
  userEnv,
  parameters: [],
});

function params(rec: ClusterRecord) {
  const r = clusterFromRecord(rec);
  if (r.cluster === undefined) throw new Error(r.issues.join('; '));
  return clusterToParams(r.cluster);
}

describe('clusterContext through Argo CD plugin env expansion', () => {
  const tags = {
    'cost-center': 'cost$center',
    budget: '$$100',
    owner: '${ARGOCD_APP_NAME}',
    shell: '$HOME/$1/${}/${unclosed',
    price$key: 'ends with $',
    plain: 'team-a',
  };
  const record = aClusterRecord({ clusterName: 'prod-$-use1', tags });

  test('the value Argo CD hands to eks-overlay decodes to the exact tags, name and annotations', () => {
    const p = params(record);
    // The ApplicationSet template `value: '{{ .clusterContext }}'` (goTemplate), then the repo server's Envsubst.
    const templated = renderGoTemplate('{{ .clusterContext }}', p);
    const env = argocdEnvsubst(templated, BUILD_ENV);
    expect(env).not.toContain('$');

    const view = buildClusterView(argoEnv({ CLUSTER_CONTEXT: env })) as Record<string, unknown>;
    const aws = view['aws'] as { tags: Record<string, string>; clusterName: string };
    expect(aws.tags).toEqual(tags);
    expect(aws.clusterName).toBe('prod-$-use1');
    expect(view['name']).toBe('prod-$-use1');
    const { clusterContext, ...rest } = p;
    expect(JSON.parse(clusterContext)).toEqual(rest);
  });

  test('the flat-mode template {{clusterContext}} gives the same bytes', () => {
    const p = params(record);
    const value = argocdEnvsubst(p.clusterContext, BUILD_ENV);
    expect(JSON.parse(value)).toEqual(JSON.parse(p.clusterContext));
  });

  test('without the escape the expansion would have changed the tags (why the escape exists)', () => {
    const { clusterContext, ...rest } = params(record);
    const naive = argocdEnvsubst(JSON.stringify(rest), BUILD_ENV);
    expect(naive).not.toBe(JSON.stringify(rest));
    expect(clusterContext).toContain('cost\\u0024center');
  });
});

describe('a label a cluster lacks, in a goTemplate template', () => {
  const withLabels = params(aClusterRecord({ clusterName: 'a', tags: { env: 'prod' } }));
  const withoutLabels = params(aClusterRecord({ clusterName: 'b', tags: {} }));
  const strict = { missingKey: 'error' as const };

  test('.metadata.labels.team is <no value> by default and an error under missingkey=error', () => {
    expect(renderGoTemplate('{{ .metadata.labels.team }}', withLabels)).toBe('<no value>');
    expect(() => renderGoTemplate('{{ .metadata.labels.team }}', withLabels, strict)).toThrow(
      /map has no entry for key "team"/,
    );
  });

  test('index ... | default "none" renders under missingkey=error when the cluster has labels', () => {
    const t = '{{ index .metadata.labels "team" | default "none" }}';
    expect(renderGoTemplate(t, withLabels, strict)).toBe('none');
    expect(renderGoTemplate(t, withLabels)).toBe('none');
    const teamed = params(aClusterRecord({ clusterName: 'c', tags: { team: 'payments' } }));
    expect(renderGoTemplate(t, teamed, strict)).toBe('payments');
  });

  test('a cluster with no labels at all still has metadata.labels ({}), so that form renders too', () => {
    const t = '{{ index .metadata.labels "team" | default "none" }}';
    expect(renderGoTemplate(t, withoutLabels, strict)).toBe('none');
    expect(renderGoTemplate(t, withoutLabels)).toBe('none');
  });
});
