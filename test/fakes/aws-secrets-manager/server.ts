import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP fake of AWS Secrets Manager (awsJson1_1: `POST /` with `X-Amz-Target: secretsmanager.<Op>`), after
 * shared/docs/aws-api.md §2 and §7: GetSecretValue and BatchGetSecretValue, versions and staging labels,
 * SecretBinary as base64 on the wire, errors as 400 `{"__type","Message"}` (500 for InternalServiceError), and
 * per-secret failures of BatchGetSecretValue in `Errors[]` with a 200. Faults are injected per operation and
 * secret; every call is recorded so tests can count them.
 */
export type SmOp = 'GetSecretValue' | 'BatchGetSecretValue';

export type SmFault =
  /** This secret fails: in BatchGetSecretValue an `Errors[]` entry, in GetSecretValue a 400 error. */
  | { readonly kind: 'item'; readonly code: SmItemErrorCode; readonly message?: string }
  /** The whole call fails with this status and type. */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly type: string;
      readonly message?: string;
    }
  /** 400 ThrottlingException "Rate exceeded" (what Secrets Manager answers; the SDK retries it). */
  | { readonly kind: 'throttle' }
  /** Never answers: the client's timeout must fire. */
  | { readonly kind: 'hang' }
  /** Closes the socket without a response. */
  | { readonly kind: 'destroy' }
  /** BatchGetSecretValue answers with the same NextToken forever. */
  | { readonly kind: 'sameToken' }
  /** 200 with the real answer cut in the middle (the values it holds must not reach any message). */
  | { readonly kind: 'malformed' };

export type SmItemErrorCode =
  | 'ResourceNotFoundException'
  | 'AccessDeniedException'
  | 'DecryptionFailure'
  | 'InvalidRequestException'
  | 'InvalidParameterException';

export interface SmFaultRule {
  readonly op?: SmOp;
  /** Only requests naming this secret (by the id as sent). */
  readonly secretId?: string;
  readonly fault: SmFault;
  /** How many matching requests get the fault; unlimited when absent. */
  times?: number;
}

export interface SmCall {
  readonly op: SmOp | 'Unknown';
  readonly secretIds: readonly string[];
  readonly attempt: number;
  readonly region: string;
  outcome: number | 'hang' | 'destroy';
}

interface Version {
  readonly versionId: string;
  stages: string[];
  readonly string?: string;
  readonly binary?: Buffer;
  readonly created: number;
}

interface FakeSecret {
  readonly name: string;
  readonly arn: string;
  readonly versions: Version[];
}

export type SecretContent = string | Buffer | Record<string, unknown>;

const MESSAGES: Record<SmItemErrorCode, string> = {
  ResourceNotFoundException: "Secrets Manager can't find the specified secret.",
  AccessDeniedException:
    'User: arn:aws:sts::111122223333:assumed-role/argocd-repo-server/s is not authorized to perform: secretsmanager:GetSecretValue on resource: the secret because no identity-based policy allows the secretsmanager:GetSecretValue action',
  DecryptionFailure:
    "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
  InvalidRequestException:
    'You can’t perform this operation on the secret because it was marked for deletion.',
  InvalidParameterException: 'The parameter SecretId is not valid.',
};

export class SecretsManagerFake {
  readonly calls: SmCall[] = [];
  private readonly secrets = new Map<string, FakeSecret>();
  private readonly faults: SmFaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  /** BatchGetSecretValue page size (values per page), to exercise NextToken; unlimited when absent. */
  batchPageSize: number | undefined;

  constructor(
    readonly account = '111122223333',
    readonly region = 'us-east-1',
  ) {}

  /** Adds a secret with one version at AWSCURRENT (objects are stored as their JSON text). */
  addSecret(name: string, content: SecretContent): this {
    const arn = `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${randomBytes(3).toString('hex')}`;
    this.secrets.set(name, { name, arn, versions: [] });
    return this.putVersion(name, content);
  }

