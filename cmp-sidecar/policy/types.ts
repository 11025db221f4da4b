/**
 * The admission policies eks-overlay evaluates (ValidatingAdmissionPolicy and Gatekeeper K8sNativeValidation
 * templates), as loaded and compiled, and what an evaluation reports. Semantics: policy-cel.md (kept with the
 * project's reference material), Kubernetes and Gatekeeper sources.
 */
import type { LabelSelector } from '../../core/selector';
import type { Compiled } from './cel/compile';

export type Json = Record<string, unknown>;

/** Where a policy object, or an object under review, is written. */
export interface PolicySource {
  readonly file: string;
  readonly line?: number;
}

/** What to do with a Gatekeeper template that has Rego only (it cannot be evaluated here). */
export type UnsupportedPolicy = 'error' | 'warn';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
export type FailurePolicy = 'Fail' | 'Ignore';
/** What a violation does: Deny fails the render, Warn warns, Audit is recorded only (Gatekeeper dryrun). */
export type Action = 'Deny' | 'Warn' | 'Audit';

export interface ResourceRule {
  readonly operations: readonly string[];
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly scope: '*' | 'Namespaced' | 'Cluster';
}

export interface MatchResources {
  readonly namespaceSelector: LabelSelector;
  readonly objectSelector: LabelSelector;
  readonly resourceRules: readonly ResourceRule[];
  readonly excludeResourceRules: readonly ResourceRule[];
  readonly matchPolicy: 'Exact' | 'Equivalent';
}

export interface NamedExpression {
  readonly name: string;
  readonly expression: string;
  readonly compiled: Compiled;
}

export interface Validation {
  readonly expression: string;
  readonly compiled: Compiled;
  readonly message?: string;
  readonly messageExpression?: { readonly expression: string; readonly compiled: Compiled };
  readonly reason?: string;
}

export interface LoadedVap {
  readonly name: string;
  readonly source: PolicySource;
  readonly failurePolicy: FailurePolicy;
  readonly matchConstraints: MatchResources;
  readonly paramKind?: { readonly apiVersion: string; readonly kind: string };
  readonly matchConditions: readonly NamedExpression[];
  readonly variables: readonly NamedExpression[];
  readonly validations: readonly Validation[];
}

export interface LoadedBinding {
  readonly name: string;
  readonly source: PolicySource;
  readonly policyName: string;
  readonly validationActions: readonly Action[];
  readonly matchResources?: MatchResources;
  readonly paramRef?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly selector?: LabelSelector;
    readonly parameterNotFoundAction: 'Allow' | 'Deny';
  };
}

export interface LoadedTemplate {
  readonly name: string;
  /** The constraint kind (`spec.crd.spec.names.kind`). */
  readonly kind: string;
  readonly source: PolicySource;
  readonly failurePolicy: FailurePolicy;
  readonly matchConditions: readonly NamedExpression[];
  readonly variables: readonly NamedExpression[];
  readonly validations: readonly Validation[];
}

/** Gatekeeper's spec.match (policy-cel.md §B.4). */
export interface GatekeeperMatch {
  readonly kinds: readonly {
    readonly apiGroups: readonly string[];
    readonly kinds: readonly string[];
  }[];
  readonly scope: string;
  readonly namespaces: readonly string[];
  readonly excludedNamespaces: readonly string[];
  readonly labelSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly name?: string;
}

export interface LoadedConstraint {
  readonly kind: string;
  readonly name: string;
  readonly source: PolicySource;
  readonly template: LoadedTemplate;
  /** The constraint as written (Gatekeeper's variables see it as `params`). */
  readonly object: Json;
  readonly match: GatekeeperMatch;
  readonly parameters: unknown;
  /** Actions at the admission enforcement point; empty: the constraint is skipped there (scoped actions). */
  readonly actions: readonly Action[];
}

/** An object of a policy directory that is not a policy: a param, a Namespace, a CRD. */
export interface ContextObject {
  readonly object: Json;
  readonly source: PolicySource;
  /** The line of a field of this document (`spec.validations[0].expression`), when its file can tell. */
  readonly locate?: (fieldPath: string) => number | undefined;
}

export interface PolicySet {
  readonly vaps: readonly LoadedVap[];
  readonly bindings: readonly LoadedBinding[];
  readonly constraints: readonly LoadedConstraint[];
  readonly context: readonly ContextObject[];
  /** Templates that could not be evaluated (Rego only) under `unsupported: warn`, one line each. */
  readonly skipped: readonly string[];
}

/** The object a violation is about. */
export interface ViolationObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly source?: PolicySource;
}

export interface PolicyViolation {
  readonly engine: 'ValidatingAdmissionPolicy' | 'Gatekeeper';
  /** The ValidatingAdmissionPolicy or ConstraintTemplate name. */
  readonly policy: string;
  /** The binding (VAP) or `Kind/name` of the constraint (Gatekeeper). */
  readonly binding?: string;
  readonly action: Action;
  readonly message: string;
  /** VAP `reason` (Invalid when unset); none for Gatekeeper. */
  readonly reason?: string;
  readonly object: ViolationObject;
  readonly policySource: PolicySource;
}

/** Everything one evaluation found: every violation (Deny, Warn, Audit) and what it had to assume. */
export interface PolicyReport {
  readonly violations: readonly PolicyViolation[];
  /** Facts assumed offline (a Namespace's labels, a guessed resource name), one line each. */
  readonly assumptions: readonly string[];
}
