import { matchesSelector } from '../../core/selector';
import { GATEKEEPER_BUDGET, VALIDATION_BUDGET } from './cel/meter';
import { toCel } from './cel/values';
import {
  gatekeeperMatches,
  labelsOf,
  matchesResources,
  mayMatchKind,
  mayMatchResource,
} from './match';
import { isMap } from './parse-match';
import { ResourceResolver, splitApiVersion } from './resources';
import { evaluateOnce } from './run-validations';
import type { DenyDecision, EvaluationSpec } from './run-validations';
import { buildSubject, metadataOf } from './subject';
import type { AdmissionSubject, ClusterKnowledge, NamespaceInfo, SubjectInput } from './subject';
import type {
  Action,
  Json,
  LoadedBinding,
  LoadedConstraint,
  LoadedVap,
  PolicyReport,
  PolicySet,
  PolicyViolation,
  ViolationObject,
} from './types';

/**
 * Evaluates a policy set against admission requests built from rendered objects: every ValidatingAdmissionPolicy
 * with its bindings and params, every Gatekeeper constraint. The one evaluator behind the render stage,
 * `validate` and `policy test`.
 */
export interface EvaluationRequest {
  readonly policies: PolicySet;
  readonly subjects: readonly SubjectInput[];
  /** Objects of the same render: Namespaces, CRDs and param objects among them are cluster knowledge. */
  readonly rendered: readonly Json[];
  /** More CRDs (kro.crdDirs, EKS_OVERLAY_CRD_DIR). */
  readonly crds?: readonly Json[];
  /** Where a namespaced object without metadata.namespace lands (Argo CD's destination namespace). */
  readonly defaultNamespace: string;
  /** Wall-clock bound for the whole evaluation, in milliseconds (a backstop to the cost meter). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const NEVER_EVALUATED = new Set([
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
]);

export function evaluatePolicies(req: EvaluationRequest): PolicyReport {
  const assumptions = new Set<string>();
  const knowledge = clusterKnowledge(req);
  const deadline = performance.now() + (req.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const params = [...req.rendered, ...req.policies.context.map((c) => c.object)];
  const violations: PolicyViolation[] = [];
  const index = new PolicyIndex(req.policies);
  const context: VapContext = { req, candidates: params, knowledge, deadline };
  for (const input of req.subjects) {
    const subject = buildSubject(input, req.defaultNamespace, knowledge);
    if (
      splitApiVersion(subject.apiVersion).group === 'admissionregistration.k8s.io' &&
      NEVER_EVALUATED.has(subject.kind)
    )
      continue;
    // Built once per object, shared by every policy that matches it.
    let activation: Record<string, unknown> | undefined;
    const base = (): Record<string, unknown> => (activation ??= baseActivation(subject));
    for (const vap of index.vapsFor(subject)) {
      const bindings = index.bindingsOf(vap);
      if (bindings.length === 0) continue;
      for (const v of evaluateVap(vap, bindings, context, subject, base)) violations.push(v);
    }
    for (const c of index.constraintsFor(subject))
      for (const v of evaluateConstraint(c, subject, base, deadline)) violations.push(v);
    if (subject.resource.assumed !== undefined) assumptions.add(subject.resource.assumed);
    if (subject.namespaceInfo.assumed)
      assumptions.add(
        `namespace ${subject.namespace}: neither rendered nor in a policy directory; assumed to exist with only the label kubernetes.io/metadata.name=${subject.namespace}`,
      );
  }
  return { violations, assumptions: [...assumptions] };
}

/**
 * Which policies an object can meet at all, by what is the same for every object of its resource or kind (the
 * rules' groups and resources, the constraints' kinds), computed once per resource in a render; the full match
 * still decides for each object. Bindings are grouped by the policy they name. Orders are kept as loaded.
 */
class PolicyIndex {
  readonly #policies: PolicySet;
  readonly #vaps = new Map<string, readonly LoadedVap[]>();
  readonly #constraints = new Map<string, readonly LoadedConstraint[]>();
  readonly #bindings = new Map<string, LoadedBinding[]>();

  constructor(policies: PolicySet) {
    this.#policies = policies;
    for (const b of policies.bindings) {
      const list = this.#bindings.get(b.policyName);
      if (list === undefined) this.#bindings.set(b.policyName, [b]);
      else list.push(b);
    }
  }

  vapsFor(s: AdmissionSubject): readonly LoadedVap[] {
    const { group, resource } = s.resource;
    const key = `${group}\0${resource}`;
    let vaps = this.#vaps.get(key);
    if (vaps === undefined) {
      vaps = this.#policies.vaps.filter((v) =>
        mayMatchResource(v.matchConstraints, group, resource),
      );
      this.#vaps.set(key, vaps);
    }
    return vaps;
  }

