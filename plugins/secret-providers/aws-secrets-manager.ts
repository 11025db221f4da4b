import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type {
  BatchGetSecretValueCommandOutput,
  SecretValueEntry,
  SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { mapWithConcurrency } from '../../core/concurrency';
import type { FetchResult, SecretPayload, SecretProvider, SecretRequest } from './provider';

/**
 * AWS Secrets Manager. Secrets at AWSCURRENT are read with BatchGetSecretValue, 20 ids per call (the API's limit),
 * following NextToken; secrets pinned to a staging label or a version id are read with GetSecretValue, which is
 * the only call that can select a version. Region, credentials (default chain: env, IRSA, EKS Pod Identity) and
 * endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER) come from the standard SDK configuration.
 *
 * IAM: secretsmanager:BatchGetSecretValue (resource "*") plus secretsmanager:GetSecretValue on each secret, and
 * kms:Decrypt on customer-managed keys.
 */
export const BATCH_LIMIT = 20;
const BATCH_CONCURRENCY = 4;
const GET_CONCURRENCY = 8;

export interface AwsSecretsManagerOptions {
  readonly region: string;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  /** Tests: endpoint, static credentials, a fast retry strategy. */
  readonly clientConfig?: Partial<SecretsManagerClientConfig>;
}

export function createAwsSecretsManagerProvider(opts: AwsSecretsManagerOptions): SecretProvider {
  const client = new SecretsManagerClient({
    region: opts.region,
    maxAttempts: opts.maxAttempts,
    requestHandler: {
      connectionTimeout: opts.requestTimeoutMs,
      // Without throwOnRequestTimeout this SDK only warns and keeps waiting on a hung endpoint.
      requestTimeout: opts.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: opts.requestTimeoutMs,
    },
    ...opts.clientConfig,
  });
  return {
    name: 'aws-secrets-manager',
    async fetchAll(requests, signal) {
      const results = new Array<FetchResult | undefined>(requests.length);
      const current: number[] = [];
      const pinned: number[] = [];
      requests.forEach((r, i) => (r.version.kind === 'current' ? current : pinned).push(i));

      const batches: number[][] = [];
      for (let i = 0; i < current.length; i += BATCH_LIMIT)
        batches.push(current.slice(i, i + BATCH_LIMIT));
      const batchJobs = batches.map((idx) => async () => {
        const answers = await batchGet(
          client,
          idx.map((i) => requests[i]!.secretId),
          signal,
        );
        idx.forEach((i, j) => (results[i] = answers[j]));
      });
      const getJobs = pinned.map((i) => async () => {
        results[i] = await getOne(client, requests[i]!, signal);
      });
      await Promise.all([
        mapWithConcurrency(batchJobs, BATCH_CONCURRENCY, (job) => job()),
        mapWithConcurrency(getJobs, GET_CONCURRENCY, (job) => job()),
      ]);
      return results.map(
        (r) => r ?? { ok: false, code: 'InternalError', message: 'no answer for this secret' },
      );
    },
    close() {
      client.destroy();
    },
  };
}

async function batchGet(
  client: SecretsManagerClient,
  ids: readonly string[],
  signal: AbortSignal,
): Promise<FetchResult[]> {
  const values: SecretValueEntry[] = [];
  const errors = new Map<string, { code: string; message: string }>();
  const seenTokens = new Set<string>();
  let nextToken: string | undefined;
  try {
    do {
      const out: BatchGetSecretValueCommandOutput = await client.send(
        new BatchGetSecretValueCommand({
          SecretIdList: [...ids],
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
        { abortSignal: signal },
      );
      values.push(...(out.SecretValues ?? []));
      for (const e of out.Errors ?? [])
        if (e.SecretId !== undefined)
          errors.set(e.SecretId, {
            code: e.ErrorCode ?? 'UnknownError',
            message: e.Message ?? '',
          });
      nextToken = out.NextToken ?? undefined;
      if (nextToken !== undefined) {
        if (seenTokens.has(nextToken))
          throw Object.assign(new Error('BatchGetSecretValue repeated its NextToken'), {
            name: 'PaginationLoop',
          });
        seenTokens.add(nextToken);
      }
    } while (nextToken !== undefined);
  } catch (e) {
    const failure = callFailure(e, signal);
    return ids.map(() => failure);
  }
  return ids.map((id) => {
    const hit = values.find((v) => sameSecret(id, v));
    if (hit) return payloadOf(hit);
    const err = errors.get(id);
    if (err) return { ok: false, ...err };
    return {
      ok: false,
      code: 'MissingFromResponse',
      message: 'BatchGetSecretValue returned neither a value nor an error',
    };
  });
}

async function getOne(
  client: SecretsManagerClient,
  req: SecretRequest,
  signal: AbortSignal,
): Promise<FetchResult> {
  try {
    const out = await client.send(
      new GetSecretValueCommand({
        SecretId: req.secretId,
        ...(req.version.kind === 'stage' ? { VersionStage: req.version.stage } : {}),
        ...(req.version.kind === 'id' ? { VersionId: req.version.versionId } : {}),
      }),
      { abortSignal: signal },
    );
    return payloadOf(out);
  } catch (e) {
    return callFailure(e, signal);
  }
}

/** A requested id is a name, a full ARN, or a partial ARN without the 6-character random suffix. */
function sameSecret(id: string, v: SecretValueEntry): boolean {
  if (id.startsWith('arn:'))
    return v.ARN === id || (v.ARN?.startsWith(`${id}-`) === true && v.ARN.length === id.length + 7);
  return v.Name === id;
}

function payloadOf(v: {
  SecretString?: string | undefined;
  SecretBinary?: Uint8Array | undefined;
}): FetchResult {
  let payload: SecretPayload | undefined;
  if (v.SecretString !== undefined) payload = { kind: 'string', text: v.SecretString };
  else if (v.SecretBinary !== undefined) payload = { kind: 'binary', bytes: v.SecretBinary };
  if (!payload)
    return { ok: false, code: 'EmptySecret', message: 'the secret version has no value' };
  return { ok: true, payload };
}

/**
 * Only the error's name and a message that cannot hold a value: a service error's own message (AWS never echoes
 * secret values), or the SDK's transport messages. Anything else — notably a parse failure of a 200 answer, whose
 * V8 message may quote the body — gets a fixed message.
 */
function callFailure(e: unknown, signal: AbortSignal): FetchResult {
  if (signal.aborted)
    return { ok: false, code: 'DeadlineExceeded', message: 'the inline secrets deadline passed' };
  const err = e as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    $fault?: unknown;
    $metadata?: { attempts?: number; httpStatusCode?: number };
  };
  const name = typeof err.name === 'string' && err.name !== 'Error' ? err.name : 'RequestFailed';
  const raw = typeof err.message === 'string' ? err.message.split('\n')[0]!.slice(0, 300) : '';
  const serviceError =
    (err.$fault === 'client' || err.$fault === 'server') && name !== 'SyntaxError';
  const transportError = name === 'TimeoutError' || typeof err.code === 'string';
  const message = serviceError || transportError ? raw : 'the answer could not be read';
  const attempts = err.$metadata?.attempts;
  return {
    ok: false,
    code: name,
    message:
      attempts !== undefined && attempts > 1 ? `${message} (after ${attempts} attempts)` : message,
  };
}
