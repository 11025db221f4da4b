/**
 * An HTTP fake of the Kubernetes API for core/v1 Secrets, ConfigMaps and Events, coordination.k8s.io/v1 Leases, Argo
 * CD's Applications and ApplicationSets, and ClusterUpgrades with their status subresource (a PUT of the object keeps
 * its status, a PUT of /status keeps the rest; `metadata.generation` rises with each spec change), enough for the real
 * @kubernetes/client-node to talk to: list (labelSelector), get, create, replace (PUT), merge patch, delete
 * (with preconditions), resourceVersion with 409 on conflict, Status bodies on errors, faults injectable per verb,
 * and a request log (never holding bodies or tokens) for assertions.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidLabelKey, isValidLabelValue } from '../../../core/labels';
import { matchesSelector, parseSelector } from '../../../core/selector';

export type Verb = 'list' | 'get' | 'create' | 'update' | 'patch' | 'delete';
export type Resource =
  | 'secrets'
  | 'configmaps'
  | 'leases'
  | 'events'
  | 'applications'
  | 'applicationsets'
  | 'clusterupgrades'
  | 'clusterupgrades/status';

export interface Fault {
  readonly verb: Verb;
  readonly resource: Resource;
  /** HTTP status to answer, e.g. 403, 500, 503, 409. */
  readonly status: number;
  /** Only requests for this object name (not for list). */
  readonly name?: string;
  /** Only requests from this user (see `users`). */
  readonly user?: string;
  /** How many matching requests fail; unlimited when absent. */
  times?: number;
  /** The body answered instead of a Status, e.g. a 200 list answer without `items`. */
  readonly body?: unknown;
}

