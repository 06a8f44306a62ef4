// Per-subscriber delivery cursor over the user's log, and the planner that decides what to
// send next. Pure: the Durable Object loads the log, asks `planNext`, performs the step, and
// folds the result back with `afterDelivered` / `afterFailed`.
//
// Order: per subscriber, events go out in log position order (seq, then effect index). An
// event waits for every earlier event, including one that is being retried. The one
// exception is the grace period: a user-level drop held by OFFLINE_GRACE_SECONDS (and any
// user-level change queued behind it) does not hold back device-level events.
import { nextAttemptAt } from "./backoff";
import type { LogEvent } from "./events";
import { graceVerdict } from "./grace";

export interface RetryState {
  /** Attempts made so far. */
  readonly attempts: number;
  readonly nextAt: number;
  readonly lastError: string;
}

export interface SubscriberCursor {
  /** Every event other than user.status_changed before this position is done. */
  readonly next: number;
  /** Every user.status_changed before this position is done (sent, suppressed or dead). */
  readonly userNext: number;
  /** Events attempted and not yet done, by position. */
  readonly retries: Readonly<Record<string, RetryState>>;
}

export const startCursor = (position: number): SubscriberCursor => ({
  next: position,
  userNext: position,
  retries: {},
});

/** The lowest log position a cursor still needs. */
export const lowestNeeded = (c: SubscriberCursor): number => Math.min(c.next, c.userNext);

export type Step =
  | { readonly kind: "send"; readonly event: LogEvent; /** 1-based */ readonly attempt: number }
  | { readonly kind: "suppress"; readonly cursor: SubscriberCursor }
  | { readonly kind: "wait"; readonly until: number }
  | { readonly kind: "idle" };

const isUser = (e: LogEvent) => e.effect.kind === "user.status_changed";

function sendOrWait(cursor: SubscriberCursor, event: LogEvent, now: number): Step {
  const retry = cursor.retries[event.position];
  if (retry !== undefined && retry.nextAt > now) return { kind: "wait", until: retry.nextAt };
  return { kind: "send", event, attempt: (retry?.attempts ?? 0) + 1 };
}

/** @param events the subscriber's events (already filtered), in position order */
export function planNext(cursor: SubscriberCursor, events: readonly LogEvent[], now: number, graceMs: number): Step {
  const user = events.find((e) => isUser(e) && e.position >= cursor.userNext);
  const other = events.find((e) => !isUser(e) && e.position >= cursor.next);
  let heldUntil: number | null = null;
  if (user !== undefined && (other === undefined || user.position < other.position)) {
    const later = events.filter((e) => isUser(e) && e.position > user.position);
    const verdict = graceVerdict(user, later, now, graceMs);
    if (verdict.kind === "suppressed") {
      return { kind: "suppress", cursor: withoutRetry({ ...cursor, userNext: verdict.through + 1 }, user.position) };
    }
    if (verdict.kind === "due") return sendOrWait(cursor, user, now);
    heldUntil = verdict.until;
  }
  if (other !== undefined) {
    const step = sendOrWait(cursor, other, now);
    if (step.kind === "wait" && heldUntil !== null) return { kind: "wait", until: Math.min(step.until, heldUntil) };
    return step;
  }
  return heldUntil === null ? { kind: "idle" } : { kind: "wait", until: heldUntil };
}

function withoutRetry(cursor: SubscriberCursor, position: number): SubscriberCursor {
  if (!(position in cursor.retries)) return cursor;
  const retries = { ...cursor.retries };
  delete retries[position];
  return { ...cursor, retries };
}

/** The event is done (delivered, or dead-lettered): its queue moves past it. */
export function afterDelivered(cursor: SubscriberCursor, event: LogEvent): SubscriberCursor {
  const moved = isUser(event)
    ? { ...cursor, userNext: Math.max(cursor.userNext, event.position + 1) }
    : { ...cursor, next: Math.max(cursor.next, event.position + 1) };
  return withoutRetry(moved, event.position);
}

export interface Failure {
  /** The subscriber answered 410 Gone: stop this delivery now. */
  readonly gone: boolean;
  readonly error: string;
  readonly retryAfterMs: number | null;
}

export interface FailureOutcome {
  readonly cursor: SubscriberCursor;
  /** Set when the delivery is dead-lettered; the queue then moves on past it. */
  readonly dead: RetryState | null;
}

export function afterFailed(
  cursor: SubscriberCursor,
  event: LogEvent,
  attempt: number,
  now: number,
  failure: Failure,
  jitter: number,
): FailureOutcome {
  const at = failure.gone ? null : nextAttemptAt(attempt, now, jitter, failure.retryAfterMs);
  if (at === null) {
    return {
      cursor: afterDelivered(cursor, event),
      dead: { attempts: attempt, nextAt: now, lastError: failure.error },
    };
  }
  const retries = { ...cursor.retries, [event.position]: { attempts: attempt, nextAt: at, lastError: failure.error } };
  return { cursor: { ...cursor, retries }, dead: null };
}

/** Nothing left in the log: both queues move to `end`, so later reads start there. */
export function caughtUp(cursor: SubscriberCursor, end: number): SubscriberCursor {
  return { next: Math.max(cursor.next, end), userNext: Math.max(cursor.userNext, end), retries: {} };
}

export interface PendingEvent {
  readonly event: LogEvent;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
}

/** Every event still to be delivered to this subscriber (grace-suppressed ones excluded). */
export function pendingEvents(
  cursor: SubscriberCursor,
  events: readonly LogEvent[],
  now: number,
  graceMs: number,
): PendingEvent[] {
  const out: PendingEvent[] = [];
  const userEvents = events.filter((e) => isUser(e) && e.position >= cursor.userNext);
  let heldUntil: number | null = null;
  for (let i = 0; i < userEvents.length; i++) {
    const event = userEvents[i]!;
    const verdict = graceVerdict(event, userEvents.slice(i + 1), now, graceMs);
    if (verdict.kind === "suppressed") {
      while (i < userEvents.length && userEvents[i]!.position !== verdict.through) i++;
      continue;
    }
    if (verdict.kind === "held") heldUntil = Math.max(heldUntil ?? 0, verdict.until);
    out.push(view(cursor, event, heldUntil ?? now));
  }
  for (const event of events) {
    if (!isUser(event) && event.position >= cursor.next) out.push(view(cursor, event, now));
  }
  return out.sort((a, b) => a.event.position - b.event.position);
}

function view(cursor: SubscriberCursor, event: LogEvent, dueAt: number): PendingEvent {
  const retry = cursor.retries[event.position];
  return {
    event,
    attempts: retry?.attempts ?? 0,
    nextAttemptAt: retry?.nextAt ?? dueAt,
    lastError: retry?.lastError ?? null,
  };
}
