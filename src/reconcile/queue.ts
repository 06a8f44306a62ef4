// The reconciler's queue of accounts to verify: in memory only. Rows written are the bill,
// and a queue lost with an evicted reconciler is re-filled by the users' own alarms (each
// asks again an interval later), so nothing here is stored.
//
// The failure backoff lives here and holds whatever asks (SPEC §7): a user's own alarm that
// asks while its account waits for a retry does not bring the retry forward (with an interval
// shorter than the backoff it would ask every interval); it is told when the retry is due, and
// waits for it. Only the on-demand endpoint goes at once, and it takes the account out.
import type { AccountId, EpochMs } from "../presence/types";

export interface Pending {
  readonly account: AccountId;
  /** Failed attempts so far (0 for a first try). */
  readonly failures: number;
}

/** An account held for a retry after a failed verification, and when the retry is due. */
export interface WaitingRetry {
  readonly account: AccountId;
  readonly retryAt: EpochMs;
}

export class VerificationQueue {
  /** Due now, in arrival order: account → [failures, since when it is due]. Held once. */
  private readonly ready = new Map<AccountId, readonly [number, EpochMs]>();
  /** Waiting for a retry: account → [due time, failures]. */
  private readonly waiting = new Map<AccountId, readonly [EpochMs, number]>();

  get size(): number {
    return this.ready.size + this.waiting.size;
  }

  /** Accounts due now. */
  get readyCount(): number {
    return this.ready.size;
  }

  /**
   * Adds an account due now; one already queued keeps its place. One waiting for a retry keeps
   * waiting: the answer is when its retry is due (null when the account is queued now).
   */
  add(account: AccountId, now: EpochMs): EpochMs | null {
    if (this.ready.has(account)) return null;
    const waiting = this.waiting.get(account);
    if (waiting !== undefined && waiting[0] > now) return waiting[0];
    this.waiting.delete(account);
    this.ready.set(account, [waiting?.[1] ?? 0, now]);
    return null;
  }

  /**
   * Holds an account until `dueAt` (a retry after `failures` failures), also one asked for again
   * while its call was going: the backoff holds whatever asks.
   */
  retryAt(account: AccountId, dueAt: EpochMs, failures: number): void {
    this.ready.delete(account);
    this.waiting.set(account, [dueAt, failures]);
  }

  /** Takes an account out (the on-demand endpoint asks about it now): its failures so far. */
  remove(account: AccountId): number {
    const failures = this.waiting.get(account)?.[1] ?? this.ready.get(account)?.[0] ?? 0;
    this.waiting.delete(account);
    this.ready.delete(account);
    return failures;
  }

  /** Removes and returns up to `max` accounts due at `now`, oldest first. */
  take(now: EpochMs, max: number): Pending[] {
    this.promote(now);
    const taken: Pending[] = [];
    for (const [account, [failures]] of this.ready) {
      if (taken.length >= max) break;
      taken.push({ account, failures });
      this.ready.delete(account);
    }
    return taken;
  }

  /** A waiting retry: when it is due and after how many failures (for the stats and tests). */
  retryOf(account: AccountId): { readonly dueAt: EpochMs; readonly failures: number } | undefined {
    const waiting = this.waiting.get(account);
    return waiting === undefined ? undefined : { dueAt: waiting[0], failures: waiting[1] };
  }

  /** Moves the retries due at `now` to the ready accounts. */
  promote(now: EpochMs): void {
    for (const [account, [dueAt, failures]] of this.waiting) {
      if (dueAt <= now) {
        this.waiting.delete(account);
        this.ready.set(account, [failures, dueAt]);
      }
    }
  }

  /** Since when the oldest ready account has been waiting, or null when none is ready. */
  oldestReadyAt(): EpochMs | null {
    for (const [, [, since]] of this.ready) return since;
    return null;
  }

  /** When the next account is due: its time if one is ready, else the earliest retry, else null. */
  nextDueAt(now: EpochMs): EpochMs | null {
    if (this.ready.size > 0) return Math.min(now, this.oldestReadyAt() ?? now);
    let earliest: EpochMs | null = null;
    for (const [dueAt] of this.waiting.values()) if (earliest === null || dueAt < earliest) earliest = dueAt;
    return earliest;
  }
}
