// What GET /v1/apps/{app}/reconcile reports. One row in the reconciler's storage, written
// at most once per run.
import type { EpochMs } from "../presence/types";

export interface ReconcileError {
  readonly at: EpochMs;
  /** Words, never the key or the UserSig. */
  readonly message: string;
  /** Tencent's ErrorCode when it sent one (e.g. 70009: the secret key does not match). */
  readonly errorCode: number | null;
}

export interface ReconcileStats {
  /** REST calls made to Tencent. */
  readonly calls: number;
  /** Accounts Tencent answered for. */
  readonly accountsVerified: number;
  /** Users whose shown state an answer changed. */
  readonly corrections: number;
  /** Failed calls, plus answers a user object could not take. */
  readonly errors: number;
  readonly lastError: ReconcileError | null;
  /** Start of the last run that made a call. */
  readonly lastRunAt: EpochMs | null;
  /** When Tencent last answered a call with OK. */
  readonly lastOkAt: EpochMs | null;
}

export const EMPTY_STATS: ReconcileStats = {
  calls: 0,
  accountsVerified: 0,
  corrections: 0,
  errors: 0,
  lastError: null,
  lastRunAt: null,
  lastOkAt: null,
};

/** One failure within a call: the call itself, accounts Tencent left unanswered, or answers a user object refused. */
export interface CallFailure {
  /** Words, never the key or the UserSig. */
  readonly message: string;
  readonly errorCode: number | null;
  /** How many accounts it held back (they are retried). */
  readonly accounts: number;
}

/** What one REST call and the delivery of its answers came to: the stats' one input. */
export type CallReport =
  | { readonly at: EpochMs; readonly ok: false; readonly failure: CallFailure }
  | {
      readonly at: EpochMs;
      readonly ok: true;
      /** Accounts Tencent answered for. */
      readonly verified: number;
      /** Users whose shown state the answers changed. */
      readonly corrections: number;
      /** Unanswered accounts, then refused answers, in that order. */
      readonly failures: readonly CallFailure[];
    };

/** The failures of a call, in the order they are recorded (the last one is `lastError`). */
export const failuresOf = (report: CallReport): readonly CallFailure[] =>
  report.ok ? report.failures : [report.failure];

/** The stats after one call: pure, so the reconciler's I/O never does arithmetic on them. */
export function recordCall(stats: ReconcileStats, report: CallReport): ReconcileStats {
  let next: ReconcileStats = { ...stats, calls: stats.calls + 1, lastRunAt: report.at };
  if (report.ok) {
    next = {
      ...next,
      lastOkAt: report.at,
      accountsVerified: next.accountsVerified + report.verified,
      corrections: next.corrections + report.corrections,
    };
  }
  for (const f of failuresOf(report)) {
    next = {
      ...next,
      errors: next.errors + 1,
      lastError: { at: report.at, message: f.message, errorCode: f.errorCode },
    };
  }
  return next;
}

/**
 * ErrorCodes that mean the configuration is wrong (the key, the admin or the app), not that
 * Tencent had a bad moment: they show on /healthz. From Tencent's REST error table
 * (cloud.tencent.com/document/product/679/131708).
 */
export const CONFIGURATION_ERROR_CODES: ReadonlySet<number> = new Set([
  60004, 60010, 60012, 70001, 70003, 70009, 70013, 70014, 70020,
]);

/** The last call failed for a reason of configuration, and none has succeeded since. */
export function misconfigured(stats: ReconcileStats): boolean {
  const error = stats.lastError;
  if (error === null || error.errorCode === null || !CONFIGURATION_ERROR_CODES.has(error.errorCode)) return false;
  return stats.lastOkAt === null || stats.lastOkAt < error.at;
}
