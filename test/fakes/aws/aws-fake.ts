import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Fault, FaultRule, FakeOp, RequestFacts } from './faults';
import { matches } from './faults';
import type { FakeAddon, FakeCluster } from './fleet';
import { DEFAULT_ADDONS, describeBody } from './fleet';

/**
 * An HTTP fake of Amazon EKS (restJson1) and AWS STS (awsQuery, XML) on one 127.0.0.1 port, built from
 * shared/docs/aws-api.md. The real SDK talks to it through AWS_ENDPOINT_URL_EKS / AWS_ENDPOINT_URL_STS
 * (or a client `endpoint`).
 *
 * Which fleet a request sees: the region is the SigV4 credential scope's; the account is the one whose
 * role the request's access key was issued for by AssumeRole, or the home account for any other key
 * (the default credentials).
 */
export interface AwsFakeOptions {
  readonly homeAccount?: string;
  /** Added before every answer, to model network and service latency. */
  readonly latencyMs?: number;
  /** Chance that an EKS call is throttled (429 TooManyRequestsException), e.g. 0.05. */
  readonly throttleRate?: number;
  readonly random?: () => number;
}

export interface CallRecord {
  readonly service: 'eks' | 'sts';
  readonly op: FakeOp | 'Unknown';
  readonly region: string;
  readonly account: string;
  readonly subject: string | undefined;
  /** Path and query as sent, e.g. `/clusters?maxResults=100`. */
  readonly url: string;
  /** From amz-sdk-request (`attempt=2; max=3` → 2). */
  readonly attempt: number;
  readonly invocationId: string;
  readonly accessKeyId: string;
  readonly securityToken: boolean;
  /** Status sent, or 'hang' / 'destroy'. */
  outcome: number | 'hang' | 'destroy';
  /** When the request arrived (Date.now()). */
  readonly at: number;
}

interface IssuedKey {
  readonly account: string;
  readonly roleArn: string;
  readonly sessionName: string;
}

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** A TagResource the fake applied, in order. */
export interface TagWrite {
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
}

export class AwsFake {
  readonly homeAccount: string;
  readonly calls: CallRecord[] = [];
  /** Every TagResource applied (answered 200), in order. */
  readonly tagWrites: TagWrite[] = [];
  /** Runs after each applied TagResource, before its answer is sent. */
  onTagged: ((w: TagWrite) => void) | undefined;
  /** account → region → name → cluster. */
  private readonly fleets = new Map<string, Map<string, Map<string, FakeCluster>>>();
  private addons: readonly FakeAddon[] = DEFAULT_ADDONS;
  private readonly faults: FaultRule[] = [];
  private readonly deniedRoles = new Set<string>();
  private readonly issuedKeys = new Map<string, IssuedKey>();
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  /** Answers that an `omit` / `replace` fault edits on their way out. */
  private readonly edits = new WeakMap<ServerResponse, Fault & { kind: 'omit' | 'replace' }>();
  private server: Server;
  private port = 0;
  private latencyMs: number;
  private throttleRate: number;
  private readonly random: () => number;

  private constructor(opts: AwsFakeOptions) {
    this.homeAccount = opts.homeAccount ?? '111111111111';
    this.latencyMs = opts.latencyMs ?? 0;
    this.throttleRate = opts.throttleRate ?? 0;
    this.random = opts.random ?? Math.random;
    this.server = this.makeServer();
  }

