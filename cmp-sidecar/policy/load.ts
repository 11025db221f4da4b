import { ConfigError } from '../../core/errors';
import { loadGatekeeper } from './load-gatekeeper';
import {
  describePolicy,
  failurePolicyOf,
  namedExpressions,
  pointAtFields,
  validationsOf,
} from './fields';
import { isMap, parseMatchResources, parseSelector } from './parse-match';
import type {
  Action,
  ContextObject,
  Json,
  LoadedBinding,
  LoadedVap,
  PolicySet,
  UnsupportedPolicy,
} from './types';

const ADMISSION_GROUP = 'admissionregistration.k8s.io';

function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Sorts the documents of policy files into policies, bindings, Gatekeeper templates and constraints, and context
 * (params, Namespaces, CRDs), validating each policy as the API server would and compiling every expression once.
 * Every problem is reported at once, in one ConfigError, each naming the file:line and the field.
 */
export function loadPolicySet(
  docs: readonly ContextObject[],
  unsupported: UnsupportedPolicy = 'error',
): PolicySet {
  const issues: string[] = [];
  const vaps: LoadedVap[] = [];
  const bindings: LoadedBinding[] = [];
  const context: ContextObject[] = [];
  const templates: ContextObject[] = [];
  const constraints: ContextObject[] = [];
  for (const doc of docs) {
    const group = groupOf(doc.object['apiVersion']);
    const kind = doc.object['kind'];
    const from = issues.length;
    if (group === ADMISSION_GROUP && kind === 'ValidatingAdmissionPolicy') {
      const vap = loadVap(doc, issues);
      if (vap !== undefined) vaps.push(vap);
      pointAtFields(issues, from, doc);
    } else if (group === ADMISSION_GROUP && kind === 'ValidatingAdmissionPolicyBinding') {
      const binding = loadBinding(doc, issues);
      if (binding !== undefined) bindings.push(binding);
      pointAtFields(issues, from, doc);
    } else if (group === 'templates.gatekeeper.sh' && kind === 'ConstraintTemplate') {
      templates.push(doc);
    } else if (group === 'constraints.gatekeeper.sh') {
      constraints.push(doc);
    } else context.push(doc);
  }
  const gatekeeperFrom = issues.length;
  const gatekeeper = loadGatekeeper(templates, constraints, unsupported, issues);
  for (const doc of [...templates, ...constraints]) pointAtFields(issues, gatekeeperFrom, doc);
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    vaps,
    bindings,
    constraints: gatekeeper.constraints,
    context,
    skipped: gatekeeper.skipped,
  };
}

function loadVap(doc: ContextObject, issues: string[]): LoadedVap | undefined {
  const at = describePolicy(doc);
  const md = isMap(doc.object['metadata']) ? doc.object['metadata'] : {};
  const name = md['name'];
  const spec = isMap(doc.object['spec']) ? doc.object['spec'] : undefined;
  if (typeof name !== 'string' || name === '' || spec === undefined) {
    issues.push(`${at}: needs metadata.name and spec`);
    return undefined;
  }
  const before = issues.length;
  const paramKindRaw = spec['paramKind'];
  let paramKind: LoadedVap['paramKind'];
  if (paramKindRaw !== undefined && paramKindRaw !== null) {
    const pk = isMap(paramKindRaw) ? paramKindRaw : {};
    if (typeof pk['apiVersion'] !== 'string' || typeof pk['kind'] !== 'string')
      issues.push(`${at}: spec.paramKind: needs apiVersion and kind`);
    else paramKind = { apiVersion: pk['apiVersion'], kind: pk['kind'] };
  }
  const params = paramKindRaw !== undefined && paramKindRaw !== null;
  const matchConditions = namedExpressions(
    spec['matchConditions'],
    { params, variables: false },
    `${at}: spec.matchConditions`,
    issues,
  );
  const variables = namedExpressions(
    spec['variables'],
    { params, variables: true },
    `${at}: spec.variables`,
    issues,
  );
  const validations = validationsOf(
    spec['validations'],
    { params, variables: true },
    `${at}: spec.validations`,
    issues,
    true,
  );
  if (
    validations.length === 0 &&
    spec['auditAnnotations'] === undefined &&
    issues.length === before
  )
    issues.push(`${at}: spec.validations: a policy needs validations or auditAnnotations`);
  const vap: LoadedVap = {
    name,
    source: doc.source,
    failurePolicy: failurePolicyOf(spec['failurePolicy'], `${at}: spec.failurePolicy`, issues),
    matchConstraints: parseMatchResources(
      spec['matchConstraints'],
      `${at}: spec.matchConstraints`,
      issues,
      true,
    ),
    ...(paramKind === undefined ? {} : { paramKind }),
    matchConditions,
    variables,
    validations,
  };
  return issues.length === before ? vap : undefined;
}

