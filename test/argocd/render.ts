import { renderFastTemplate } from './fasttemplate';
import { GoTemplateError, parseGoTemplateOptions, renderGoTemplate } from './go-template';
import { isPlainObject } from './go-values';
import { setOwn } from './flatten';

/**
 * `applicationset/utils.Render.Replace`: one string rendered against one params map, with Go
 * text/template (goTemplate) or fasttemplate (flat). Errors carry Argo CD's wrapping:
 * `failed to parse template <t>: ...`, `failed to execute go template <t>: ...`, `invalid template: ...`.
 * Unsupported Go template syntax throws (UnsupportedTemplateError) instead of returning an error.
 */
export function replaceTemplateString(
  template: string,
  params: Readonly<Record<string, unknown>>,
  useGoTemplate: boolean,
  goTemplateOptions: readonly string[],
): { text: string } | { error: string } {
  if (!useGoTemplate) {
    // Render.Replace only hands a string to fasttemplate when Go's `.*{{.*}}.*` matches: `{{` and `}}` on one
    // line (Go's `.` stops at \n only). So an unclosed `{{` is kept as is, not an error.
    if (!/\{\{[^\n]*\}\}/.test(template)) return { text: template };
    return renderFastTemplate(template, params);
  }
  let options;
  try {
    options = parseGoTemplateOptions(goTemplateOptions);
  } catch (e) {
    if (e instanceof GoTemplateError) return { error: e.message };
    throw e;
  }
  try {
    return { text: renderGoTemplate(template, params, options) };
  } catch (e) {
    if (!(e instanceof GoTemplateError)) throw e;
    const phase = e.message.includes(': executing ')
      ? 'failed to execute go template'
      : 'failed to parse template';
    return { error: `${phase} ${template}: ${e.message}` };
  }
}

/**
 * `Render.RenderTemplateParams`' deep replace: every string in the (JSON-shaped) template, and every map
 * key, is rendered with {@link replaceTemplateString}; numbers, booleans and nulls are kept.
 */
export function renderDeep(
  template: unknown,
  params: Readonly<Record<string, unknown>>,
  useGoTemplate: boolean,
  goTemplateOptions: readonly string[],
): { value: unknown } | { error: string } {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const r = replaceTemplateString(node, params, useGoTemplate, goTemplateOptions);
      if ('error' in r) throw new RenderFailure(r.error);
      return r.text;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        if (v === null || v === undefined) continue; // Go skips nil map entries and nil fields
        setOwn(out, walk(k) as string, walk(v));
      }
      return out;
    }
    return node;
  };
  try {
    return { value: walk(template) };
  } catch (e) {
    if (e instanceof RenderFailure) return { error: e.message };
    throw e;
  }
}

class RenderFailure extends Error {}