  static async start(opts: AwsFakeOptions = {}): Promise<AwsFake> {
    const fake = new AwsFake(opts);
    await fake.listen(0);
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  // ---- fleet -------------------------------------------------------------------------------------

  addCluster(account: string, region: string, cluster: FakeCluster): void {
    let regions = this.fleets.get(account);
    if (regions === undefined) this.fleets.set(account, (regions = new Map()));
    let names = regions.get(region);
    if (names === undefined) regions.set(region, (names = new Map()));
    names.set(cluster.name, cluster);
  }

  /** The stored cluster, as TagResource left it. */
  cluster(account: string, region: string, name: string): FakeCluster | undefined {
    return this.fleets.get(account)?.get(region)?.get(name);
  }

  removeCluster(account: string, region: string, name: string): void {
    this.fleets.get(account)?.get(region)?.delete(name);
  }

  clusterNames(account: string, region: string): string[] {
    return [...(this.fleets.get(account)?.get(region)?.keys() ?? [])].sort();
  }

  setAddons(addons: readonly FakeAddon[]): void {
    this.addons = addons;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  setThrottleRate(rate: number): void {
    this.throttleRate = rate;
  }

  // ---- identities --------------------------------------------------------------------------------

  denyRole(roleArn: string): void {
    this.deniedRoles.add(roleArn);
  }

  allowRole(roleArn: string): void {
    this.deniedRoles.delete(roleArn);
  }

  /** Secrets the fake handed out, so tests can check that none reaches a log. */
  issuedSecrets(): string[] {
    return [...this.issuedKeys.keys()].flatMap((k) => [k, `secret-${k}`, `token-${k}`]);
  }

  // ---- faults ------------------------------------------------------------------------------------

  /** Adds a fault rule (first matching rule wins); returns a function removing it. */
  addFault(rule: FaultRule): () => void {
    this.faults.push(rule);
    return () => {
      const i = this.faults.indexOf(rule);
      if (i >= 0) this.faults.splice(i, 1);
    };
  }

  /** Requests held open by a `hang` fault whose client has not gone away. */
  hangingRequests(): number {
    return this.hanging.size;
  }

  clearFaults(): void {
    this.faults.length = 0;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  /** Stops listening and drops every connection: clients get ECONNREFUSED until accept(). */
  async refuse(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.dropConnections();
    });
  }

  /** Listens again on the same port after refuse(). */
  async accept(): Promise<void> {
    this.server = this.makeServer();
    await this.listen(this.port);
  }

  // ---- call log ----------------------------------------------------------------------------------

  count(filter: Partial<Pick<CallRecord, 'op' | 'region' | 'account' | 'service'>> = {}): number {
    return this.calls.filter(
      (c) =>
        (filter.op === undefined || c.op === filter.op) &&
        (filter.region === undefined || c.region === filter.region) &&
        (filter.account === undefined || c.account === filter.account) &&
        (filter.service === undefined || c.service === filter.service),
    ).length;
  }

  /**
   * Logical SDK calls (distinct amz-sdk-invocation-id) matching `filter`: retries of one call count once,
   * so counts stay exact even when a busy machine makes an attempt time out.
   */
  invocations(
    filter: Partial<Pick<CallRecord, 'op' | 'region' | 'account' | 'service'>> = {},
  ): number {
    return new Set(
      this.calls
        .filter(
          (c) =>
            (filter.op === undefined || c.op === filter.op) &&
            (filter.region === undefined || c.region === filter.region) &&
            (filter.account === undefined || c.account === filter.account) &&
            (filter.service === undefined || c.service === filter.service),
        )
        .map((c) => c.invocationId),
    ).size;
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  async close(): Promise<void> {
    this.clearFaults();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.dropConnections();
    });
  }

  // ---- HTTP --------------------------------------------------------------------------------------

