/** The cluster context the generator hands an Application targeting prod-use1 (what the bench apps render with). */
const CLUSTER_CONTEXT = JSON.stringify({
  name: 'prod-use1',
  nameNormalized: 'prod-use1',
  server: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com',
  project: '',
  metadata: { labels: { env: 'prod' }, annotations: {} },
  aws: { region: 'us-east-1', accountId: '111111111111', clusterName: 'prod-use1' },
  upgrade: { group: '', color: '', weight: '100' },
});

/** The environment Argo CD's repo server gives a CMP rendering the bench app at `appDir`. */
export function argoCdEnv(appDir: string): NodeJS.ProcessEnv {
  return {
    ARGOCD_APP_NAME: 'bench',
    ARGOCD_APP_NAMESPACE: 'apps',
    ARGOCD_APP_PROJECT_NAME: 'default',
    ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
    ARGOCD_APP_SOURCE_PATH: appDir,
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/apps.git',
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'HEAD',
    ARGOCD_APP_PARAMETERS: 'null',
    ARGOCD_ENV_CLUSTER_CONTEXT: CLUSTER_CONTEXT,
    KUBE_VERSION: '1.30.0',
  };
}
