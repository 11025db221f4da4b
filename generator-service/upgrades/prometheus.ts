/**
 * Prometheus's HTTP API, instant queries only (`GET /api/v1/query`). A gate needs one number: no series, several
 * series or NaN are errors, never a pass, because "no data" is exactly what a broken green cluster reports.
 */
import { UpgradeError } from '../../core/errors';
import type { PrometheusClient } from './ports';
import { isObject } from './spec';

export function httpPrometheusClient(opts: { readonly timeoutMs: number }): PrometheusClient {
  return {
    value: async (base, query) => {
      const url = `${base.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs) });
      } catch (e) {
        throw new UpgradeError(`Prometheus ${base} unreachable`, { cause: e });
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new UpgradeError(`Prometheus ${base} answered HTTP ${res.status} without JSON`);
      }
      if (!res.ok || !isObject(body) || body['status'] !== 'success') {
        const error =
          isObject(body) && typeof body['error'] === 'string' ? `: ${body['error']}` : '';
        throw new UpgradeError(`Prometheus ${base} answered HTTP ${res.status}${error}`);
      }
      return valueOf(body['data']);
    },
  };
}

function valueOf(data: unknown): number {
  if (!isObject(data)) throw new UpgradeError('Prometheus answer has no data');
  const result = data['result'];
  let sample: unknown;
  if (data['resultType'] === 'scalar') sample = result;
  else if (data['resultType'] === 'vector' && Array.isArray(result)) {
    if (result.length === 0) throw new UpgradeError('the query returned no series (empty result)');
    if (result.length > 1) {
      throw new UpgradeError(
        `the query returned ${result.length} series; a gate needs exactly one`,
      );
    }
    sample = isObject(result[0]) ? result[0]['value'] : undefined;
  } else {
    throw new UpgradeError(
      `the query returned a ${String(data['resultType'])}; a gate needs a vector or scalar`,
    );
  }
  const raw: unknown = Array.isArray(sample) ? (sample as unknown[])[1] : undefined;
  const n = typeof raw === 'string' ? Number(raw) : NaN;
  if (Number.isNaN(n)) throw new UpgradeError('the query returned NaN');
  return n;
}
