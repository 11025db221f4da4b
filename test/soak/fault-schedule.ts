import type { AwsFake } from '../fakes/aws/aws-fake';
import type { FleetChange, FleetModel } from './fleet-model';

/**
 * What happens to the fake AWS during the soak, as offsets from the start of the load. Times are laid out for
 * 60 s and scale with the duration; the outage is sized from the staleness limit so it always outlasts it.
 * For 60 s: clean 0-8 s, throttling 8-12, 5xx 12-15, AccessDenied for eu-west-1 15-19, slow 19-22, outage
 * 22-46 (errors, then hangs), then clean again, so the last ten seconds (where the RSS end sample is taken)
 * serve 200s like the ten seconds of the RSS baseline, not the 503s of the outage.
 *
 * Only the outage may make the generator answer 503: every other fault is either partial (a share of calls
 * fails and the SDK's retries absorb most of it) or short enough that a target's last success stays well inside
 * EKS_MAX_STALE_SECONDS, so any 503 outside the outage is a finding, not noise.
 */
export interface SoakTiming {
  readonly durationMs: number;
  readonly refreshSeconds: number;
  readonly maxStaleSeconds: number;
}

export function soakTiming(durationSeconds: number): SoakTiming {
  const refreshSeconds = 5; // the smallest EKS_REFRESH_SECONDS the source accepts
  // 20 s for a 60 s soak. Never under three refresh intervals: staleness counts from the end of the last
  // successful listing, and a listing slowed by throttling backoff can take longer than one interval.
  const maxStaleSeconds = Math.max(3 * refreshSeconds, Math.round(durationSeconds / 3));
  return { durationMs: durationSeconds * 1000, refreshSeconds, maxStaleSeconds };
}

export type PhaseKind =
  'clean' | 'throttling' | '5xx' | 'access-denied' | 'slow' | 'outage' | 'recovery';

export interface PhaseRecord {
  readonly kind: PhaseKind;
  readonly label: string;
  /** Date.now() when the phase began and ended (ended undefined while running). */
  readonly startedAt: number;
  endedAt: number | undefined;
}

export interface ScheduledStep {
  /** Offset from the start of the load. */
  readonly atMs: number;
  readonly label: string;
  run(): void;
}

export interface FaultSchedule {
  readonly steps: readonly ScheduledStep[];
  readonly phases: PhaseRecord[];
  /** The outage as it really happened (Date.now()), once it has started / ended. */
  outage(): { startedAt: number | undefined; endedAt: number | undefined };
  /** Removes every fault and the added latency. */
  clear(): void;
}

/** The planned outage window as offsets, so tests and summaries can name it. */
export function outageWindowMs(t: SoakTiming): { startMs: number; endMs: number } {
  const scale = t.durationMs / 60_000;
  const startMs = Math.round(22_000 * scale);
  // Outlast the limit by a few seconds: 503s start at most maxStale after the outage starts.
  const endMs = startMs + t.maxStaleSeconds * 1000 + Math.max(4000, Math.round(4000 * scale));
  return { startMs, endMs };
}