  /** A new version becomes AWSCURRENT; the previous current one becomes AWSPREVIOUS (as rotation does). */
  putVersion(
    name: string,
    content: SecretContent,
    opts: { versionId?: string; stages?: string[] } = {},
  ): this {
    const s = this.secrets.get(name);
    if (!s) throw new Error(`no fake secret ${name}`);
    const stages = opts.stages ?? ['AWSCURRENT'];
    if (stages.includes('AWSCURRENT')) {
      for (const v of s.versions) v.stages = v.stages.filter((x) => x !== 'AWSPREVIOUS');
      for (const v of s.versions)
        if (v.stages.includes('AWSCURRENT'))
          v.stages = [...v.stages.filter((x) => x !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    s.versions.push({
      versionId: opts.versionId ?? randomUUID(),
      stages,
      ...(Buffer.isBuffer(content)
        ? { binary: content }
        : { string: typeof content === 'string' ? content : JSON.stringify(content) }),
      created: 1700000000 + s.versions.length,
    });
    return this;
  }

  arnOf(name: string): string {
    const s = this.secrets.get(name);
    if (!s) throw new Error(`no fake secret ${name}`);
    return s.arn;
  }

  versionIdOf(name: string, stage: string): string {
    const v = this.secrets.get(name)?.versions.find((x) => x.stages.includes(stage));
    if (!v) throw new Error(`no version ${stage} of ${name}`);
    return v.versionId;
  }

  inject(rule: SmFaultRule): this {
    this.faults.push(rule);
    return this;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  count(op: SmOp): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('fake not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
    const attempt = Number(
      /attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''))?.[1] ?? 1,
    );
    const region =
      /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(req.headers['authorization'] ?? ''))?.[1] ??
      '';
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return this.error(res, undefined, 400, 'SerializationException', 'bad JSON');
    }
    if (req.method !== 'POST' || (op !== 'GetSecretValue' && op !== 'BatchGetSecretValue')) {
      const call: SmCall = { op: 'Unknown', secretIds: [], attempt, region, outcome: 400 };
      this.calls.push(call);
      return this.error(res, call, 400, 'UnknownOperationException', `unknown operation ${target}`);
    }
    const ids =
      op === 'GetSecretValue'
        ? [str(body['SecretId'])]
        : Array.isArray(body['SecretIdList'])
          ? (body['SecretIdList'] as unknown[]).map(String)
          : [];
    const call: SmCall = { op, secretIds: ids, attempt, region, outcome: 200 };
    this.calls.push(call);

    const callFault = this.takeFault(op, ids, (f) => f.kind !== 'item');
    if (callFault) {
      switch (callFault.kind) {
        case 'hang':
          call.outcome = 'hang';
          return; // never answer
        case 'destroy':
          call.outcome = 'destroy';
          req.socket.destroy();
          return;
        case 'throttle':
          return this.error(res, call, 400, 'ThrottlingException', 'Rate exceeded');
        case 'error':
          return this.error(
            res,
            call,
            callFault.status,
            callFault.type,
            callFault.message ?? callFault.type,
          );
        case 'sameToken':
          return this.json(res, call, { SecretValues: [], Errors: [], NextToken: 'again' });
        case 'malformed':
          return this.truncated(res, call, op, body, ids);
        case 'item':
          break;
      }
    }
    if (op === 'GetSecretValue') return this.getSecretValue(res, call, body);
    return this.batchGet(res, call, body, ids);
  }

  private getSecretValue(res: ServerResponse, call: SmCall, body: Record<string, unknown>): void {
    const id = str(body['SecretId']);
    const item = this.takeFault('GetSecretValue', [id], (f) => f.kind === 'item');
    if (item?.kind === 'item')
      return this.error(res, call, 400, item.code, item.message ?? MESSAGES[item.code]);
    const found = this.resolve(id, body['VersionId'], body['VersionStage']);
    if ('error' in found) return this.error(res, call, 400, found.error, found.message);
    this.json(res, call, found.entry);
  }

