/**
 * A fake Kubernetes API serving one custom resource list, ClusterUpgrade objects
 * (`/apis/argocd-eks-plugins.io/v1alpha1/namespaces/<ns>/clusterupgrades`), for the real
 * @kubernetes/client-node to read; with `installed: false` every path is a 404 Status, as when the CRD is absent.
 * Kept apart from server.ts (core resources), which other suites extend.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeClusterUpgradesApi {
  readonly url: string;
  /** Paths requested, in order (no headers, no bodies). */
  readonly requests: string[];
  close(): Promise<void>;
}

const LIST_PATH =
  /^\/apis\/argocd-eks-plugins\.io\/v1alpha1\/namespaces\/([^/]+)\/clusterupgrades$/;

export async function startFakeClusterUpgradesApi(opts: {
  readonly installed: boolean;
  readonly namespace?: string;
  readonly items?: readonly unknown[];
  /** Answer every list with this status (a Status body), e.g. 403. */
  readonly status?: number;
}): Promise<FakeClusterUpgradesApi> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push(path);
    const m = LIST_PATH.exec(path);
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(text);
    };
    const statusBody = (code: number, reason: string) => ({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: reason,
      reason,
      code,
    });
    if (!opts.installed || m === null || req.method !== 'GET') {
      reply(404, statusBody(404, 'NotFound'));
      return;
    }
    if (opts.status !== undefined) {
      reply(
        opts.status,
        statusBody(opts.status, opts.status === 403 ? 'Forbidden' : 'InternalError'),
      );
      return;
    }
    const ns = m[1];
    reply(200, {
      apiVersion: 'argocd-eks-plugins.io/v1alpha1',
      kind: 'ClusterUpgradeList',
      metadata: { resourceVersion: '1' },
      items: ns === (opts.namespace ?? 'argocd') ? (opts.items ?? []) : [],
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
