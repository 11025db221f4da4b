/**
 * Argo CD's SanitizeName (applicationset/utils): lowercase; every character outside [-a-z0-9.] becomes '-';
 * truncated to 253; leading and trailing '-' and '.' trimmed. E.g. `production_01/west` → `production-01-west`.
 */
export function sanitizeName(name: string): string {
  const replaced = name.toLowerCase().replace(/[^-a-z0-9.]/gu, '-');
  const truncated = replaced.length > 253 ? replaced.slice(0, 253) : replaced;
  return truncated.replace(/^[-.]+/, '').replace(/[-.]+$/, '');
}
