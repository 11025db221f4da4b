import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a kubeconfig (JSON is valid YAML) pointing at `server` with a bearer token, so that
 * KubeConfig loading in the code under test finds the fake exactly as it would find a real cluster.
 */
export function writeKubeconfig(
  dir: string,
  server: string,
  token: string,
  file = 'kubeconfig',
): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    // The client refuses plain http unless TLS verification is explicitly off.
    clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fake-user', user: { token } }],
    contexts: [
      { name: 'fake', context: { cluster: 'fake', user: 'fake-user', namespace: 'argocd' } },
    ],
    'current-context': 'fake',
  };
  const target = path.join(dir, file);
  fs.writeFileSync(target, JSON.stringify(config, null, 2), { mode: 0o600 });
  return target;
}
