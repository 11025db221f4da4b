/**
 * Reads the generator's answers as Argo CD does (POST getparams with the bearer token): the controller learns the
 * pair and checks the served weights from what Argo CD itself is served, never from a view of its own.
 */
import { UpgradeError } from '../../core/errors';
import type { GeneratorClient, ServedCluster } from './ports';
import { isObject } from './spec';

/** A non-2xx answer of the generator, with its status (400: the parameters sent; 503: not ready). */
export class GeneratorRefusal extends UpgradeError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`generator answered HTTP ${status}${message ? `: ${message}` : ''}`);
  }
}

export function httpGeneratorClient(opts: {
  readonly baseUrl: string;
  readonly token: () => string;
  readonly timeoutMs: number;
}): GeneratorClient {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/api/v1/getparams.execute`;
  return {
    clusters: async (parameters) => {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${opts.token()}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ applicationSetName: 'upgrade-controller', input: { parameters } }),
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (e) {
        throw new UpgradeError(`generator ${opts.baseUrl} unreachable`, { cause: e });
      }
      const text = await res.text();
      if (!res.ok) throw new GeneratorRefusal(res.status, messageOf(text));
      return parseAnswer(text);
    },
  };
}

function messageOf(text: string): string {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    return typeof m === 'string' ? m.slice(0, 300) : '';
  } catch {
    return '';
  }
}

/** The parameter sets of a 200 answer; anything without the expected shape is refused, never read as "none". */
export function parseAnswer(text: string): ServedCluster[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UpgradeError('generator answered 200 with a body that is not JSON');
  }
  const params =
    isObject(body) && isObject(body['output']) ? body['output']['parameters'] : undefined;
  if (!Array.isArray(params)) {
    throw new UpgradeError('generator answered 200 without output.parameters');
  }
  return params.map((p, i) => {
    const aws = isObject(p) && isObject(p['aws']) ? p['aws'] : undefined;
    const upgrade = isObject(p) && isObject(p['upgrade']) ? p['upgrade'] : undefined;
    const metadata = isObject(p) && isObject(p['metadata']) ? p['metadata'] : {};
    if (
      !isObject(p) ||
      aws === undefined ||
      upgrade === undefined ||
      typeof p['name'] !== 'string'
    ) {
      throw new UpgradeError(
        `generator answer: output.parameters[${i}] has no name, aws or upgrade`,
      );
    }
    const str = (o: Record<string, unknown>, k: string): string => {
      const v = o[k];
      return typeof v === 'string' ? v : '';
    };
    return {
      name: p['name'],
      server: str(p, 'server'),
      arn: str(aws, 'arn'),
      accountId: str(aws, 'accountId'),
      region: str(aws, 'region'),
      clusterName: str(aws, 'clusterName'),
      version: str(aws, 'version'),
      status: str(aws, 'status'),
      labels: (isObject(metadata['labels']) ? metadata['labels'] : {}) as Record<string, string>,
      tags: (isObject(aws['tags']) ? aws['tags'] : {}) as Record<string, string>,
      upgrade: {
        group: str(upgrade, 'group'),
        color: str(upgrade, 'color'),
        weight: str(upgrade, 'weight'),
      },
    };
  });
}
