import { runNode } from '../hostile/helpers/child';

export interface CmpRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node <cli> generate` in `appDir` as Argo CD's repo server runs eks-overlay for the Application shop/shop
 * sent to the cluster `context`: with only the environment Argo CD and the sidecar pod give (no instance metadata
 * to fall back on), plus `env`. Asynchronous, so fakes serving from this process can answer the CLI.
 */
export async function generateAsArgoCd(
  cli: string,
  appDir: string,
  context: unknown,
  env: Record<string, string> = {},
): Promise<CmpRun> {
  const child = runNode(
    cli,
    ['generate'],
    {
      HOME: appDir,
      ARGOCD_APP_NAME: 'shop',
      ARGOCD_APP_NAMESPACE: 'shop',
      ARGOCD_APP_PARAMETERS: 'null',
      ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify(context),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
    appDir,
  );
  const code = await child.exit;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}