  constraintsFor(s: AdmissionSubject): readonly LoadedConstraint[] {
    const group = s.resource.group;
    const key = `${group}\0${s.kind}`;
    let constraints = this.#constraints.get(key);
    if (constraints === undefined) {
      constraints = this.#policies.constraints.filter(
        (c) => c.actions.length > 0 && mayMatchKind(c.match, group, s.kind),
      );
      this.#constraints.set(key, constraints);
    }
    return constraints;
  }

  bindingsOf(vap: LoadedVap): readonly LoadedBinding[] {
    return this.#bindings.get(vap.name) ?? [];
  }
}

function apiVersionOf(o: Json): string {
  return typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
}

function clusterKnowledge(req: EvaluationRequest): ClusterKnowledge {
  const isKind = (o: Json, kind: string, group: string): boolean =>
    o['kind'] === kind && splitApiVersion(apiVersionOf(o)).group === group;
  const context = req.policies.context.map((c) => c.object);
  const crds = [...(req.crds ?? []), ...context, ...req.rendered].filter((o) =>
    isKind(o, 'CustomResourceDefinition', 'apiextensions.k8s.io'),
  );
  const namespaces = new Map<string, Json>();
  // Rendered Namespaces win over those a policy directory describes.
  for (const o of [...context, ...req.rendered]) {
    if (!isKind(o, 'Namespace', '')) continue;
    const name = metadataOf(o)['name'];
    if (typeof name === 'string') namespaces.set(name, o);
  }
  const infos = new Map<string, NamespaceInfo>();
  return {
    resolver: new ResourceResolver(crds),
    namespace(name: string): NamespaceInfo {
      let info = infos.get(name);
      if (info !== undefined) return info;
      const ns = namespaces.get(name);
      const defaulted = { 'kubernetes.io/metadata.name': name };
      info =
        ns === undefined
          ? { labels: defaulted, assumed: true }
          : {
              labels: { ...labelsOf(ns), ...defaulted },
              object: withDefaultedLabel(ns, name),
              assumed: false,
            };
      infos.set(name, info);
      return info;
    },
  };
}

/** The API server's defaulting gives every Namespace the `kubernetes.io/metadata.name` label. */
function withDefaultedLabel(ns: Json, name: string): Json {
  const md = metadataOf(ns);
  const labels = isMap(md['labels']) ? md['labels'] : {};
  return { ...ns, metadata: { ...md, labels: { ...labels, 'kubernetes.io/metadata.name': name } } };
}

function violationObject(s: AdmissionSubject): ViolationObject {
  return {
    apiVersion: s.apiVersion,
    kind: s.kind,
    ...(s.namespace !== '' && s.kind !== 'Namespace' ? { namespace: s.namespace } : {}),
    name: s.name,
    ...(s.source === undefined ? {} : { source: s.source }),
  };
}

function requestOf(s: AdmissionSubject): Json {
  const kind = { group: s.resource.group, version: s.resource.version, kind: s.kind };
  const resource = {
    group: s.resource.group,
    version: s.resource.version,
    resource: s.resource.resource,
  };
  return {
    kind,
    resource,
    subResource: '',
    requestKind: kind,
    requestResource: resource,
    requestSubResource: '',
    name: s.name,
    namespace: s.namespace,
    operation: s.operation,
    userInfo: { username: '', uid: '', groups: [], extra: {} },
    dryRun: false,
    options: null,
  };
}

function baseActivation(s: AdmissionSubject): Record<string, unknown> {
  const namespaced = s.namespace !== '' && !(s.resource.group === '' && s.kind === 'Namespace');
  return {
    object: toCel(s.object),
    oldObject: toCel(s.oldObject),
    // Strings, booleans and lists only: nothing to convert.
    request: requestOf(s),
    namespaceObject:
      namespaced && s.namespaceInfo.object !== undefined ? toCel(s.namespaceInfo.object) : null,
    authorizer: null,
  };
}

type Params =
  { readonly params: readonly (Json | null | undefined)[] } | { readonly error: string };

