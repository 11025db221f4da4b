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
