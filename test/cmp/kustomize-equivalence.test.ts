/**
 * For trees that express the same overlay both ways, eks-overlay's output equals `kubectl kustomize`'s: the test
 * turns each layered tree into a kustomization (objects seen first → resources, objects seen before → patches,
 * in layer order) and compares the parsed objects, in order.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';
import { applyLayers } from '../../cmp-sidecar/render/overlay';
import { parseManifestFile } from '../../cmp-sidecar/render/parse-documents';
import { matchKey, resourceIdOf } from '../../cmp-sidecar/render/resource-id';
import { parseLikeArgoCd, runInProcess, tempDir, writeTree } from './helpers';

interface Tree {
  readonly layers: readonly string[];
  readonly files: Readonly<Record<string, string>>;
  /** ARGOCD_ENV_CLUSTER_CONTEXT for the eks-overlay side; the kustomize side gets the files with it substituted. */
  readonly context?: Record<string, unknown>;
  readonly substitute?: Readonly<Record<string, string>>;
}

const TREES: Record<string, Tree> = {
  'workloads: containers, env, ports, volumes, labels, replicas, tolerations': {
    layers: ['base', 'envs/prod', 'regions/us-east-1'],
    files: {
      'base/deployment.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: frontend, team: a}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      tolerations: [{key: dedicated, operator: Exists}]
      initContainers:
      - {name: migrate, image: "web:1.0", args: [migrate]}
      containers:
      - name: web
        image: "web:1.0"
        args: [--port=8080, --verbose]
        env:
        - {name: LOG_LEVEL, value: info}
        - {name: REGION, value: unknown}
        - {name: DEBUG, value: "true"}
        ports:
        - {containerPort: 8080, name: http}
        - {containerPort: 9090, name: metrics}
        volumeMounts:
        - {mountPath: /config, name: config}
        resources: {requests: {cpu: 100m, memory: 128Mi}}
      - name: proxy
        image: "envoy:1.30"
      volumes:
      - {name: config, configMap: {name: web-config}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: 8080, name: http}
`,
      'base/config.yaml': `
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {mode: base, "feature.flags": "a,b", port: "8080", enabled: "yes"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
`,
      'envs/prod/deployment.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {team: null, env: prod}
  annotations: {owner: platform}
spec:
  replicas: 3
  template:
    spec:
      tolerations: [{key: prod, operator: Exists, effect: NoSchedule}]
      containers:
      - name: log-shipper
        image: "fluent-bit:3"
        volumeMounts: [{mountPath: /var/log, name: logs}]
      - name: web
        image: "web:1.1"
        args: [--port=8080]
        env:
        - {name: DEBUG, $patch: delete}
        - {name: LOG_LEVEL, value: warn}
        - {name: TRACING, value: "on"}
        ports:
        - {containerPort: 9443, name: https}
        volumeMounts:
        - {mountPath: /var/log, name: logs}
        resources: {limits: {memory: 512Mi}}
      volumes:
      - {name: logs, emptyDir: {}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 10
`,
      'envs/prod/service.yaml': `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - {port: 443, targetPort: 9443, name: https}
  - {port: 80, targetPort: 8080, name: http-legacy}
`,
      'envs/prod/config.yaml': `
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {mode: prod, extra: "1.10"}
`,
      'regions/us-east-1/deployment.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      nodeSelector: {topology.kubernetes.io/region: us-east-1}
      containers:
      - name: web
        env:
        - {name: REGION, value: us-east-1}
      - name: proxy
        $patch: delete
`,
    },
  },

  'deletions and replacements: resources, maps, list elements, whole lists': {
    layers: ['base', 'overlays/cleanup'],
    files: {
      'base/all.yaml': `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: legacy, namespace: shop}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: "1", b: "2", c: "3"}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  template:
    metadata:
      labels: {app: db}
      annotations: {scrape: "true", old: x}
    spec:
      affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}}
      containers:
      - name: db
        image: "postgres:15"
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
`,
      'overlays/cleanup/patches.yaml': `