/** The params of one binding (policy-cel.md §A.5); `undefined` entries: the policy has no paramKind. */
function collectParams(
  vap: LoadedVap,
  binding: LoadedBinding,
  s: AdmissionSubject,
  candidates: readonly Json[],
  knowledge: ClusterKnowledge,
  defaultNamespace: string,
): Params {
  const pk = vap.paramKind;
  if (pk === undefined) return { params: [undefined] };
  const ref = binding.paramRef;
  if (ref === undefined) return { params: [null] };
  const scope = knowledge.resolver.scopeOf(pk.apiVersion, pk.kind);
  if (scope === undefined)
    return {
      error: `failed to find resource referenced by paramKind: '${pk.apiVersion}, Kind=${pk.kind}' (add its CRD to a policy directory or the render)`,
    };
  let namespace = '';
  if (scope === 'Namespaced') {
    namespace = ref.namespace ?? s.namespace;
    if (namespace === '')
      return {
        error:
          'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources',
      };
  } else if (ref.namespace !== undefined) {
    return { error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
  }
  const group = splitApiVersion(pk.apiVersion).group;
  const found = candidates.filter((o) => {
    if (o['kind'] !== pk.kind || splitApiVersion(apiVersionOf(o)).group !== group) return false;
    const md = metadataOf(o);
    if (scope === 'Namespaced') {
      const ns =
        typeof md['namespace'] === 'string' && md['namespace'] !== ''
          ? md['namespace']
          : defaultNamespace;
      if (ns !== namespace) return false;
    }
    if (ref.name !== undefined) return md['name'] === ref.name;
    return ref.selector === undefined || matchesSelector(ref.selector, labelsOf(o));
  });
  if (found.length === 0 && ref.parameterNotFoundAction === 'Deny')
    return { error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
  return { params: found };
}

/** What every ValidatingAdmissionPolicy evaluation of one object shares. */
interface VapContext {
  readonly req: EvaluationRequest;
  readonly candidates: readonly Json[];
  readonly knowledge: ClusterKnowledge;
  readonly deadline: number;
}

function vapViolation(
  vap: LoadedVap,
  binding: LoadedBinding,
  action: Action,
  d: DenyDecision,
  object: ViolationObject,
): PolicyViolation {
  return {
    engine: 'ValidatingAdmissionPolicy',
    policy: vap.name,
    binding: binding.name,
    action,
    message: d.message,
    ...(d.reason === undefined ? {} : { reason: d.reason }),
    object,
    policySource: vap.source,
  };
}

/** One policy's evaluation spec, the same for every object and binding of a render. */
const vapSpecs = new WeakMap<LoadedVap, EvaluationSpec>();

function vapSpec(vap: LoadedVap, deadline: number): EvaluationSpec {
  let spec = vapSpecs.get(vap);
  if (spec === undefined || spec.deadline !== deadline) {
    spec = {
      failurePolicy: vap.failurePolicy,
      matchConditions: vap.matchConditions,
      variables: vap.variables,
      validations: vap.validations,
      budget: VALIDATION_BUDGET,
      namespaceObjectInConditions: null,
      deadline,
    };
    vapSpecs.set(vap, spec);
  }
  return spec;
}

function evaluateVap(
  vap: LoadedVap,
  bindings: readonly LoadedBinding[],
  ctx: VapContext,
  s: AdmissionSubject,
  baseOf: () => Record<string, unknown>,
): PolicyViolation[] {
  if (!matchesResources(vap.matchConstraints, s)) return [];
  const out: PolicyViolation[] = [];
  let object: ViolationObject | undefined;
  for (const binding of bindings) {
    if (binding.matchResources !== undefined && !matchesResources(binding.matchResources, s))
      continue;
    const params = collectParams(
      vap,
      binding,
      s,
      ctx.candidates,
      ctx.knowledge,
      ctx.req.defaultNamespace,
    );
    if ('error' in params) {
      // Configuration errors reject regardless of validationActions (failurePolicy Fail) or are dropped.
      if (vap.failurePolicy === 'Fail')
        out.push(
          vapViolation(
            vap,
            binding,
            'Deny',
            { message: `failed to configure binding: ${params.error}` },
            (object ??= violationObject(s)),
          ),
        );
      continue;
    }
    for (const p of params.params) {
      const base = baseOf();
      const activation = p === undefined ? base : { ...base, params: toCel(p) };
      const decisions = evaluateOnce(vapSpec(vap, ctx.deadline), activation);
      for (const d of decisions)
        for (const action of binding.validationActions)
          out.push(vapViolation(vap, binding, action, d, (object ??= violationObject(s))));
    }
  }
  return out;
}

function evaluateConstraint(
  c: LoadedConstraint,
  s: AdmissionSubject,
  baseOf: () => Record<string, unknown>,
  deadline: number,
): PolicyViolation[] {
  if (c.actions.length === 0 || !gatekeeperMatches(c.match, s)) return [];
  const base = baseOf();
  const anyObject =
    s.operation === 'DELETE' && s.object === null ? base['oldObject'] : base['object'];
  const decisions = evaluateOnce(
    {
      failurePolicy: c.template.failurePolicy,
      matchConditions: c.template.matchConditions,
      variables: c.template.variables,
      validations: c.template.validations,
      budget: GATEKEEPER_BUDGET,
      builtinVariables: { anyObject, params: toCel(c.parameters) },
      variableScope: { params: toCel(c.object) },
      namespaceObjectInConditions: base['namespaceObject'],
      deadline,
    },
    base,
  );
  if (decisions.length === 0) return [];
  const object = violationObject(s);
  return decisions.flatMap((d) =>
    c.actions.map((action) => ({
      engine: 'Gatekeeper' as const,
      policy: c.template.name,
      binding: `${c.kind}/${c.name}`,
      action,
      message: d.message,
      object,
      policySource: c.source,
    })),
  );
}
