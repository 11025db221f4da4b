/** Kubernetes label syntax (apimachinery validation.IsQualifiedName / IsValidLabelValue). */
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return NAME_PART.test(key);
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return (
    prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && NAME_PART.test(name)
  );
}

export function isValidLabelValue(value: string): boolean {
  return value === '' || NAME_PART.test(value);
}

/** Annotation keys follow label-key rules; values are free text (total size is limited by the API server). */
export function isValidAnnotationKey(key: string): boolean {
  return isValidLabelKey(key);
}
