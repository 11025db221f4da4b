import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { RE2JS } from 're2js';
import { evaluatePolicies } from '../../cmp-sidecar/policy/evaluate';
import { loadPolicySet } from '../../cmp-sidecar/policy/load';
import { parsePolicyText } from '../../cmp-sidecar/policy/read';
import { subjectFromDocument } from '../../cmp-sidecar/policy/admission-review';
import type { Operation } from '../../cmp-sidecar/policy/types';

/**
 * The reference verdicts of shared/corpus/policies/cases.yaml (Kubernetes docs and e2e examples, the Gatekeeper
 * library's own suites), read in place: every case loads its files, evaluates the object and checks the verdict
 * and the message.
 */
const CORPUS = path.resolve(__dirname, '../../../shared/corpus/policies');

interface Case {
  id: string;
  engine: 'vap' | 'gatekeeper';
  policies: string[];
  context?: string[];
  object: string;
  oldObject?: string;
  operation?: Operation;
  defaultNamespace?: string;
  objectIsAdmissionReview?: boolean;
  expected: 'allow' | 'deny' | 'warn';
  message?: string;
  messageRegex?: string;
}

const file = parse(readFileSync(path.join(CORPUS, 'cases.yaml'), 'utf8')) as {
  defaults: { operation: Operation; defaultNamespace: string };
  cases: Case[];
};

function docs(rel: string) {
  return parsePolicyText(readFileSync(path.join(CORPUS, rel), 'utf8'), rel);
}

describe('policy corpus verdicts (shared/corpus/policies/cases.yaml)', () => {
  it('holds the 56 cases the corpus README announces', () => {
    expect(file.cases).toHaveLength(56);
  });

  it.each(file.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const policies = loadPolicySet([
      ...c.policies.flatMap(docs),
      ...(c.context ?? []).flatMap(docs),
    ]);
    const [objectDoc] = docs(c.object);
    const operation = c.operation ?? file.defaults.operation;
    const subject = subjectFromDocument(objectDoc!.object, {
      operation,
      oldObject: c.oldObject === undefined ? null : docs(c.oldObject)[0]!.object,
      source: objectDoc!.source,
    });
    const report = evaluatePolicies({
      policies,
      subjects: [subject.input],
      rendered: [],
      defaultNamespace: subject.namespace ?? c.defaultNamespace ?? file.defaults.defaultNamespace,
    });
    const denies = report.violations.filter((v) => v.action === 'Deny');
    const warns = report.violations.filter((v) => v.action === 'Warn');
    const verdict = denies.length > 0 ? 'deny' : warns.length > 0 ? 'warn' : 'allow';
    expect({ verdict, messages: report.violations.map((v) => v.message) }).toMatchObject({
      verdict: c.expected,
    });
    const messages = (c.expected === 'deny' ? denies : warns).map((v) => v.message);
    if (c.message !== undefined) expect(messages.some((m) => m.includes(c.message!))).toBe(true);
    if (c.messageRegex !== undefined) {
      const re = RE2JS.compile(c.messageRegex);
      expect(messages.some((m) => re.matcher(m).find())).toBe(true);
    }
  });
});