function loadBinding(doc: ContextObject, issues: string[]): LoadedBinding | undefined {
  const at = describePolicy(doc);
  const md = isMap(doc.object['metadata']) ? doc.object['metadata'] : {};
  const name = md['name'];
  const spec = isMap(doc.object['spec']) ? doc.object['spec'] : {};
  const before = issues.length;
  const policyName = spec['policyName'];
  if (typeof name !== 'string' || name === '') issues.push(`${at}: needs metadata.name`);
  if (typeof policyName !== 'string' || policyName === '')
    issues.push(`${at}: spec.policyName: is required`);
  const actionsRaw = spec['validationActions'];
  const actions: Action[] = [];
  if (!Array.isArray(actionsRaw) || actionsRaw.length === 0)
    issues.push(`${at}: spec.validationActions: must list Deny, Warn and/or Audit`);
  else
    for (const a of actionsRaw as unknown[]) {
      if (a !== 'Deny' && a !== 'Warn' && a !== 'Audit')
        issues.push(
          `${at}: spec.validationActions: ${JSON.stringify(a)} is not Deny, Warn or Audit`,
        );
      else if (actions.includes(a))
        issues.push(`${at}: spec.validationActions: ${a} is listed twice`);
      else actions.push(a);
    }
  if (actions.includes('Deny') && actions.includes('Warn'))
    issues.push(`${at}: spec.validationActions: Deny and Warn cannot be used together`);
  let paramRef: LoadedBinding['paramRef'];
  const pr = spec['paramRef'];
  if (pr !== undefined && pr !== null) {
    const ref = isMap(pr) ? pr : {};
    const hasName = typeof ref['name'] === 'string' && ref['name'] !== '';
    const selector = parseSelector(ref['selector'], `${at}: spec.paramRef.selector`, issues);
    if (hasName === (ref['selector'] !== undefined))
      issues.push(`${at}: spec.paramRef: exactly one of name and selector must be set`);
    const action = ref['parameterNotFoundAction'];
    if (action !== 'Allow' && action !== 'Deny')
      issues.push(`${at}: spec.paramRef.parameterNotFoundAction: is required (Allow or Deny)`);
    paramRef = {
      ...(hasName ? { name: ref['name'] as string } : {}),
      ...(typeof ref['namespace'] === 'string' && ref['namespace'] !== ''
        ? { namespace: ref['namespace'] }
        : {}),
      ...(selector === undefined ? {} : { selector }),
      parameterNotFoundAction: action === 'Deny' ? 'Deny' : 'Allow',
    };
  }
  const matchResources =
    spec['matchResources'] === undefined || spec['matchResources'] === null
      ? undefined
      : parseMatchResources(spec['matchResources'], `${at}: spec.matchResources`, issues, false);
  if (issues.length > before) return undefined;
  return {
    name: name as string,
    source: doc.source,
    policyName: policyName as string,
    validationActions: actions,
    ...(matchResources === undefined ? {} : { matchResources }),
    ...(paramRef === undefined ? {} : { paramRef }),
  };
}

export type { Json };
