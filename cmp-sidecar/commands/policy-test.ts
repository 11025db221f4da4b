import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, isAppError } from '../../core/errors';
import type { ExitCode } from '../exit';
import { EXIT } from '../exit';
import type { Io } from '../io';
import { subjectFromDocument } from '../policy/admission-review';
import { evaluatePolicies } from '../policy/evaluate';
import { loadPolicySet } from '../policy/load';
import { readPolicyDocuments } from '../policy/read';
import { describeViolation } from '../policy/report';
import { objectIdentity } from '../policy/subject';
import type { SubjectInput } from '../policy/subject';
import type { ContextObject, Json, Operation, PolicyViolation } from '../policy/types';

/**
 * `policy test --policies DIR|FILE... [--context FILE...] [--operation CREATE|UPDATE|DELETE] [--old-object FILE]
 * [--namespace NS] [--kube-version 1.32] [--unsupported error|warn] [--output json] OBJECT_FILE...`: evaluates
 * admission policies against objects as `gator test` does, with the evaluator renders use. An object file that is
 * an AdmissionReview is taken as the request. Exit 0 allowed (warnings on stderr), 1 denied (every violation
 * printed; an evaluation error under failurePolicy Fail is a denial), 2 usage, 78 a policy that cannot be loaded.
 */
const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE']);

interface PolicyTestOptions {
  readonly policies: string[];
  readonly context: string[];
  readonly operation: Operation;
  readonly oldObject?: string;
  readonly namespace: string;
  readonly unsupported: 'error' | 'warn';
  readonly json: boolean;
  readonly objects: string[];
}

function parseOptions(args: readonly string[]): PolicyTestOptions {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        policies: { type: 'string', multiple: true },
        context: { type: 'string', multiple: true },
        operation: { type: 'string' },
        'old-object': { type: 'string' },
        namespace: { type: 'string' },
        'kube-version': { type: 'string' },
        unsupported: { type: 'string' },
        output: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new InputError(`policy test: ${e instanceof Error ? e.message : String(e)}`);
  }
  const v = parsed.values as Record<string, string | string[] | undefined>;
  const list = (k: string): string[] => (Array.isArray(v[k]) ? v[k] : []);
  const one = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  const policies = list('policies');
  if (policies.length === 0) throw new InputError('policy test needs --policies DIR|FILE');
  if (parsed.positionals.length === 0) throw new InputError('policy test needs OBJECT_FILE...');
  const operation = one('operation') ?? 'CREATE';
  if (!OPERATIONS.has(operation))
    throw new InputError(
      `--operation must be CREATE, UPDATE or DELETE, got ${JSON.stringify(operation)}`,
    );
  const kubeVersion = one('kube-version');
  if (kubeVersion !== undefined && !/^v?1\.\d+(\.\d+)?$/.test(kubeVersion))
    throw new InputError(`--kube-version must look like 1.32, got ${JSON.stringify(kubeVersion)}`);
  const unsupported = one('unsupported') ?? 'error';
  if (unsupported !== 'error' && unsupported !== 'warn')
    throw new InputError(`--unsupported must be error or warn, got ${JSON.stringify(unsupported)}`);
  const output = one('output');
  if (output !== undefined && output !== 'json' && output !== 'text')
    throw new InputError(`--output must be json or text, got ${JSON.stringify(output)}`);
  const oldObject = one('old-object');
  return {
    policies,
    context: list('context'),
    operation: operation as Operation,
    ...(oldObject === undefined ? {} : { oldObject }),
    namespace: one('namespace') ?? 'default',
    unsupported,
    json: output === 'json',
    objects: parsed.positionals,
  };
}

/** Object and context files: a file that cannot be read is a usage error (policy files are configuration). */
async function readInputs(files: readonly string[], io: Io): Promise<ContextObject[]> {
  try {
    return await readPolicyDocuments(
      files.map((f) => ({ path: path.resolve(io.cwd, f), label: f })),
    );
  } catch (e) {
    if (isAppError(e)) throw new InputError(e.message, { cause: e });
    throw e;
  }
}

export async function policyTest(args: readonly string[], io: Io): Promise<ExitCode> {
  const opts = parseOptions(args);
  const policyDocs = await readPolicyDocuments(
    opts.policies.map((p) => ({ path: path.resolve(io.cwd, p), label: p })),
  );
  const policies = loadPolicySet(policyDocs, opts.unsupported);
  for (const line of policies.skipped) io.stderr.write(`eks-overlay: warning: ${line}\n`);
  const context = await readInputs(opts.context, io);
  const objects = await readInputs(opts.objects, io);
  const olds = opts.oldObject === undefined ? [] : await readInputs([opts.oldObject], io);
  const oldFor = (o: Json): Json | null => {
    if (olds.length === 1 && objects.length === 1) return olds[0]!.object;
    return olds.find((d) => objectIdentity(d.object) === objectIdentity(o))?.object ?? null;
  };
  const subjects: SubjectInput[] = [];
  let namespace = opts.namespace;
  for (const doc of objects) {
    const reviewed = subjectFromDocument(doc.object, {
      operation: opts.operation,
      oldObject: oldFor(doc.object),
      source: doc.source,
    });
    if (reviewed.namespace !== undefined) namespace = reviewed.namespace;
    subjects.push(reviewed.input);
  }
  const report = evaluatePolicies({
    policies,
    subjects,
    rendered: [
      ...context.map((d) => d.object),
      ...subjects.flatMap((s) => (s.object === null ? [] : [s.object])),
    ],
    defaultNamespace: namespace,
  });
  const denied = report.violations.filter((v) => v.action === 'Deny');
  for (const v of report.violations)
    if (v.action === 'Warn') io.stderr.write(`eks-overlay: warning: ${describeViolation(v)}\n`);
  if (opts.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          allowed: denied.length === 0,
          violations: report.violations.map(jsonViolation),
          assumptions: report.assumptions,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const lines = report.violations
      .filter((v) => v.action !== 'Warn')
      .map((v) => `${v.action === 'Deny' ? 'DENY ' : 'AUDIT'} ${describeViolation(v)}`);
    lines.push(...report.assumptions.map((a) => `assumed: ${a}`));
    const count = (a: string) => report.violations.filter((v) => v.action === a).length;
    lines.push(
      `${denied.length === 0 ? 'allowed' : 'denied'}: ${count('Deny')} deny, ${count('Warn')} warn, ${count('Audit')} audit over ${subjects.length} object(s)`,
    );
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return denied.length === 0 ? EXIT.ok : EXIT.render;
}

function jsonViolation(v: PolicyViolation): Record<string, unknown> {
  return {
    policy: v.policy,
    binding: v.binding ?? null,
    action: v.action,
    message: v.message,
    ...(v.reason === undefined ? {} : { reason: v.reason }),
    object: {
      apiVersion: v.object.apiVersion,
      kind: v.object.kind,
      ...(v.object.namespace === undefined ? {} : { namespace: v.object.namespace }),
      name: v.object.name,
      ...(v.object.source === undefined ? {} : { source: v.object.source }),
    },
  };
}
