/**
 * Where inline mode wrote secret values, per rendered object, so that later stages that quote manifest content in
 * their messages (kro validation) can keep those values out of stderr. Keyed by object identity: the record lives
 * as long as the object, and nothing outside this render can read it.
 */
export interface InlinedSecrets {
  /** Paths (from the object's root; list indexes as numbers) of the values that hold secret material. */
  readonly paths: readonly (readonly (string | number)[])[];
  /** The secret values as inserted and as fetched (text), for scanning messages. */
  readonly values: readonly string[];
}

const inlined = new WeakMap<object, InlinedSecrets>();

export function recordInlinedSecrets(object: object, secrets: InlinedSecrets): void {
  inlined.set(object, secrets);
}

export function inlinedSecretsOf(object: object): InlinedSecrets | undefined {
  return inlined.get(object);
}

/**
 * True when `text` shows one of the values, whole or in a form it is commonly re-encoded to (JSON string escapes,
 * base64). Values shorter than 4 characters are not scanned: they would match ordinary words.
 */
export function showsSecret(text: string, secrets: InlinedSecrets): boolean {
  for (const v of secrets.values) {
    if (v.length < 4) continue;
    const forms = [v, JSON.stringify(v).slice(1, -1), Buffer.from(v, 'utf8').toString('base64')];
    if (forms.some((f) => text.includes(f))) return true;
  }
  return false;
}
