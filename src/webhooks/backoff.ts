// The retry schedule: a pure function of the attempt number and a jitter input in [0, 1).

/** Wait after failed attempt n (1-based) before attempt n + 1: the schedule in docs/WEBHOOKS.md. */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000, // attempt 2
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000, // attempt 8
];
/** The first attempt is immediate; after the last one fails the delivery is dead-lettered. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Jitter only ever lengthens a wait (up to +10 %), so the schedule is a lower bound. */
export const JITTER = 0.1;
/** A Retry-After longer than this is not honoured beyond it. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
export const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * When attempt `failedAttempt + 1` may run, or null when `failedAttempt` was the last.
 * `retryAfterMs` (from a Retry-After header) is honoured as a lower bound.
 */
export function nextAttemptAt(
  failedAttempt: number,
  now: number,
  jitter: number,
  retryAfterMs: number | null = null,
): number | null {
  const base = RETRY_DELAYS_MS[failedAttempt - 1];
  if (base === undefined) return null;
  const jittered = Math.round(base * (1 + JITTER * Math.min(Math.max(jitter, 0), 1)));
  return now + Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
