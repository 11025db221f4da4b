import { isAppError, RenderError } from '../../core/errors';
import { inlinedSecretsOf, showsSecret, type InlinedSecrets } from '../secrets/inlined-values';
import type { RenderedObject } from '../render/types';
import { joinPath, rgdName } from './rgd-model';
import type { KroFinding } from './types';

/**
 * Inline secrets mode writes secret values into the objects before kro checks them, and kro's messages quote what
 * they reject (an expression, an enum value, a field's text). A finding at or below a field that holds a secret
 * value, or whose message shows one, keeps its file, RGD, resource and path but loses its message.
 */
export const WITHHELD =
  'rejected (message withheld: this field holds a value from AWS Secrets Manager, written by secrets.mode inline)';

export function withoutSecretValues(
  findings: readonly KroFinding[],
  objects: readonly RenderedObject[],
): KroFinding[] {
  const byRgd = new Map<string, InlinedSecrets[]>();
  const all: InlinedSecrets[] = [];
  for (const o of objects) {
    const secrets = inlinedSecretsOf(o.object);
    if (!secrets) continue;
    all.push(secrets);
    const name = rgdName(o.object);
    byRgd.set(name, [...(byRgd.get(name) ?? []), secrets]);
  }
  if (all.length === 0) return [...findings];
  return findings.map((f) => {
    const own = byRgd.get(f.rgd) ?? [];
    const atSecret = own.some((s) => s.paths.some((p) => isAtOrBelow(f.path, printPath(p))));
    const shows = all.some((s) => showsSecret(f.message, s));
    return atSecret || shows ? { ...f, message: WITHHELD } : f;
  });
}

function printPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (base, seg) => (typeof seg === 'number' ? `${base}[${seg}]` : joinPath(base, seg)),
    '',
  );
}

function isAtOrBelow(path: string, secretPath: string): boolean {
  return (
    path === secretPath || path.startsWith(`${secretPath}.`) || path.startsWith(`${secretPath}[`)
  );
}

/**
 * An unexpected failure inside kro's checks (a parser exception, not a finding) may quote the text it choked on,
 * which in inline mode can be a secret value: its message is withheld when any object of the render holds one.
 */
export function unexpectedKroFailure(e: unknown, objects: readonly RenderedObject[]): Error {
  if (isAppError(e)) return e;
  const holdsSecrets = objects.some((o) => inlinedSecretsOf(o.object) !== undefined);
  const message = e instanceof Error ? e.message : String(e);
  return new RenderError(
    holdsSecrets
      ? 'kro: the checks failed unexpectedly (message withheld: this render holds values from AWS Secrets Manager, written by secrets.mode inline)'
      : `kro: the checks failed unexpectedly: ${message}`,
    { cause: holdsSecrets ? undefined : e },
  );
}
