// One delivery run of the alarm, the imperative half of webhooks: reads the log and cursors,
// asks the pure planner (src/webhooks/cursor.ts) what to do, does it, and commits what
// happened. The read view (delivery-view.ts) and requeueing (outbox.ts) live apart.
import type { Config, Subscriber } from "../config";
import { log } from "../lib/log";
import { snapshot as toSnapshot } from "../presence";
import type { AccountId, AppId } from "../presence/types";
import { nextAttemptAt, MAX_ATTEMPTS } from "./backoff";
import {
  afterDelivered,
  afterFailed,
  caughtUp,
  lowestNeeded,
  planNext,
  startCursor,
  type SubscriberCursor,
} from "./cursor";
import { eventBody, eventsFor, positionOf, seqOfPosition, type LogEntry, type LogEvent } from "./events";
import { attemptDelivery } from "./send";
import { messageId } from "./signing";
import {
  deleteDeadLetter,
  putDeadLetter,
  readCursors,
  readLog,
  requeuedFor,
  trimSpill,
  writeCursors,
  type Cursors,
  type StoredLog,
} from "./outbound-store";
import type { Sql } from "../lib/sql";

/**
 * Attempts per alarm run, over all subscribers: each is a subrequest, and the Free plan allows
 * 50 per invocation. When the budget runs out the alarm comes back at once for the rest.
 */
export const MAX_SENDS_PER_RUN = 40;

export interface User {
  readonly app: AppId;
  readonly account: AccountId;
  /** The newest seq when the pass started. */
  readonly seq: number;
}

/** The position of the first change whose audience held this subscriber, if any is stored. */
export function firstWanted(entries: readonly LogEntry[], subscriber: string): number | null {
  const entry = entries.find((e) => e.audience.includes(subscriber));
  return entry === undefined ? null : positionOf(entry.seq, 0);
}

/** The lowest seq any configured subscriber still needs, or null when none is behind. */
export function neededFrom(cursors: Cursors | null, subscribers: readonly Subscriber[]): number | null {
  let lowest: number | null = null;
  for (const s of subscribers) {
    const c = cursors?.[s.id];
    if (c !== undefined) lowest = Math.min(lowest ?? Infinity, seqOfPosition(lowestNeeded(c)));
  }
  return lowest;
}

export class DeliveryRun {
  constructor(
    private readonly sql: Sql,
    private readonly config: Config,
    private readonly storage: DurableObjectStorage,
    private readonly committed: (cursors: Cursors) => void,
  ) {}

  /** True while the user's storage is the one this pass started with (not erased since). */
  private alive: () => boolean = () => true;
  /** Attempts left in this run. */
  private budget = MAX_SENDS_PER_RUN;

  /**
   * Attempts every due delivery. Returns when the next one is due, or null when nothing is
   * pending (dead letters are not pending).
   */
  async run(user: User, committed: Cursors | null, alive: () => boolean): Promise<number | null> {
    this.alive = alive;
    this.budget = MAX_SENDS_PER_RUN;
    const subscribers = this.config.subscribers;
    const end = positionOf(user.seq + 1, 0);
    // A subscriber without a cursor starts at the first change it wanted when that was written
    // (the history row's audience), so nothing older is replayed to a newly configured one.
    const cursorless = subscribers.some((s) => committed?.[s.id] === undefined);
    const from = cursorless ? 0 : (neededFrom(committed, subscribers) ?? user.seq + 1);
    const stored = readLog(this.sql, from);
    const working = new Map<string, SubscriberCursor>(
      subscribers.map((s) => [s.id, committed?.[s.id] ?? startCursor(firstWanted(stored.entries, s.id) ?? end)]),
    );
    const touched = new Set<string>();

    /** Writes the touched cursors (and `also`, in the same transaction). */
    const commit = (also?: () => void): void => {
      if (!this.alive() || (touched.size === 0 && also === undefined)) return;
      // Start from what is committed now: an ingest may have added a subscriber meanwhile.
      const latest: Record<string, SubscriberCursor> = { ...(readCursors(this.sql) ?? {}) };
      for (const id of touched) latest[id] = working.get(id)!;
      for (const id of Object.keys(latest)) if (!subscribers.some((s) => s.id === id)) delete latest[id];
      this.storage.transactionSync(() => {
        also?.();
        writeCursors(this.sql, latest);
        const needed = neededFrom(latest, subscribers);
        if (needed !== null) trimSpill(this.sql, needed);
      });
      touched.clear();
      this.committed(latest);
    };

    // Every subscriber's loop settles before the commit, so nothing delivered goes unrecorded.
    const settled = await Promise.allSettled(
      subscribers.map((s) => this.runSubscriber(user, s, stored, working, touched, end, commit)),
    );
    commit();
    const failure = settled.find((r) => r.status === "rejected");
    if (failure !== undefined) throw failure.reason;
    const wakes = settled.map((r) => (r.status === "fulfilled" ? r.value : null));
    const requeued = await Promise.all(subscribers.map((s) => this.runRequeued(s)));
    const all = [...wakes, ...requeued].filter((w): w is number => w !== null);
    return all.length === 0 ? null : Math.min(...all);
  }

