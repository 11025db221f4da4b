/** What the preview reports (the JSON output is exactly this; the markdown is drawn from it). */
import type { PolicyViolation } from '../policy/types';

export type AppStatus = 'added' | 'removed' | 'changed' | 'unchanged' | 'error' | 'notPreviewed';

/**
 * The admission policies' violations of one Application at head, exactly as the evaluator reports them (the
 * render's `io.onPolicyReport`, shared with `eks-overlay policy test --output json`): `engine`
 * (ValidatingAdmissionPolicy | Gatekeeper), `policy`, `binding` (VAP binding, or `Kind/name` of the constraint),
 * `action` (Deny | Warn | Audit), `message`, `reason` (VAP), `object` {apiVersion, kind, namespace, name, source
 * {file, line}} and `policySource` {file, line}. `[]`: evaluated, nothing found; `null`: no policy was evaluated for
 * this Application (no --policies and no `policies.paths` of its own, a source eks-overlay does not render, or not
 * rendered at head).
 */
export type PolicyResult = readonly PolicyViolation[] | null;

export interface AppEntry {
  readonly name: string;
  readonly applicationSet: string;
  readonly cluster: string;
  readonly status: AppStatus;
  /** The id of the group holding this Application's diff (changed and added Applications). */
  readonly diffGroup?: string;
  /** eks-overlay's message (file:line) for a failed render, or the ApplicationSet's error. */
  readonly error?: string;
  /** Why a source is not previewed (another repository, Helm, another plugin). */
  readonly reason?: string;
  /**
   * True when the inputs hashed equal at base and head, so the Application is unchanged without comparing renders
   * (nothing is rendered, or with --policies only the head, for the policies).
   */
  readonly skipped?: boolean;
  readonly policy: PolicyResult;
}

export interface DiffGroup {
  readonly id: string;
  /** Applications with exactly this diff. */
  readonly count: number;
  readonly clusters: readonly string[];
  readonly applications: readonly string[];
  readonly diff: string;
}

export interface Summary {
  readonly base: string;
  readonly head: string;
  readonly applications: Readonly<Record<AppStatus, number>>;
  readonly applicationSets: number;
  /** Distinct destination clusters of the Applications at base or head. */
  readonly clusters: number;
  readonly renders: {
    /** Renders performed (base and head count separately). */
    readonly performed: number;
    /**
     * Applications found unchanged by their input hash, without comparing renders (two renders saved each; one
     * with --policies, which still renders the head).
     */
    readonly skipped: number;
  };
  /**
   * Policy violations at head over every Application, by action; `null` when no render evaluated a policy. A Deny
   * fails its Application's render (status `error`, as Argo CD would show it) and makes the exit 1.
   */
  readonly policy: { readonly deny: number; readonly warn: number; readonly audit: number } | null;
}

export interface PreviewReport {
  readonly summary: Summary;
  readonly applications: readonly AppEntry[];
  readonly diffGroups: readonly DiffGroup[];
}

export const STATUSES: readonly AppStatus[] = [
  'removed',
  'error',
  'changed',
  'added',
  'notPreviewed',
  'unchanged',
];
