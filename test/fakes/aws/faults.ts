import type { AwsFake } from './aws-fake';

/** The operations the fake answers. */
export type FakeOp =
  | 'ListClusters'
  | 'DescribeCluster'
  | 'DescribeAddonVersions'
  | 'TagResource'
  | 'ListAddons'
  | 'DescribeAddon'
  | 'AssumeRole'
  | 'GetCallerIdentity';

/** What a matching request gets instead of its normal answer. */
export type Fault =
  /** A modelled or unmodelled error: status, x-amzn-ErrorType (EKS) or <Code> (STS), message. */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly type: string;
      readonly message?: string;
    }
  /** 429 TooManyRequestsException (what DescribeCluster really answers) or ThrottlingException (modelled). */
  | {
      readonly kind: 'throttle';
      readonly type?: 'TooManyRequestsException' | 'ThrottlingException';
      /** Sent as `Retry-After` (seconds), the hint the SDK's backoff honours. */
      readonly retryAfterSeconds?: number;
    }
  /** Never answers: the client's timeout must fire. */
  | { readonly kind: 'hang' }
  /** Closes the socket without a response (ECONNRESET / socket hang up). */
  | { readonly kind: 'destroy' }
  /** 200 with a body cut in the middle of the JSON. */
  | { readonly kind: 'malformed' }
  /** ListClusters answers its page but always with the same nextToken. */
  | { readonly kind: 'sameToken' }
  /**
   * A successful-looking reply with exactly this status and body, e.g. 200 with an empty body, `{}` or `null`,
   * or 204 with none: the SDK reads several of these as an output with no members at all.
   */
  | {
      readonly kind: 'reply';
      readonly status: 200 | 204;
      readonly body: string;
      /** Default application/json (EKS) or text/xml (STS); none for a 204. */
      readonly contentType?: string;
    }
  /**
   * The normal answer without one member: a dotted path into the EKS JSON body (`clusters`, `cluster`,
   * `cluster.endpoint`, `addons`) or an element of the STS XML body (`Account`, `Credentials`).
   */
  | { readonly kind: 'omit'; readonly member: string }
  /** The normal answer with one member of the EKS JSON body replaced, e.g. `clusters` by a string. */
  | { readonly kind: 'replace'; readonly member: string; readonly value: unknown };

export interface FaultMatch {
  readonly op?: FakeOp | readonly FakeOp[];
  readonly region?: string;
  readonly account?: string;
  /** DescribeCluster, ListAddons, DescribeAddon: the cluster name; TagResource: the ARN; AssumeRole: the role ARN. */
  readonly subject?: string;
}

export interface FaultRule {
  readonly match?: FaultMatch;
  readonly fault: Fault;
  /** How many matching requests get the fault; unlimited when absent. */
  times?: number;
  /** Chance (0..1) that a matching request gets the fault; always when absent. */
  readonly probability?: number;
}

export interface RequestFacts {
  readonly op: FakeOp;
  readonly region: string;
  readonly account: string;
  readonly subject: string | undefined;
}

export function matches(rule: FaultRule, r: RequestFacts): boolean {
  const m = rule.match ?? {};
  if (m.op !== undefined) {
    const ops: readonly FakeOp[] = typeof m.op === 'string' ? [m.op] : m.op;
    if (!ops.includes(r.op)) return false;
  }
  if (m.region !== undefined && m.region !== r.region) return false;
  if (m.account !== undefined && m.account !== r.account) return false;
  if (m.subject !== undefined && m.subject !== r.subject) return false;
  return true;
}

/**
 * A fault switch for a row of a fault table: on `x`, adds fresh rules (built by `make` at every arming, since a
 * rule's `times` counts down) to `x.fake`, and returns the switch that turns them off again, which clears every
 * fault of the fake and so also releases hanging requests.
 */
export const faultRules =
  (...make: (() => FaultRule)[]) =>
  (x: { readonly fake: AwsFake }): (() => Promise<void>) => {
    const removers = make.map((m) => x.fake.addFault(m()));
    return () => {
      removers.forEach((r) => r());
      x.fake.clearFaults();
      return Promise.resolve();
    };
  };