  private async runSubscriber(
    user: User,
    subscriber: Subscriber,
    stored: StoredLog,
    working: Map<string, SubscriberCursor>,
    touched: Set<string>,
    end: number,
    commit: (also?: () => void) => void,
  ): Promise<number | null> {
    const events = eventsFor(stored.entries, subscriber.events);
    const set = (c: SubscriberCursor) => {
      if (JSON.stringify(c) === JSON.stringify(working.get(subscriber.id))) return;
      working.set(subscriber.id, c);
      touched.add(subscriber.id);
    };
    for (;;) {
      if (!this.alive()) return null;
      const cursor = working.get(subscriber.id)!;
      const now = Date.now();
      const step = planNext(cursor, events, now, this.config.offlineGraceMs);
      if (step.kind === "idle") {
        set(caughtUp(cursor, end));
        return null;
      }
      if (step.kind === "wait") return step.until;
      if (step.kind === "suppress") {
        set(step.cursor);
        continue;
      }
      if (this.budget <= 0) return now;
      this.budget--;
      const { event, attempt } = step;
      const { body, id } = await this.message(user, stored, event);
      const result = await attemptDelivery(subscriber, id, body);
      if (!this.alive()) return null;
      if (result.ok) {
        set(afterDelivered(working.get(subscriber.id)!, event));
        continue;
      }
      const failed = afterFailed(working.get(subscriber.id)!, event, attempt, Date.now(), result, Math.random());
      set(failed.cursor);
      log({ msg: "webhook attempt failed", subscriber: subscriber.id, seq: event.seq, attempt, error: result.error });
      if (failed.dead !== null) {
        // The dead letter keeps the body: the history slot it came from may be reused.
        const dead = failed.dead;
        commit(() =>
          putDeadLetter(this.sql, {
            subscriber: subscriber.id,
            position: event.position,
            id,
            type: event.effect.kind,
            seq: event.seq,
            state: "dead",
            attempts: dead.attempts,
            nextAt: dead.nextAt,
            lastError: dead.lastError,
            body,
          }),
        );
        log({ msg: "webhook dead-lettered", subscriber: subscriber.id, seq: event.seq, error: dead.lastError });
      }
    }
  }

  private async message(user: User, stored: StoredLog, event: LogEvent): Promise<{ body: string; id: string }> {
    const state = stored.states.get(event.seq);
    if (state === undefined) throw new Error(`no stored state for seq ${event.seq}`);
    const body = eventBody(event, toSnapshot(user.app, user.account, state));
    return { body, id: await messageId(user.app, user.account, event.position, event.receivedAt) };
  }

  /** Requeued dead letters: in order per subscriber, apart from (and not holding) the live queue. */
  private async runRequeued(subscriber: Subscriber): Promise<number | null> {
    for (;;) {
      if (!this.alive()) return null;
      const next = requeuedFor(this.sql, subscriber.id)[0];
      if (next === undefined) return null;
      const now = Date.now();
      if (next.nextAt > now) return next.nextAt;
      if (this.budget <= 0) return now;
      this.budget--;
      const result = await attemptDelivery(subscriber, next.id, next.body);
      if (!this.alive()) return null;
      if (result.ok) {
        deleteDeadLetter(this.sql, subscriber.id, next.position);
        continue;
      }
      const attempts = next.attempts + 1;
      const at =
        result.gone || attempts >= MAX_ATTEMPTS
          ? null
          : nextAttemptAt(attempts, Date.now(), Math.random(), result.retryAfterMs);
      putDeadLetter(this.sql, {
        ...next,
        state: at === null ? "dead" : "requeued",
        attempts,
        nextAt: at ?? Date.now(),
        lastError: result.error,
      });
    }
  }
}
