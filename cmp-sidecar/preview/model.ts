/** What the preview reports (the JSON output is exactly this; the markdown is drawn from it). */

export type AppStatus = 'added' | 'removed' | 'changed' | 'unchanged' | 'error' | 'notPreviewed';

/**
 * The policy slot of one Application: filled from the render's own report while the policy stage (issue 19) runs
 * inside `eks-overlay generate`; `null` when no policy was given. A later stage may fill `violations` in detail.
 */
export interface PolicyResult {
  readonly denied: boolean;
  readonly violations: readonly string[];
}

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
  readonly policy: PolicyResult | null;
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
  readonly policy: { readonly evaluated: boolean; readonly denied: number } | null;
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
