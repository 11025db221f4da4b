import type { ClusterSecretStoreConfig } from './config';

/**
 * The ClusterSecretStore for one cluster: AWS Secrets Manager in the cluster's region. Without a
 * serviceAccountRef, `auth` is omitted so that ESO uses its own identity through the SDK default chain (EKS Pod
 * Identity, or IRSA on the ESO controller's service account); with one, ESO exchanges that account's token (IRSA).
 */
export function clusterSecretStore(
  name: string,
  region: string,
  cfg: ClusterSecretStoreConfig,
): Record<string, unknown> {
  const aws: Record<string, unknown> = { service: 'SecretsManager', region };
  if (cfg.role !== undefined) aws['role'] = cfg.role;
  if (cfg.serviceAccountRef !== undefined) {
    const sa = cfg.serviceAccountRef;
    aws['auth'] = {
      jwt: {
        serviceAccountRef: {
          name: sa.name,
          namespace: sa.namespace,
          ...(sa.audiences ? { audiences: [...sa.audiences] } : {}),
        },
      },
    };
  }
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name },
    spec: { provider: { aws } },
  };
}
