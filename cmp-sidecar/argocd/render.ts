import { renderFastTemplate } from './fasttemplate';
import {
  GoTemplateError,
  UnsupportedTemplateError,
  parseGoTemplateOptions,
  renderGoTemplate,
} from './go-template';
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
  const replace = (text: string, field: string): string => {
    let r;
    try {
      r = replaceTemplateString(text, params, useGoTemplate, goTemplateOptions);
    } catch (e) {
      if (e instanceof UnsupportedTemplateError && e.field === undefined) {
        throw new UnsupportedTemplateError(e.what, field === '' ? '(root)' : field);
      }
      throw e;
    }
    if ('error' in r) throw new RenderFailure(r.error);
    return r.text;
  };
  const walk = (node: unknown, field: string): unknown => {
    if (typeof node === 'string') return replace(node, field);
    if (Array.isArray(node)) return node.map((v, i) => walk(v, `${field}[${i}]`));
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        if (v === null || v === undefined) continue; // Go skips nil map entries and nil fields
        const child = field === '' ? k : `${field}.${k}`;
        setOwn(out, replace(k, `${child} (key)`), walk(v, child));
      }
      return out;
    }
    return node;
  };
  try {
    return { value: walk(template, '') };
  } catch (e) {
    if (e instanceof RenderFailure) return { error: e.message };
    throw e;
  }
}

class RenderFailure extends Error {}