apiVersion: v1
kind: ConfigMap
metadata: {name: legacy, namespace: shop}
$patch: delete
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data:
  $patch: replace
  only: here
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata:
      annotations: {old: null}
    spec:
      affinity: {$patch: delete}
      containers:
      - name: db
        image: "postgres:16"
        env:
        - $patch: replace
        - {name: C, value: "3"}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 50Gi}}}
`,
    },
  },

  'kinds and order: RBAC, CronJob, custom resources, webhooks, default namespace': {
    layers: ['base', 'cluster'],
    files: {
      'base/rbac.yaml': `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: a, namespace: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: guard}
webhooks:
- name: a.example.com
  sideEffects: None
  admissionReviewVersions: [v1]
  clientConfig: {service: {name: guard, namespace: ops}}
`,
      'base/jobs.yaml': `
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: default}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          initContainers: [{name: wait, image: "busybox:1"}]
          containers:
          - name: backup
            image: "backup:1"
            env: [{name: TARGET, value: s3}]
`,
      'base/widgets.yaml': `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, finalizers: [example.com/a]}
spec:
  parts: [{name: a, size: 1}, {name: b, size: 2}]
  owner: {team: x, contact: y}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops}
`,
      'cluster/patches.yaml': `
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "30 4 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: wait, image: "busybox:2"}]
          containers:
          - name: backup
            env: [{name: BUCKET, value: backups-prod}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, finalizers: [example.com/b]}
spec:
  parts: [{name: b, size: 3}]
  owner: {contact: z}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods, services], verbs: [get, list]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: guard}
webhooks:
- name: a.example.com
  failurePolicy: Ignore
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: guard, namespace: ops}}
- name: b.example.com
  sideEffects: None
  admissionReviewVersions: [v1]
  clientConfig: {service: {name: guard, namespace: ops}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: a, namespace: ops}
`,
    },
  },

  'list directives: $patch merge and delete on elements of keyed and plain lists': {
    layers: ['base', 'patch'],
    files: {
      'base/deploy.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      tolerations: [{key: a, operator: Exists}, {key: b, operator: Exists}]
      containers:
      - name: web
        image: "web:1"
        env: [{name: A, value: "1"}, {name: B, value: "2"}, {name: C, value: "3"}]
        ports: [{containerPort: 80, name: http}]
      - name: sidecar
        image: "side:1"
      volumes: [{name: data, emptyDir: {}}, {name: cache, emptyDir: {}}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  parts: [{name: a, size: 1}, {name: b, size: 2}]
`,
      'patch/deploy.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      tolerations:
      - {key: c, operator: Exists, $patch: merge}
      - {key: a, $patch: delete}
      containers:
      - name: web
        $patch: merge
        env:
        - {name: B, $patch: delete}
        - {name: C, value: "30", $patch: merge}
        - {name: D, value: "4", $patch: merge}
        - {name: Z, $patch: delete}
      - {name: sidecar, image: "side:2", $patch: merge}
      volumes:
      - {name: cache, $patch: delete}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  parts:
  - {name: b, size: 3, $patch: merge}
  - {name: a, $patch: delete}
`,
    },
  },

  'empty values: key:, key: null, key: {}, key: [] in resources and patches': {
    layers: ['base', 'patch'],
    files: {
      'base/cm.yaml': `
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {keep: "x"}
  annotations:
data:
  a: "1"
  b: "2"
  c: "3"
  d: "4"
  e: ""
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  strategy: {}
  template:
    metadata: {labels: {app: web}, annotations: {}}
    spec:
      nodeSelector: {disk: ssd}
      tolerations: [{key: a, operator: Exists}]
      securityContext: {runAsNonRoot: true}
      containers:
      - name: web
        image: "web:1"
        args: [--x]
        env: [{name: A, value: "1"}]
        resources: {limits: {cpu: "1"}}
        volumeMounts: []
      volumes: []
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  parts: [{name: a}]
  opts: {x: 1}
  empty: {}
  none:
`,
      'patch/cm.yaml': `
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {}
  annotations: {}
data:
  a:
  b: null
  c: ""
  f:
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas:
  strategy:
  template:
    metadata: {annotations: {}}
    spec:
      nodeSelector: {}
      tolerations: []
      securityContext:
      containers:
      - name: web
        args: []
        env: []
        resources: {}
        volumeMounts: [{name: d, mountPath: /d}]
      volumes: []
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  parts: []
  opts: {}
  empty:
  extra: {}
  none: {}
`,
    },
  },

  'nulls: dropped from a patched original and from new subtrees, kept in lists without merge keys':
    {
      layers: ['base', 'patch'],
      files: {
        'base/a.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      tolerations:
      - key: a
        value:
      containers:
      - name: web
        image: "web:1"
        env:
        - name: A
          value:
        ports:
        - containerPort: 80
      volumes:
      - name: v
        emptyDir: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  annotations:
  labels:
data:
  n:
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
      - name: api
        image: "web:1"
        args: [a]
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w2
spec:
  parts:
  - name: a
`,
        'patch/a.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        ports: []
      volumes: []
      initContainers: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      tolerations:
      - key: c
        value: null
        $patch: delete
      - key: d
        extra:
          $patch: delete
          z: 1
        nested:
          inner: null
      containers:
      - name: api
        args: [b, null]
      - name: new
        image: "n:1"
        env:
        - name: X
          $patch: delete
        - name: Y
          value: null
        tolerationsLike:
        - a: null
          $patch: merge
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w2
spec:
  parts:
  - name: b
    size: null
    $patch: replace
  newmap:
    k: null
    $patch: merge
    deep: {x: null}
`,
      },
    },

  'a patched original: key: is dropped, key: null and key: ~ stay (as kyaml reads them)': {
    layers: ['base', 'patch'],
    files: {
      'base/a.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  paused: null
  minReadySeconds:
  revisionHistoryLimit: ~
  template:
    spec:
      hostname: null
      subdomain:
      containers:
      - name: web
        image: "web:1"
        command: null
        args:
        env:
        - name: A
          value: null
        - name: B
          value:
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unpatched
  annotations:
  labels:
data:
  empty:
  explicit: null
`,
      'patch/a.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
`,
    },
  },

  'merge keys from the OpenAPI kustomize reads: ServiceAccount.secrets, newer Pod lists, unknown versions':
    {
      layers: ['base', 'envs/prod'],
      files: {
        'base/app.yaml': `
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, finalizers: [example.com/a]}
secrets: [{name: token-a}, {name: token-b}]
imagePullSecrets: [{name: registry-a}]
---
apiVersion: v1
kind: Pod
metadata: {name: job}
spec:
  schedulingGates: [{name: example.com/quota}, {name: example.com/approval}]
  containers: [{name: main, image: "busybox:1"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, finalizers: [example.com/a]}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
`,
        'envs/prod/app.yaml': `
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, finalizers: [example.com/b]}
secrets: [{name: token-c}, {name: token-a, namespace: other}]
imagePullSecrets: [{name: registry-b}]
---
apiVersion: v1
kind: Pod
metadata: {name: job}
spec:
  schedulingGates: [{name: example.com/prod-window}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, finalizers: [example.com/b]}
spec: {maxReplicas: 10}
`,
      },
    },

  'templated: layer paths and values from the cluster context': {
    layers: ['base', 'envs/{{cluster.metadata.labels.env}}', 'clusters/{{cluster.name}}'],
    context: {
      name: 'prod-use1',
      metadata: { labels: { env: 'prod' } },
      aws: { region: 'us-east-1', accountId: '123456789012' },
    },
    substitute: {
      '{{cluster.metadata.labels.env}}': 'prod',
      '{{cluster.name}}': 'prod-use1',
      '{{cluster.aws.region}}': 'us-east-1',
      '{{cluster.aws.accountId}}': '123456789012',
    },
    files: {
      'base/app.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {cluster: "{{cluster.name}}"}
spec:
  template:
    spec:
      containers:
      - name: api
        image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1"
        env: [{name: AWS_REGION, value: "{{cluster.aws.region}}"}]
`,
      'envs/prod/app.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    metadata:
      annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::{{cluster.aws.accountId}}:role/api"}
    spec:
      containers:
      - name: api
        env: [{name: ACCOUNT, value: "{{cluster.aws.accountId}}"}]
