import { goQuote, goTrimSpace } from './go-values';

/**
 * Argo CD's flat-mode (non-goTemplate) string templating: `valyala/fasttemplate` with `{{` / `}}`, as
 * `applicationset/utils.Render.Replace` drives it. Each tag's text is trimmed (`{{ key }}` = `{{key}}`) and
 * looked up in the params; only STRING params substitute. An unknown key, a non-string param (such as the
 * `generator` map) or an empty tag is written back literally as `{{<original tag text>}}`. There is no
 * escaping and no nesting: the tag runs to the first `}}` after `{{`. A `{{` without a closing `}}` is an
 * error (fasttemplate's text), which Argo CD wraps as `invalid template: ...`.
 */
export function renderFastTemplate(
  template: string,
  params: Readonly<Record<string, unknown>>,
): { text: string } | { error: string } {
  if (!template.includes('{{')) return { text: template };
  let rest = template;
  let out = '';
  for (;;) {
    const start = rest.indexOf('{{');
    if (start < 0) {
      out += rest;
      break;
    }
    out += rest.slice(0, start);
    rest = rest.slice(start + 2);
    const end = rest.indexOf('}}');
    if (end < 0) {
      return {
        error: `invalid template: Cannot find end tag=${goQuote('}}')} in the template=${goQuote(template)} starting from ${goQuote(rest)}`,
      };
    }
    const tag = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const key = goTrimSpace(tag);
    const value = Object.prototype.hasOwnProperty.call(params, key) ? params[key] : undefined;
    out += key.length > 0 && typeof value === 'string' ? value : `{{${tag}}}`;
  }
  return { text: out };
}
