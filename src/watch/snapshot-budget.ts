// A connection's budget of snapshot reads (docs/WATCH.md, "Snapshot budget"): every account of
// a `subscribe` is one read of a user's object, and re-subscribing is how a client recovers
// from a gap, so it stays allowed, but not without limit: a token bucket of SNAPSHOT_BUDGET
// reads, refilled at SNAPSHOT_BUDGET a minute. A fresh connection can subscribe 1 000 accounts
// and resynchronise all of them twice at once; past the budget, a subscribe is refused whole
// (rate_limited) until enough has come back. Pure: the hub keeps the bucket in its socket's
// attachment, so it survives hibernation and going idle does not refill it faster.

/** Snapshot reads a connection may make at once, and again every minute. */
export const SNAPSHOT_BUDGET = 3000;
const PER_MS = SNAPSHOT_BUDGET / 60_000;

export interface Budget {
  /** Reads left at `at` (fractions accrue between reads). */
  readonly left: number;
  /** Unix milliseconds of that count. */
  readonly at: number;
}

export const fullBudget = (now: number): Budget => ({ left: SNAPSHOT_BUDGET, at: now });

export type Spent =
  | { readonly ok: true; readonly budget: Budget }
  | { readonly ok: false; readonly left: number; readonly retryInMs: number };

/** Takes `reads` from the bucket, or none when it holds fewer (reads ≤ SNAPSHOT_BUDGET). */
export function spend(budget: Budget, reads: number, now: number): Spent {
  // A clock that steps back refills nothing.
  const at = Math.max(now, budget.at);
  const left = Math.min(SNAPSHOT_BUDGET, budget.left + (at - budget.at) * PER_MS);
  if (reads <= left) return { ok: true, budget: { left: left - reads, at } };
  return { ok: false, left: Math.floor(left), retryInMs: Math.ceil((reads - left) / PER_MS) };
}
