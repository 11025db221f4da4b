import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/**
 * Writes the same overlay twice: as an eks-overlay app (eks-overlay.yaml with layers) and as a kustomize tree
 * (base + overlay with strategic-merge patches). `resources` objects in the base; a tenth of them patched.
 */
export function writeEquivalentTrees(
  root: string,
  resources: number,
): { app: string; kustomizeOverlay: string } {
  const app = join(root, 'app');
  const kz = join(root, 'kustomize');
  for (const d of [
    join(app, 'base'),
    join(app, 'envs', 'prod'),
    join(kz, 'base'),
    join(kz, 'overlay'),
  ]) {
    mkdirSync(d, { recursive: true });
  }
  const baseDocs: object[] = [];
  const patches: object[] = [];
  for (let i = 0; i < resources; i++) {
    const name = `svc-${i}`;
    if (i % 2 === 0) {
      baseDocs.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: 'apps', labels: { app: name } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: `registry.example.com/${name}:1.0.0`,
                  ports: [{ containerPort: 8080 }],
                  env: [{ name: 'MODE', value: 'base' }],
                },
              ],
            },
          },
        },
      });
      if (i % 10 === 0) {
        patches.push({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace: 'apps' },
          spec: {
            replicas: 3,
            template: {
              spec: { containers: [{ name: 'app', env: [{ name: 'MODE', value: 'prod' }] }] },
            },
          },
        });
      }
    } else {
      baseDocs.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'apps' },
        data: { 'settings.yaml': `level: ${i}\n`, region: 'us-east-1' },
      });
    }
  }
  const stream = (docs: object[]) => docs.map((d) => stringify(d)).join('---\n');
  writeFileSync(join(app, 'base', 'resources.yaml'), stream(baseDocs));
  writeFileSync(join(app, 'envs', 'prod', 'patches.yaml'), stream(patches));
  writeFileSync(
    join(app, 'eks-overlay.yaml'),
    stringify({ layers: ['base', 'envs/{{cluster.metadata.labels.env}}'] }),
  );

  writeFileSync(join(kz, 'base', 'resources.yaml'), stream(baseDocs));
  writeFileSync(
    join(kz, 'base', 'kustomization.yaml'),
    stringify({ resources: ['resources.yaml'] }),
  );
  writeFileSync(join(kz, 'overlay', 'patches.yaml'), stream(patches));
  writeFileSync(
    join(kz, 'overlay', 'kustomization.yaml'),
    stringify({
      resources: ['../base'],
      patches: patches.length > 0 ? [{ path: 'patches.yaml' }] : [],
    }),
  );
  return { app, kustomizeOverlay: join(kz, 'overlay') };
}