`,
      'envs/staging/app.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {replicas: 99}
`,
      'clusters/prod-use1/extra.yaml': `
apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-info}
data: {name: "{{cluster.name}}", region: "{{cluster.aws.region}}"}
`,
    },
  },
};

function kustomizeEquivalent(tree: Tree, layersDirs: readonly string[], outDir: string): void {
  const sub = (text: string): string =>
    Object.entries(tree.substitute ?? {}).reduce((t, [from, to]) => t.split(from).join(to), text);
  const seen = new Set<string>();
  const resources: string[] = [];
  const patches: { path: string }[] = [];
  let n = 0;
  for (const dir of layersDirs) {
    const files = Object.keys(tree.files)
      .filter((f) => path.posix.dirname(f) === dir)
      .sort();
    for (const file of files) {
      // The same splitting eks-overlay does, but only to decide resource vs patch; the texts go to kustomize as-is.
      // Each document's own text (the trees separate documents with `---` lines): a re-serialisation would turn
      // `key:` into `key: null`, which kustomize treats differently.
      for (const text of sub(tree.files[file]!).split(/^---[ \t]*$/m)) {
        const object = parseDocument(text).toJS() as Record<string, unknown> | null;
        if (object === null) continue;
        const key = matchKey(resourceIdOf(object));
        const name = `doc-${String(++n).padStart(3, '0')}.yaml`;
        writeFileSync(path.join(outDir, name), text);
        if (seen.has(key)) patches.push({ path: name });
        else {
          seen.add(key);
          resources.push(name);
        }
      }
    }
  }
  writeFileSync(path.join(outDir, 'kustomization.yaml'), stringify({ resources, patches }));
}

function kubectlKustomize(dir: string): Record<string, unknown>[] {
  const out = execFileSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);
}

describe('eks-overlay equals kubectl kustomize on equivalent trees', () => {
  test.each(Object.entries(TREES))('%s', async (_name, tree) => {
    const app = tempDir('eks-overlay-app-');
    const kz = tempDir('eks-overlay-kz-');
    try {
      writeTree(app.dir, {
        ...tree.files,
        'eks-overlay.yaml': stringify({ layers: tree.layers }),
      });
      const env: Record<string, string> = tree.context
        ? { ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify(tree.context) }
        : {};
      const ours = await runInProcess(['generate'], { cwd: app.dir, env });
      expect(ours.stderr).toBe('');
      expect(ours.code).toBe(0);

      const resolvedLayers = tree.layers
        .map((l) =>
          Object.entries(tree.substitute ?? {}).reduce((t, [f, to]) => t.split(f).join(to), l),
        )
        .filter((l) => Object.keys(tree.files).some((f) => path.posix.dirname(f) === l));
      kustomizeEquivalent(tree, resolvedLayers, kz.dir);
      const theirs = kubectlKustomize(kz.dir);

      expect(theirs.length).toBeGreaterThanOrEqual(2);
      expect(parseLikeArgoCd(ours.stdout)).toEqual(theirs);
    } finally {
      app.cleanup();
      kz.cleanup();
    }
  });

  test('the tree splitter agrees with the overlay engine on what is a patch (sanity check of the test itself)', () => {
    const tree =
      TREES['workloads: containers, env, ports, volumes, labels, replicas, tolerations']!;
    const layers = tree.layers.map((l) =>
      Object.keys(tree.files)
        .filter((f) => path.posix.dirname(f) === l)
        .sort()
        .flatMap((f) => parseManifestFile(tree.files[f]!, f, {})),
    );
    expect(applyLayers(layers)).toHaveLength(5);
  });
});