  private batchGet(
    res: ServerResponse,
    call: SmCall,
    body: Record<string, unknown>,
    ids: string[],
  ): void {
    if (body['Filters'] !== undefined && body['SecretIdList'] !== undefined)
      return this.error(
        res,
        call,
        400,
        'InvalidParameterException',
        'Either Filters or SecretIdList, not both.',
      );
    if (body['MaxResults'] !== undefined && body['Filters'] === undefined)
      return this.error(
        res,
        call,
        400,
        'InvalidParameterException',
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
      );
    if (ids.length === 0 || ids.length > 20)
      return this.error(
        res,
        call,
        400,
        'InvalidParameterException',
        'SecretIdList must hold 1 to 20 ids.',
      );
    const start = Number(body['NextToken'] ?? 0);
    const values: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const id of ids) {
      const item = this.takeFault('BatchGetSecretValue', [id], (f) => f.kind === 'item');
      if (item?.kind === 'item') {
        errors.push({
          SecretId: id,
          ErrorCode: item.code,
          Message: item.message ?? MESSAGES[item.code],
        });
        continue;
      }
      const found = this.resolve(id, undefined, undefined);
      if ('error' in found)
        errors.push({ SecretId: id, ErrorCode: found.error, Message: found.message });
      else values.push(found.entry);
    }
    const size = this.batchPageSize ?? values.length;
    const page = values.slice(start, start + size);
    const next = start + size < values.length ? String(start + size) : undefined;
    this.json(res, call, {
      SecretValues: page,
      Errors: start === 0 ? errors : [],
      ...(next === undefined ? {} : { NextToken: next }),
    });
  }

  private resolve(
    id: string,
    versionId: unknown,
    versionStage: unknown,
  ): { entry: Record<string, unknown> } | { error: string; message: string } {
    const secret = [...this.secrets.values()].find(
      (s) => s.name === id || s.arn === id || (id.startsWith('arn:') && s.arn.startsWith(`${id}-`)),
    );
    if (!secret)
      return { error: 'ResourceNotFoundException', message: MESSAGES.ResourceNotFoundException };
    let version: Version | undefined;
    if (typeof versionId === 'string') {
      version = secret.versions.find((v) => v.versionId === versionId);
      if (version && typeof versionStage === 'string' && !version.stages.includes(versionStage))
        return {
          error: 'InvalidRequestException',
          message: 'VersionStage does not match VersionId',
        };
    } else {
      const stage = typeof versionStage === 'string' ? versionStage : 'AWSCURRENT';
      version = secret.versions.find((v) => v.stages.includes(stage));
      if (!version)
        return {
          error: 'ResourceNotFoundException',
          message: `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
        };
    }
    if (!version)
      return {
        error: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret value for VersionId",
      };
    return {
      entry: {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        ...(version.string !== undefined ? { SecretString: version.string } : {}),
        ...(version.binary !== undefined
          ? { SecretBinary: version.binary.toString('base64') }
          : {}),
        VersionStages: version.stages,
        CreatedDate: version.created,
      },
    };
  }

  private takeFault(
    op: SmOp,
    ids: readonly string[],
    kind: (f: SmFault) => boolean,
  ): SmFault | undefined {
    for (const rule of this.faults) {
      if (!kind(rule.fault)) continue;
      if (rule.op !== undefined && rule.op !== op) continue;
      if (rule.secretId !== undefined && !ids.includes(rule.secretId)) continue;
      if (rule.times !== undefined) {
        if (rule.times <= 0) continue;
        rule.times--;
      }
      return rule.fault;
    }
    return undefined;
  }

  private truncated(
    res: ServerResponse,
    call: SmCall,
    op: SmOp,
    body: Record<string, unknown>,
    ids: string[],
  ): void {
    const capture = { text: '' };
    const sink = {
      writeHead: () => sink,
      end: (t: string) => (capture.text = t),
    } as unknown as ServerResponse;
    if (op === 'GetSecretValue') this.getSecretValue(sink, call, body);
    else this.batchGet(sink, call, body, ids);
    call.outcome = 200;
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(capture.text.slice(0, Math.max(1, capture.text.length - 7)));
  }

  private json(res: ServerResponse, call: SmCall, body: unknown): void {
    call.outcome = 200;
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(JSON.stringify(body));
  }

  private error(
    res: ServerResponse,
    call: SmCall | undefined,
    status: number,
    type: string,
    message: string,
  ): void {
    if (call) call.outcome = status;
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(JSON.stringify({ __type: type, Message: message }));
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