export function buildFaultSchedule(
  fake: AwsFake,
  fleet: FleetModel,
  t: SoakTiming,
  now: () => number = Date.now,
): FaultSchedule {
  const scale = t.durationMs / 60_000;
  const at = (s: number) => Math.round(s * 1000 * scale);
  const phases: PhaseRecord[] = [];
  let undo: (() => void)[] = [];
  let outageStartedAt: number | undefined;
  let outageEndedAt: number | undefined;

  const endPhase = () => {
    for (const u of undo) u();
    undo = [];
    fake.setLatency(0);
    const last = phases[phases.length - 1];
    if (last !== undefined && last.endedAt === undefined) last.endedAt = now();
  };
  const phase = (kind: PhaseKind, label: string, install: () => void) => () => {
    endPhase();
    install();
    phases.push({ kind, label, startedAt: now(), endedAt: undefined });
  };
  const change = (c: FleetChange) => () => void fleet.apply(c);

  const { startMs: outageStart, endMs: outageEnd } = outageWindowMs(t);
  const hangFrom = Math.round((outageStart + outageEnd) / 2);

  const steps: ScheduledStep[] = [
    {
      atMs: at(4),
      label: 'fleet: +6 us-east-1',
      run: change({ label: '+6 us-east-1', add: { 'us-east-1': 6 } }),
    },
    {
      atMs: at(8),
      label: 'throttling burst: 10 % TooManyRequests, 3 % ThrottlingException',
      run: phase('throttling', 'throttling burst', () => {
        undo.push(
          fake.addFault({
            probability: 0.03,
            fault: { kind: 'throttle', type: 'ThrottlingException' },
          }),
          fake.addFault({ probability: 0.1, fault: { kind: 'throttle' } }),
        );
      }),
    },
    {
      atMs: at(10),
      label: 'fleet: -4 eu-west-1',
      run: change({ label: '-4 eu-west-1', remove: { 'eu-west-1': 4 } }),
    },
    {
      atMs: at(12),
      label: '5xx: 10 % ServerException 500, 8 % ServiceUnavailable 503, 2 % dropped connections',
      run: phase('5xx', '5xx burst', () => {
        undo.push(
          fake.addFault({
            probability: 0.1,
            fault: { kind: 'error', status: 500, type: 'ServerException', message: 'internal' },
          }),
          fake.addFault({
            probability: 0.08,
            fault: {
              kind: 'error',
              status: 503,
              type: 'ServiceUnavailableException',
              message: 'unavailable',
            },
          }),
          fake.addFault({ probability: 0.02, fault: { kind: 'destroy' } }),
        );
      }),
    },
    {
      atMs: at(15),
      label: 'AccessDenied for eu-west-1 (every call)',
      run: phase('access-denied', 'AccessDenied eu-west-1', () => {
        undo.push(
          fake.addFault({
            match: { region: 'eu-west-1' },
            fault: {
              kind: 'error',
              status: 403,
              type: 'AccessDeniedException',
              message:
                'User: arn:aws:iam::111111111111:user/discovery is not authorized to perform: eks:ListClusters',
            },
          }),
        );
      }),
    },
    {
      atMs: at(16),
      label: 'fleet: +5 eu-west-1 (hidden by AccessDenied), -3 us-west-2',
      run: change({
        label: '+5 eu-west-1, -3 us-west-2',
        add: { 'eu-west-1': 5 },
        remove: { 'us-west-2': 3 },
      }),
    },
    {
      atMs: at(19),
      label: 'slow responses: +150 ms per call',
      run: phase('slow', 'slow responses', () => fake.setLatency(150)),
    },
    {
      atMs: outageStart,
      label: 'outage: every EKS call 503 ServiceUnavailable',
      run: phase('outage', 'full outage (503s)', () => {
        outageStartedAt = now();
        undo.push(
          fake.addFault({
            fault: {
              kind: 'error',
              status: 503,
              type: 'ServiceUnavailableException',
              message: 'unavailable',
            },
          }),
        );
      }),
    },
    {
      atMs: outageStart + at(6),
      label: 'fleet: -6 us-east-1, +4 us-west-2 (during the outage)',
      run: change({
        label: '-6 us-east-1, +4 us-west-2',
        remove: { 'us-east-1': 6 },
        add: { 'us-west-2': 4 },
      }),
    },
    {
      atMs: hangFrom,
      label: 'outage continues: every EKS call hangs',
      run: phase('outage', 'full outage (hangs)', () => {
        undo.push(fake.addFault({ fault: { kind: 'hang' } }));
      }),
    },
    {
      atMs: outageEnd,
      label: 'recovery: faults cleared',
      run: phase('recovery', 'recovery', () => {
        fake.clearFaults();
        outageEndedAt = now();
      }),
    },
    {
      atMs: outageEnd + at(3),
      label: 'fleet: +3 eu-west-1, -2 us-east-1',
      run: change({
        label: '+3 eu-west-1, -2 us-east-1',
        add: { 'eu-west-1': 3 },
        remove: { 'us-east-1': 2 },
      }),
    },
  ];
  phases.push({
    kind: 'clean',
    label: 'warm-up (no faults)',
    startedAt: now(),
    endedAt: undefined,
  });

  return {
    steps: steps.sort((a, b) => a.atMs - b.atMs),
    phases,
    outage: () => ({ startedAt: outageStartedAt, endedAt: outageEndedAt }),
    clear() {
      endPhase();
      fake.clearFaults();
      // A short run can end inside the outage: it ends here, and recovery is awaited after the load.
      if (outageStartedAt !== undefined && outageEndedAt === undefined) outageEndedAt = now();
    },
  };
}

/**
 * The rehearsal before the measured soak: the same fault cycle compressed to half the time (each fault phase
 * half as long) except the outage, which still outlasts the same staleness limit (the service's
 * EKS_MAX_STALE_SECONDS is fixed for its life), so the service meets every phase once, the designed 503s and
 * the recovery included, before the RSS baseline is taken. `loadMs` runs the load until a few refreshes after
 * the last fleet change.
 */
export function rehearsalTiming(t: SoakTiming): SoakTiming & { readonly loadMs: number } {
  const compressed: SoakTiming = { ...t, durationMs: Math.round(t.durationMs / 2) };
  const lastChangeMs =
    outageWindowMs(compressed).endMs + Math.round((3000 * t.durationMs) / 120_000);
  return { ...compressed, loadMs: lastChangeMs + 2 * t.refreshSeconds * 1000 };
}