  private makeServer(): Server {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `fake error: ${String(e)}` }));
        }
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private dropConnections(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const auth = parseAuthorization(req.headers['authorization']);
    const issued = this.issuedKeys.get(auth.accessKeyId);
    const account = issued?.account ?? this.homeAccount;
    const url = new URL(req.url ?? '/', 'http://fake');
    // STS is form-encoded POSTs to /; EKS's only POST here is TagResource.
    const isSts = req.method === 'POST' && !url.pathname.startsWith('/tags/');
    const form = isSts ? new URLSearchParams(body) : undefined;
    const op = isSts ? stsOp(form) : eksOp(req.method ?? 'GET', url.pathname);
    const subject =
      op === 'DescribeCluster' || op === 'ListAddons' || op === 'DescribeAddon'
        ? decodeURIComponent(url.pathname.split('/')[2] ?? '')
        : op === 'TagResource'
          ? decodeURIComponent(url.pathname.slice('/tags/'.length))
          : op === 'AssumeRole'
            ? (form?.get('RoleArn') ?? undefined)
            : undefined;
    const record: CallRecord = {
      service: isSts ? 'sts' : 'eks',
      op: op ?? 'Unknown',
      region: auth.region,
      account,
      subject,
      url: req.url ?? '',
      attempt: Number(/attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''))?.[1] ?? 1),
      invocationId: String(req.headers['amz-sdk-invocation-id'] ?? ''),
      accessKeyId: auth.accessKeyId,
      securityToken: req.headers['x-amz-security-token'] !== undefined,
      outcome: 0,
      at: Date.now(),
    };
    this.calls.push(record);
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    if (op === undefined) {
      return isSts
        ? this.stsError(res, record, 400, 'InvalidAction', 'Could not find operation')
        : this.eksError(
            res,
            record,
            404,
            'NotFoundException',
            `no route ${req.method} ${url.pathname}`,
          );
    }
    const facts: RequestFacts = { op, region: auth.region, account, subject };
    const fault = this.pickFault(facts);
    if (fault?.kind === 'omit' || fault?.kind === 'replace') this.edits.set(res, fault);
    else if (fault !== undefined) return this.applyFault(res, record, fault, isSts);

    switch (op) {
      case 'ListClusters':
        return this.listClusters(res, record, url);
      case 'DescribeCluster':
        return this.describeCluster(res, record, subject ?? '');
      case 'DescribeAddonVersions':
        return this.describeAddonVersions(res, record, url);
      case 'TagResource':
        return this.tagResource(res, record, subject ?? '', body);
      case 'ListAddons':
        return this.listAddons(res, record, subject ?? '', url);
      case 'DescribeAddon':
        return this.describeAddon(res, record, subject ?? '', url);
      case 'AssumeRole':
        return this.assumeRole(res, record, form ?? new URLSearchParams());
      case 'GetCallerIdentity':
        return this.getCallerIdentity(res, record, issued);
    }
  }

  private pickFault(facts: RequestFacts): Fault | undefined {
    for (const rule of this.faults) {
      if (!matches(rule, facts)) continue;
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.times !== undefined) rule.times--;
      return rule.fault;
    }
    if (
      this.throttleRate > 0 &&
      facts.op !== 'AssumeRole' &&
      facts.op !== 'GetCallerIdentity' &&
      this.random() < this.throttleRate
    ) {
      return { kind: 'throttle' };
    }
    return undefined;
  }

  private applyFault(res: ServerResponse, record: CallRecord, fault: Fault, isSts: boolean): void {
    switch (fault.kind) {
      case 'error':
        if (isSts)
          return this.stsError(res, record, fault.status, fault.type, fault.message ?? fault.type);
        return this.eksError(res, record, fault.status, fault.type, fault.message ?? fault.type);
      case 'throttle': {
        const type = fault.type ?? 'TooManyRequestsException';
        if (isSts) return this.stsError(res, record, 400, 'Throttling', 'Rate exceeded');
        return this.eksError(
          res,
          record,
          429,
          type,
          type === 'ThrottlingException' ? 'Rate exceeded' : 'Too Many Requests',
          {},
          fault.retryAfterSeconds === undefined
            ? {}
            : { 'Retry-After': String(fault.retryAfterSeconds) },
        );
      }
      case 'hang':
        record.outcome = 'hang';
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'destroy':
        record.outcome = 'destroy';
        res.socket?.destroy();
        return;
      case 'malformed':
        record.outcome = 200;
        res.writeHead(200, { 'content-type': isSts ? 'text/xml' : 'application/json' });
        res.end(isSts ? '<AssumeRoleResponse><AssumeRoleResult><Cred' : '{"clusters": ["a", "b"');
        return;
      case 'sameToken':
        record.outcome = 200;
        return this.json(res, record, { clusters: [], nextToken: 'c2FtZQ' });
      case 'reply': {
        record.outcome = fault.status;
        const type = fault.contentType ?? (isSts ? 'text/xml' : 'application/json');
        res.writeHead(fault.status, fault.status === 204 ? {} : { 'content-type': type });
        res.end(fault.status === 204 ? undefined : fault.body);
        return;
      }
      case 'omit':
      case 'replace':
        // Edits of the normal answer, applied by json() / xml().
        return;
    }
  }

  // ---- EKS ---------------------------------------------------------------------------------------

  private listClusters(res: ServerResponse, record: CallRecord, url: URL): void {
    const max = this.maxResults(url);
    if (typeof max === 'string')
      return this.eksError(res, record, 400, 'InvalidParameterException', max);
    const names = this.clusterNames(record.account, record.region);
    const token = url.searchParams.get('nextToken');
    let start = 0;
    if (token !== null) {
      // Opaque to clients; here the base64 of the first name of the page.
      const from = Buffer.from(token, 'base64url').toString('utf8');
      if (from === '')
        return this.eksError(
          res,
          record,
          400,
          'InvalidParameterException',
          'The nextToken is invalid.',
        );
      start = names.findIndex((n) => n >= from);
      if (start === -1) start = names.length;
    }
    const page = names.slice(start, start + max);
    const next = names[start + max];
    this.json(res, record, {
      clusters: page,
      nextToken: next === undefined ? null : Buffer.from(next).toString('base64url'),
    });
  }

  private describeCluster(res: ServerResponse, record: CallRecord, name: string): void {
    const c = this.fleets.get(record.account)?.get(record.region)?.get(name);
    if (c === undefined) {
      return this.eksError(
        res,
        record,
        404,
        'ResourceNotFoundException',
        `No cluster found for name: ${name}.`,
        {
          clusterName: null,
          nodegroupName: null,
          fargateProfileName: null,
          addonName: null,
        },
      );
    }
    this.json(res, record, { cluster: describeBody(record.account, record.region, c) });
  }

  private describeAddonVersions(res: ServerResponse, record: CallRecord, url: URL): void {
    const max = this.maxResults(url);
    if (typeof max === 'string')
      return this.eksError(res, record, 400, 'InvalidParameterException', max);
    const k8s = url.searchParams.get('kubernetesVersion');
    const matching = this.addons
      .map((a) => ({
        addonName: a.addonName,
        type: a.type ?? 'networking',
        owner: 'aws',
        publisher: 'eks',
        addonVersions: a.versions
          .filter((v) => k8s === null || k8s in v.compat)
          .map((v) => ({
            addonVersion: v.addonVersion,
            architecture: ['amd64', 'arm64'],
            compatibilities: Object.entries(v.compat)
              .filter(([cv]) => k8s === null || cv === k8s)
              .map(([clusterVersion, def]) => ({
                clusterVersion,
                platformVersions: ['*'],
                defaultVersion: def,
              })),
            requiresConfiguration: false,
            requiresIamPermissions: false,
          })),
      }))
      .filter((a) => a.addonVersions.length > 0);
    const start = Number(url.searchParams.get('nextToken') ?? '0');
    const page = matching.slice(start, start + max);
    this.json(res, record, {
      addons: page,
      nextToken: start + max < matching.length ? String(start + max) : null,
    });
  }

  private tagResource(res: ServerResponse, record: CallRecord, arn: string, body: string): void {
    const m = /^arn:aws[\w-]*:eks:([\w-]+):(\d{12}):cluster\/([^/]+)$/.exec(arn);
    const c = m
      ? this.fleets
          .get(m[2] ?? '')
          ?.get(m[1] ?? '')
          ?.get(m[3] ?? '')
      : undefined;
    if (!m || c === undefined || m[2] !== record.account) {
      return this.eksError(
        res,
        record,
        404,
        'ResourceNotFoundException',
        `Resource ${arn} not found`,
      );
    }
    let tags: unknown;
    try {
      tags = (JSON.parse(body) as { tags?: unknown }).tags;
    } catch {
      tags = undefined;
    }
    if (
      typeof tags !== 'object' ||
      tags === null ||
      Object.values(tags).some((v) => typeof v !== 'string')
    ) {
      return this.eksError(res, record, 400, 'InvalidParameterException', 'tags is required');
    }
    const applied = { ...(c.tags ?? {}), ...(tags as Record<string, string>) };
    this.addCluster(m[2] ?? '', m[1] ?? '', { ...c, tags: applied });
    const write = { arn, tags: { ...(tags as Record<string, string>) } };
    this.tagWrites.push(write);
    this.onTagged?.(write);
    this.json(res, record, {});
  }

  private listAddons(res: ServerResponse, record: CallRecord, name: string, url: URL): void {
    const c = this.fleets.get(record.account)?.get(record.region)?.get(name);
    if (c === undefined) {
      return this.eksError(
        res,
        record,
        404,
        'ResourceNotFoundException',
        `No cluster found for name: ${name}.`,
      );
    }
    const max = this.maxResults(url);
    if (typeof max === 'string')
      return this.eksError(res, record, 400, 'InvalidParameterException', max);
    const names = Object.keys(c.addons ?? {}).sort();
    const start = Number(url.searchParams.get('nextToken') ?? '0');
    this.json(res, record, {
      addons: names.slice(start, start + max),
      nextToken: start + max < names.length ? String(start + max) : null,
    });
  }

  private describeAddon(res: ServerResponse, record: CallRecord, name: string, url: URL): void {
    const c = this.fleets.get(record.account)?.get(record.region)?.get(name);
    const addonName = decodeURIComponent(url.pathname.split('/')[4] ?? '');
    const version = c?.addons?.[addonName];
    if (c === undefined || version === undefined) {
      return this.eksError(
        res,
        record,
        404,
        'ResourceNotFoundException',
        `No addon: ${addonName} found in cluster: ${name}`,
        { clusterName: name, addonName },
      );
    }
    const arn = `arn:aws:eks:${record.region}:${record.account}:addon/${name}/${addonName}/${hex8(addonName)}`;
    this.json(res, record, {
      addon: {
        addonName,
        clusterName: name,
        status: 'ACTIVE',
        addonVersion: version,
        health: { issues: [] },
        addonArn: arn,
        createdAt: 1_700_000_000.5,
        modifiedAt: 1_700_000_100.5,
        tags: {},
      },
    });
  }

  /** 1..100 like EKS; EKS defaults to 100 when absent. */
  private maxResults(url: URL): number | string {
    const raw = url.searchParams.get('maxResults');
    if (raw === null) return 100;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 100) {
      return `1 validation error detected: Value '${raw}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`;
    }
    return n;
  }

  private json(res: ServerResponse, record: CallRecord, answer: unknown): void {
    const edit = this.edits.get(res);
    const body = edit === undefined ? answer : editJson(answer, edit);
    record.outcome = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID() });
    res.end(JSON.stringify(body));
  }

  private eksError(
    res: ServerResponse,
    record: CallRecord,
    status: number,
    type: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): void {
    record.outcome = status;
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-RequestId': randomUUID(),
      'x-amzn-ErrorType': type,
      ...headers,
    });
    res.end(JSON.stringify({ ...extra, message }));
  }

  // ---- STS ---------------------------------------------------------------------------------------

  private assumeRole(res: ServerResponse, record: CallRecord, form: URLSearchParams): void {
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
    if (m === null)
      return this.stsError(res, record, 400, 'ValidationError', `Invalid RoleArn: ${roleArn}`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      return this.stsError(res, record, 400, 'ValidationError', 'Invalid RoleSessionName');
    }
    if (this.deniedRoles.has(roleArn)) {
      const caller = this.issuedKeys.get(record.accessKeyId);
      const who = caller?.roleArn ?? `arn:aws:iam::${this.homeAccount}:user/discovery`;
      return this.stsError(
        res,
        record,
        403,
        'AccessDenied',
        `User: ${who} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const account = m[1] ?? '';
    const accessKeyId = `ASIA${account}${randomBytes(4).toString('hex').toUpperCase()}`;
    this.issuedKeys.set(accessKeyId, { account, roleArn, sessionName });
    const duration = Number(form.get('DurationSeconds') ?? '3600');
    const expiration = new Date(Date.now() + duration * 1000).toISOString();
    const roleName = (m[2] ?? '').split('/').pop() ?? '';
    this.xml(
      res,
      record,
      `<AssumeRoleResponse xmlns="${XMLNS}"><AssumeRoleResult><AssumedRoleUser>` +
        `<Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}</Arn>` +
        `<AssumedRoleId>AROA${account}:${sessionName}</AssumedRoleId></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>secret-${accessKeyId}</SecretAccessKey>` +
        `<SessionToken>token-${accessKeyId}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<PackedPolicySize>6</PackedPolicySize></AssumeRoleResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  private getCallerIdentity(
    res: ServerResponse,
    record: CallRecord,
    issued: IssuedKey | undefined,
  ): void {
    const arn = issued
      ? `arn:aws:sts::${issued.account}:assumed-role/${issued.roleArn.split('/').pop() ?? ''}/${issued.sessionName}`
      : `arn:aws:iam::${this.homeAccount}:user/discovery`;
    this.xml(
      res,
      record,
      `<GetCallerIdentityResponse xmlns="${XMLNS}"><GetCallerIdentityResult>` +
        `<Arn>${arn}</Arn><UserId>AIDAFAKE</UserId><Account>${record.account}</Account>` +
        `</GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>` +
        `</GetCallerIdentityResponse>`,
    );
  }

  private xml(res: ServerResponse, record: CallRecord, answer: string): void {
    const edit = this.edits.get(res);
    const body =
      edit?.kind === 'omit'
        ? answer.replace(new RegExp(`<${edit.member}>[\\s\\S]*?</${edit.member}>`), '')
        : answer;
    record.outcome = 200;
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(body);
  }

  private stsError(
    res: ServerResponse,
    record: CallRecord,
    status: number,
    code: string,
    message: string,
  ): void {
    record.outcome = status;
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
        `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  }
}

function eksOp(method: string, path: string): FakeOp | undefined {
  if (method === 'POST' && /^\/tags\/[^/]+$/.test(path)) return 'TagResource';
  if (method !== 'GET') return undefined;
  if (/^\/clusters\/[^/]+\/addons$/.test(path)) return 'ListAddons';
  if (/^\/clusters\/[^/]+\/addons\/[^/]+$/.test(path)) return 'DescribeAddon';
  if (path === '/clusters') return 'ListClusters';
  if (/^\/clusters\/[^/]*$/.test(path)) return 'DescribeCluster';
  if (path === '/addons/supported-versions') return 'DescribeAddonVersions';
  return undefined;
}

function stsOp(form: URLSearchParams | undefined): FakeOp | undefined {
  const action = form?.get('Action');
  return action === 'AssumeRole' || action === 'GetCallerIdentity' ? action : undefined;
}

function parseAuthorization(header: string | undefined): { accessKeyId: string; region: string } {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(header ?? '');
  return { accessKeyId: m?.[1] ?? '', region: m?.[2] ?? '' };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The answer with one dotted member removed (`omit`) or set (`replace`). */
function editJson(answer: unknown, edit: Fault & { kind: 'omit' | 'replace' }): unknown {
  const copy = structuredClone(answer) as Record<string, unknown>;
  const path = edit.member.split('.');
  const last = path.pop() ?? '';
  let at: Record<string, unknown> | undefined = copy;
  for (const key of path) at = at?.[key] as Record<string, unknown> | undefined;
  if (at === undefined) return copy;
  if (edit.kind === 'omit') delete at[last];
  else at[last] = edit.value;
  return copy;
}

function hex8(seed: string): string {
  return Buffer.from(seed).toString('hex').padEnd(8, '0').slice(0, 8);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