export interface RequestRecord {
  readonly verb: Verb;
  readonly resource: Resource;
  readonly namespace: string;
  readonly name: string | undefined;
  readonly labelSelector: string | undefined;
  readonly status: number;
  /** Who called, from the bearer token through `users` ('anonymous' when unknown). */
  readonly user: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface FakeKubeApiOptions {
  /** Bearer token → user name, to tell callers apart in the request log. */
  readonly users?: Readonly<Record<string, string>>;
}

export interface FakeKubeApi {
  readonly url: string;
  readonly requests: RequestRecord[];
  inject(fault: Fault): void;
  /**
   * Runs `hook` once, just before the first matching request is handled: lets a test act as a concurrent writer
   * between the client's read and its write.
   */
  before(verb: Verb, resource: Resource, name: string, hook: () => void): void;
  /**
   * Runs `hook` once, just after the first matching request (any object, or a list) was handled and before its
   * answer is sent: the client acts on what it read while the stored object has already changed.
   */
  after(verb: Verb, resource: Resource, hook: () => void): void;
  clearFaults(): void;
  /** Objects as stored, sorted by name (deep copies). */
  list(resource: Resource, namespace: string): KubeObject[];
  get(resource: Resource, namespace: string, name: string): KubeObject | undefined;
  /** Stores an object directly (no request logged), as a hand-made object or another writer would. */
  seed(resource: Resource, obj: KubeObject): KubeObject;
  /** Mutation requests (create/update/patch/delete) that succeeded. */
  writes(resource?: Resource): RequestRecord[];
  close(): Promise<void>;
}

const KINDS: Record<Resource, { apiVersion: string; kind: string }> = {
  secrets: { apiVersion: 'v1', kind: 'Secret' },
  configmaps: { apiVersion: 'v1', kind: 'ConfigMap' },
  leases: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
  events: { apiVersion: 'v1', kind: 'Event' },
  applications: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' },
  applicationsets: { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet' },
  clusterupgrades: { apiVersion: 'argocd-eks-plugins.io/v1alpha1', kind: 'ClusterUpgrade' },
  'clusterupgrades/status': {
    apiVersion: 'argocd-eks-plugins.io/v1alpha1',
    kind: 'ClusterUpgrade',
  },
};

/** Custom resources: metadata.generation counts spec changes. */
const CUSTOM = new Set<Resource>(['applications', 'applicationsets', 'clusterupgrades']);
/** Custom resources with a status subresource: their status is written through /status only. */
const WITH_STATUS = new Set<Resource>(['clusterupgrades']);

const PATHS: { re: RegExp; resource: Resource }[] = [
  { re: /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/, resource: 'secrets' },
  { re: /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/, resource: 'configmaps' },
  {
    re: /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/,
    resource: 'leases',
  },
  { re: /^\/api\/v1\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/, resource: 'events' },
  {
    re: /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/applications(?:\/([^/]+))?$/,
    resource: 'applications',
  },
  {
    re: /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/applicationsets(?:\/([^/]+))?$/,
    resource: 'applicationsets',
  },
  {
    re: /^\/apis\/argocd-eks-plugins\.io\/v1alpha1\/namespaces\/([^/]+)\/clusterupgrades\/([^/]+)\/status$/,
    resource: 'clusterupgrades/status',
  },
  {
    re: /^\/apis\/argocd-eks-plugins\.io\/v1alpha1\/namespaces\/([^/]+)\/clusterupgrades(?:\/([^/]+))?$/,
    resource: 'clusterupgrades',
  },
];

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** metav1.MicroTime is parsed with RFC3339Micro: exactly six fractional digits. */
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string = REASONS[status] ?? 'Unknown',
  ) {
    super(message);
  }
}

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const store = new Map<string, KubeObject>();
  const faults: Fault[] = [];
  const requests: RequestRecord[] = [];
  const hooks: { verb: Verb; resource: Resource; name: string; hook: () => void }[] = [];
  const afterHooks: { verb: Verb; resource: Resource; hook: () => void }[] = [];
  let revision = 1000;

  // A subresource is stored with its object.
  const keyOf = (resource: Resource, ns: string, name: string) =>
    `${resource.split('/')[0] ?? resource}/${ns}/${name}`;
  const clone = <T>(v: T): T => structuredClone(v);

  const stamp = (resource: Resource, ns: string, obj: KubeObject, previous?: KubeObject) => {
    revision += 1;
    const base = resource.split('/')[0] as Resource;
    let content = clone(obj);
    if (resource === 'clusterupgrades/status') {
      // PUT /status changes the status only.
      content = { ...clone(previous ?? obj), status: clone(obj['status']) };
    } else if (WITH_STATUS.has(base)) {
      // PUT (or create) of the object never changes its status.
      if (previous?.['status'] === undefined) delete content['status'];
      else content['status'] = clone(previous['status']);
    }
    const generation = !CUSTOM.has(base)
      ? undefined
      : previous === undefined
        ? 1
        : JSON.stringify(previous['spec']) === JSON.stringify(content['spec'])
          ? Number(previous.metadata['generation'] ?? 1)
          : Number(previous.metadata['generation'] ?? 1) + 1;
    const stored: KubeObject = {
      ...content,
      ...KINDS[resource],
      metadata: {
        ...clone(content.metadata),
        namespace: ns,
        resourceVersion: String(revision),
        uid: previous?.metadata.uid ?? randomUUID(),
        creationTimestamp: previous?.metadata.creationTimestamp ?? new Date().toISOString(),
        ...(generation === undefined ? {} : { generation }),
      },
    };
    if (resource === 'secrets') normalizeSecret(stored);
    validate(resource, stored);
    store.set(keyOf(resource, ns, stored.metadata.name), stored);
    return stored;
  };

  const handle = (
    verb: Verb,
    resource: Resource,
    ns: string,
    name: string | undefined,
    query: URLSearchParams,
    body: unknown,
    contentType: string,
  ): { status: number; body: unknown } => {
    const existing = name === undefined ? undefined : store.get(keyOf(resource, ns, name));
    switch (verb) {
      case 'list': {
        const selectorText = query.get('labelSelector') ?? '';
        let selector;
        try {
          selector = parseSelector(selectorText);
        } catch (e) {
          throw new HttpFailure(400, `unable to parse requirement: ${(e as Error).message}`);
        }
        const items = [...store.entries()]
          .filter(([k]) => k.startsWith(`${resource}/${ns}/`))
          .map(([, v]) => v)
          .filter((o) => matchesSelector(selector, o.metadata.labels ?? {}))
          .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
          .map((o) => {
            const { apiVersion: _a, kind: _k, ...rest } = clone(o);
            return rest;
          });
        return {
          status: 200,
          body: {
            apiVersion: KINDS[resource].apiVersion,
            kind: `${KINDS[resource].kind}List`,
            metadata: { resourceVersion: String(revision) },
            items,
          },
        };
      }
      case 'get':
        if (!existing) throw notFound(resource, name);
        return { status: 200, body: existing };
      case 'create': {
        const obj = asObject(body);
        if (store.has(keyOf(resource, ns, obj.metadata.name))) {
          throw alreadyExists(resource, obj.metadata.name);
        }
        if (obj.metadata.resourceVersion) {
          throw new HttpFailure(400, 'resourceVersion should not be set on objects to be created');
        }
        return { status: 201, body: stamp(resource, ns, obj) };
      }
      case 'update': {
        const obj = asObject(body);
        if (obj.metadata.name !== name) {
          throw new HttpFailure(400, 'the name of the object does not match the name on the URL');
        }
        if (!existing) throw notFound(resource, name);
        checkVersion(resource, name, existing, obj.metadata.resourceVersion);
        return { status: 200, body: stamp(resource, ns, obj, existing) };
      }
      case 'patch': {
        if (!existing) throw notFound(resource, name);
        if (!/merge-patch\+json|strategic-merge-patch\+json/.test(contentType)) {
          throw new HttpFailure(
            415,
            `the body of the request was in an unknown format: ${contentType}`,
          );
        }
        const patch = body as { metadata?: { resourceVersion?: string } };
        checkVersion(resource, name, existing, patch.metadata?.resourceVersion);
        const merged = mergePatch(clone(existing), body) as KubeObject;
        delete merged.metadata.resourceVersion;
        return { status: 200, body: stamp(resource, ns, merged, existing) };
      }
      case 'delete': {
        if (!existing) throw notFound(resource, name);
        const pre = (
          body as { preconditions?: { resourceVersion?: string; uid?: string } } | undefined
        )?.preconditions;
        if (pre?.uid !== undefined && pre.uid !== existing.metadata.uid) {
          throw new HttpFailure(
            409,
            `Precondition failed: UID in precondition: ${pre.uid}`,
            'Conflict',
          );
        }
        checkVersion(resource, name, existing, pre?.resourceVersion);
        store.delete(keyOf(resource, ns, existing.metadata.name));
        return {
          status: 200,
          body: {
            apiVersion: 'v1',
            kind: 'Status',
            status: 'Success',
            details: { name, kind: resource },
          },
        };
      }
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const route = PATHS.map((p) => ({ m: p.re.exec(url.pathname), resource: p.resource })).find(
        (r) => r.m !== null,
      );
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (!route?.m) {
        send(404, status(404, `the server could not find the requested resource ${url.pathname}`));
        return;
      }
      const ns = decodeURIComponent(route.m[1] ?? '');
      const name = route.m[2] === undefined ? undefined : decodeURIComponent(route.m[2]);
      const verb = verbOf(req.method ?? 'GET', name !== undefined);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const user = (token !== undefined ? options.users?.[token] : undefined) ?? 'anonymous';
      const raw = Buffer.concat(chunks).toString('utf8');
      const log = (code: number) =>
        requests.push({
          verb: verb ?? 'get',
          resource: route.resource,
          namespace: ns,
          // A create names its object in the body.
          name: name ?? (verb === 'create' ? bodyName(raw) : undefined),
          labelSelector: url.searchParams.get('labelSelector') ?? undefined,
          status: code,
          user,
        });
      if (verb === undefined) {
        send(405, status(405, `method ${req.method} not allowed`));
        return;
      }
      const target = name ?? (verb === 'create' ? bodyName(raw) : undefined);
      const fault = faults.find(
        (f) =>
          f.verb === verb &&
          f.resource === route.resource &&
          (f.name === undefined || f.name === target) &&
          (f.user === undefined || f.user === user) &&
          (f.times === undefined || f.times > 0),
      );
      if (fault) {
        if (fault.times !== undefined) fault.times -= 1;
        log(fault.status);
        send(
          fault.status,
          fault.body ?? status(fault.status, `injected fault on ${verb} ${route.resource}`),
        );
        return;
      }
      const hookAt = hooks.findIndex(
        (k) => k.verb === verb && k.resource === route.resource && k.name === target,
      );
      if (hookAt >= 0) hooks.splice(hookAt, 1)[0]?.hook();
      try {
        let body: unknown;
        try {
          body = raw === '' ? undefined : JSON.parse(raw);
        } catch {
          throw new HttpFailure(400, 'request body is not valid JSON');
        }
        const out = handle(
          verb,
          route.resource,
          ns,
          name,
          url.searchParams,
          body,
          req.headers['content-type'] ?? '',
        );
        log(out.status);
        const afterAt = afterHooks.findIndex(
          (k) => k.verb === verb && k.resource === route.resource,
        );
        if (afterAt >= 0) afterHooks.splice(afterAt, 1)[0]?.hook();
        send(out.status, out.body);
      } catch (e) {
        if (!(e instanceof HttpFailure)) throw e;
        log(e.status);
        send(e.status, status(e.status, e.message, e.reason));
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (f) => faults.push({ ...f }),
    before: (verb, resource, name, hook) => hooks.push({ verb, resource, name, hook }),
    after: (verb, resource, hook) => afterHooks.push({ verb, resource, hook }),
    clearFaults: () => void faults.splice(0),
    list: (resource, ns) =>
      [...store.entries()]
        .filter(([k]) => k.startsWith(`${resource}/${ns}/`))
        .map(([, v]) => clone(v))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
    get: (resource, ns, name) => {
      const o = store.get(keyOf(resource, ns, name));
      return o === undefined ? undefined : clone(o);
    },
    seed: (resource, obj) => {
      const ns = obj.metadata.namespace ?? 'default';
      return clone(stamp(resource, ns, obj, store.get(keyOf(resource, ns, obj.metadata.name))));
    },
    writes: (resource) =>
      requests.filter(
        (r) =>
          r.verb !== 'list' &&
          r.verb !== 'get' &&
          r.status < 300 &&
          (resource === undefined || r.resource === resource),
      ),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function bodyName(raw: string): string | undefined {
  try {
    const name = (JSON.parse(raw) as { metadata?: { name?: unknown } }).metadata?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function verbOf(method: string, named: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
      return named ? 'get' : 'list';
    case 'POST':
      return named ? undefined : 'create';
    case 'PUT':
      return named ? 'update' : undefined;
    case 'PATCH':
      return named ? 'patch' : undefined;
    case 'DELETE':
      return named ? 'delete' : undefined;
    default:
      return undefined;
  }
}

function status(code: number, message: string, reason: string = REASONS[code] ?? 'Unknown') {
  return {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

function notFound(resource: Resource, name: string | undefined) {
  return new HttpFailure(404, `${resource} "${name ?? ''}" not found`);
}

function alreadyExists(resource: Resource, name: string) {
  return new HttpFailure(409, `${resource} "${name}" already exists`, 'AlreadyExists');
}

function checkVersion(
  resource: Resource,
  name: string | undefined,
  existing: KubeObject,
  expected: string | undefined,
) {
  if (expected !== undefined && expected !== existing.metadata.resourceVersion) {
    throw new HttpFailure(
      409,
      `Operation cannot be fulfilled on ${resource} "${name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }
}

function asObject(body: unknown): KubeObject {
  const o = body as KubeObject | undefined;
  if (typeof o !== 'object' || o === null || typeof o.metadata !== 'object') {
    throw new HttpFailure(400, 'object has no metadata');
  }
  if (typeof o.metadata.name !== 'string' || !DNS_SUBDOMAIN.test(o.metadata.name)) {
    throw new HttpFailure(
      422,
      `metadata.name: Invalid value: "${String(o.metadata.name)}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    );
  }
  if (o.metadata.name.length > 253) throw new HttpFailure(422, 'metadata.name: Too long');
  return o;
}

/** The API server turns stringData into data and defaults the type. */
function normalizeSecret(obj: KubeObject) {
  const data = { ...((obj['data'] as Record<string, string> | undefined) ?? {}) };
  const stringData = obj['stringData'] as Record<string, string> | undefined;
  for (const [k, v] of Object.entries(stringData ?? {}))
    data[k] = Buffer.from(v).toString('base64');
  delete obj['stringData'];
  obj['data'] = data;
  obj['type'] ??= 'Opaque';
}

function validate(resource: Resource, obj: KubeObject) {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (!isValidLabelKey(k)) problems.push(`metadata.labels: Invalid value: "${k}"`);
    if (!isValidLabelValue(v)) problems.push(`metadata.labels: Invalid value: "${v}"`);
  }
  for (const k of Object.keys(obj.metadata.annotations ?? {})) {
    if (!isValidLabelKey(k)) problems.push(`metadata.annotations: Invalid value: "${k}"`);
  }
  if (resource === 'secrets') {
    for (const [k, v] of Object.entries((obj['data'] as Record<string, unknown>) ?? {})) {
      if (typeof v !== 'string' || Buffer.from(v, 'base64').toString('base64') !== v) {
        problems.push(`data[${k}]: Invalid value: not base64`);
      }
    }
  }
  if (resource === 'configmaps') {
    let size = 0;
    for (const [k, v] of Object.entries((obj['data'] as Record<string, unknown>) ?? {})) {
      if (typeof v !== 'string') problems.push(`data[${k}]: Invalid value: must be a string`);
      else size += k.length + Buffer.byteLength(v);
    }
    // The API server's limit on a ConfigMap's data (corev1 validation: MaxConfigMapSize = 1 MiB).
    if (size > 1024 * 1024) problems.push('data: Too long: must have at most 1048576 bytes');
  }
  if (resource === 'leases') {
    const spec = (obj['spec'] ?? {}) as Record<string, unknown>;
    for (const f of ['acquireTime', 'renewTime']) {
      const v = spec[f];
      if (v !== undefined && (typeof v !== 'string' || !MICRO_TIME.test(v))) {
        problems.push(`spec.${f}: Invalid value: ${JSON.stringify(v)}: not RFC3339 micro time`);
      }
    }
    const d = spec['leaseDurationSeconds'];
    if (d !== undefined && (!Number.isInteger(d) || (d as number) <= 0)) {
      problems.push('spec.leaseDurationSeconds: must be a positive integer');
    }
  }
  if (problems.length > 0) throw new HttpFailure(422, problems.join('; '));
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
