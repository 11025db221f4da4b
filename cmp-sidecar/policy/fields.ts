import { compileExpression } from './cel/compile';
import type { Compiled, Declarations } from './cel/compile';
import { isMap } from './parse-match';
import type {
  ContextObject,
  FailurePolicy,
  NamedExpression,
  PolicySource,
  Validation,
} from './types';

/** Reading the expression fields shared by ValidatingAdmissionPolicies and Gatekeeper templates. */
export function where(src: PolicySource): string {
  return src.line === undefined ? src.file : `${src.file}:${src.line}`;
}

/** `file:line: <Kind> <name>` for messages about one policy object. */
export function describePolicy(doc: ContextObject): string {
  const md = isMap(doc.object['metadata']) ? doc.object['metadata'] : {};
  const name = typeof md['name'] === 'string' ? md['name'] : '(no name)';
  return `${where(doc.source)}: ${String(doc.object['kind'])} ${name}`;
}

/**
 * Points the issues pushed about `doc` since `from` at the line of the field they name (`file:12: Kind name:
 * spec.validations[0].expression: ...`) instead of the document's first line, when the file can tell.
 */
export function pointAtFields(issues: string[], from: number, doc: ContextObject): void {
  const prefix = `${describePolicy(doc)}: `;
  if (doc.locate === undefined) return;
  for (let i = from; i < issues.length; i++) {
    const issue = issues[i] ?? '';
    if (!issue.startsWith(prefix)) continue;
    const fieldPath = /^[A-Za-z][\w.[\]]*/.exec(issue.slice(prefix.length))?.[0];
    const line = fieldPath === undefined ? undefined : doc.locate(fieldPath);
    if (line === undefined) continue;
    const named = `${where({ file: doc.source.file, line })}: ${prefix.slice(where(doc.source).length + 2)}`;
    issues[i] = named + issue.slice(prefix.length);
  }
}

/**
 * Compiles one expression of a policy; a syntax or type error is an issue naming the policy and the field, as
 * the API server rejects such a policy when it is created.
 */
export function compileField(
  expression: unknown,
  decl: Declarations,
  at: string,
  issues: string[],
): { expression: string; compiled: Compiled } | undefined {
  if (typeof expression !== 'string' || expression.trim() === '') {
    issues.push(`${at}: must be a non-empty CEL expression`);
    return undefined;
  }
  const compiled = compileExpression(expression, decl);
  if (!compiled.ok) {
    issues.push(
      `${at}: ${compiled.syntax ? 'syntax error' : 'compile error'} in ${JSON.stringify(expression)}: ${compiled.message}`,
    );
    return undefined;
  }
  return { expression, compiled };
}

export function namedExpressions(
  raw: unknown,
  decl: Declarations,
  at: string,
  issues: string[],
): NamedExpression[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push(`${at}: must be a list of {name, expression}`);
    return [];
  }
  const out: NamedExpression[] = [];
  raw.forEach((item, i) => {
    const e = isMap(item) ? item : {};
    const name = e['name'];
    if (typeof name !== 'string' || name === '') issues.push(`${at}[${i}].name: is required`);
    const c = compileField(e['expression'], decl, `${at}[${i}].expression`, issues);
    if (c !== undefined && typeof name === 'string') out.push({ name, ...c });
  });
  return out;
}

export function validationsOf(
  raw: unknown,
  decl: Declarations,
  at: string,
  issues: string[],
  allowReason: boolean,
): Validation[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push(`${at}: must be a list`);
    return [];
  }
  const out: Validation[] = [];
  raw.forEach((item, i) => {
    const here = `${at}[${i}]`;
    const v = isMap(item) ? item : {};
    const c = compileField(v['expression'], decl, `${here}.expression`, issues);
    const message = v['message'];
    if (message !== undefined && (typeof message !== 'string' || /[\r\n]/.test(message)))
      issues.push(`${here}.message: must be a string without line breaks`);
    const messageExpression =
      v['messageExpression'] === undefined
        ? undefined
        : compileField(v['messageExpression'], decl, `${here}.messageExpression`, issues);
    const reason = v['reason'];
    if (
      allowReason &&
      reason !== undefined &&
      reason !== 'Forbidden' &&
      reason !== 'Invalid' &&
      reason !== 'RequestEntityTooLarge' &&
      reason !== 'Unauthorized'
    )
      issues.push(`${here}.reason: must be Forbidden, Invalid or RequestEntityTooLarge`);
    if (c === undefined) return;
    out.push({
      ...c,
      ...(typeof message === 'string' ? { message } : {}),
      ...(messageExpression === undefined ? {} : { messageExpression }),
      ...(allowReason && typeof reason === 'string' ? { reason } : {}),
    });
  });
  return out;
}

export function failurePolicyOf(raw: unknown, at: string, issues: string[]): FailurePolicy {
  if (raw === undefined || raw === null || raw === 'Fail') return 'Fail';
  if (raw === 'Ignore') return 'Ignore';
  issues.push(`${at}: must be "Fail" or "Ignore"`);
  return 'Fail';
}
