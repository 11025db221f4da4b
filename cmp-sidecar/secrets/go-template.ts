/** Go text/template spelling for ESO's engine v2 (sprig functions plus fromYaml), used to express modifiers. */

/** Literal text inside a template: only the action delimiter `{{` is special. */
export function escapeTemplateText(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/** A Go interpreted string literal. JSON's escapes (\" \\ \n \t \uXXXX) are all valid Go escapes. */
export function goString(text: string): string {
  return JSON.stringify(text);
}

export function call(fn: string, ...args: string[]): string {
  return `(${fn} ${args.join(' ')})`;
}

export function action(expr: string): string {
  const inner =
    expr.startsWith('(') && expr.endsWith(')') && balanced(expr) ? expr.slice(1, -1) : expr;
  return `{{ ${inner} }}`;
}

/** True when the outer parentheses of `expr` enclose all of it. */
function balanced(expr: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0 && i < expr.length - 1) return false;
    }
  }
  return true;
}
