import { ConfigError } from '../../core/errors';
import { loadAwsProvider } from './stage';
import { DEFAULT_INLINE, parseSecretsConfig } from './config';

describe('the secrets section of eks-overlay.yaml', () => {
  it('defaults to externalSecret mode with a 1h refresh', () => {
    expect(parseSecretsConfig(undefined, 'eks-overlay.yaml:3')).toEqual({
      mode: 'externalSecret',
      store: undefined,
      refreshInterval: '1h',
      clusterSecretStore: undefined,
      inline: DEFAULT_INLINE,
    });
  });

  it('reads a full configuration', () => {
    const c = parseSecretsConfig(
      {
        mode: 'inline',
        store: { kind: 'SecretStore', name: 'aws' },
        inline: { region: 'eu-west-1', requestTimeoutMs: 1000, maxAttempts: 5, deadlineMs: 20000 },
      },
      'x',
    );
    expect(c.store).toEqual({ kind: 'SecretStore', name: 'aws' });
    expect(c.inline).toEqual({
      region: 'eu-west-1',
      requestTimeoutMs: 1000,
      maxAttempts: 5,
      deadlineMs: 20000,
    });
  });

  it('refuses a ClusterSecretStore emission for a namespaced SecretStore, and bad numbers, at once', () => {
    let err: unknown;
    try {
      parseSecretsConfig(
        {
          store: { kind: 'SecretStore', name: 'aws' },
          clusterSecretStore: { serviceAccountRef: { name: 'x' } },
          inline: { maxAttempts: 0 },
        },
        'eks-overlay.yaml:9',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([
      'eks-overlay.yaml:9: secrets.clusterSecretStore.serviceAccountRef must be {name, namespace, audiences?} (a ClusterSecretStore needs the namespace)',
      'eks-overlay.yaml:9: secrets.clusterSecretStore needs store.kind ClusterSecretStore (it emits that store)',
      'eks-overlay.yaml:9: secrets.inline.maxAttempts must be a whole number from 1 to 10',
    ]);
  });
});

describe('the lazily loaded AWS provider', () => {
  it('loads from sources when no bundle sits beside the stage', async () => {
    const provider = await loadAwsProvider({ region: 'us-east-1', inline: DEFAULT_INLINE });
    expect(provider.name).toBe('aws-secrets-manager');
    provider.close();
  });
});
