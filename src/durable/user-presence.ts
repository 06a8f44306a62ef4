// One Durable Object per IM user (`<SDKAppID>:<UserID>`): a thin shell around the pure
// reducer. It loads the state once, applies each callback, and commits the state row and
// the history entry (and, with webhook subscribers, the state the webhooks will carry) in one
// transaction before it answers, so an acknowledged callback is always stored and a failed
// one leaves nothing behind.
//
// Many deadlines, one alarm: the alarm is set to the earliest of the next due delivery, the
// next grace-period deadline and the retention deadline; each run does what is due and sets
// it again.
import { DurableObject } from "cloudflare:workers";
import { loadConfig, type Config } from "../config";
import { log } from "../lib/log";
import { applyCallback, applyObservation } from "../presence/observation";
import { EMPTY_STATE, userStatus } from "../presence/reducer";
import { nextCheckAt } from "../reconcile/deadline";
import { reconcileEntry } from "../reconcile/entry";
import { toSnapshot } from "../presence/snapshot";
import type { AccountId, AppId, Effect, Observation, Outcome, PresenceEvent, PresenceState } from "../presence/types";
import { startCursor } from "../webhooks/cursor";
import { positionOf, wants } from "../webhooks/events";
import { Dispatcher, neededFrom, type DeliveryView } from "./dispatcher";
import { historyHead, readHistory, trimHistory, writeHistory, type HistoryEntry } from "./history-store";
import { readCursors, spillBeforeTrim, spillSlot, writeCursors, type Cursors } from "./outbound-store";
import { createTables, migrateToWebhooks, tablesExist, webhookTablesExist } from "./schema";
import { sqlOf, type Sql } from "./sql";
import { readState, writeState } from "./state-store";

export interface IngestResult {
  readonly outcome: Outcome;
  readonly seq: number;
  readonly version: number;
}

export type { DeliveryView };

/** When a failed alarm run comes back at the latest. */
const ALARM_FALLBACK_MS = 10_000;

interface Loaded {
  app: AppId;
  account: AccountId;
  state: PresenceState;
  seq: number;
  /** Receive time of the newest callback (applied, duplicate or stale): the user's last activity. */
  lastActivity: number;
}

export class UserPresence extends DurableObject<Env> {
  private readonly sql: Sql;
  private readonly config: Config;
  private readonly dispatcher: Dispatcher;
  /** In-memory copy of what storage holds; null until first needed, or when nothing is stored. */
  private loaded: Loaded | null = null;
  /** Committed webhook cursors; undefined until first read. */
  private cursors: Cursors | null | undefined = undefined;
  /** The scheduled alarm as far as this instance knows; undefined until read from storage. */
  private alarmAt: number | null | undefined = undefined;
  private webhookSchema = false;
  /** Bumped by erase(): work that started before it must not write afterwards. */
  private epoch = 0;
  private alarms: Promise<void> = Promise.resolve();
  private alarmsSet = 0;
  private snapshotText: { state: PresenceState; json: string } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = sqlOf(ctx.storage.sql);
    this.config = loadConfig(env);
    this.dispatcher = new Dispatcher(this.sql, this.config, ctx.storage, (cursors) => (this.cursors = cursors));
  }

  /** Applies one validated callback and returns once it is durably stored. */
  async ingest(app: AppId, account: AccountId, event: PresenceEvent): Promise<IngestResult> {
    // Read before the synchronous part, so the commit and the alarm below are one batch of
    // writes; only webhooks, retention and reconcile use the alarm, so without them there is nothing to read.
    const alarmAt = this.usesAlarm(app) ? await this.scheduledAlarm() : null;
    const current = this.load();
    const reduction = applyCallback(current?.state ?? EMPTY_STATE, event);
    const seq = this.commit(app, account, current, event, reduction.state, reduction.outcome, reduction.effects);
    this.loaded = { ...this.loaded!, lastActivity: Math.max(current?.lastActivity ?? 0, event.receivedAt) };
    this.wake(app, alarmAt, reduction.effects, event.receivedAt);
    return { outcome: reduction.outcome, seq, version: reduction.state.version };
  }

  /**
   * Tencent's answer about this user, observed at Q (see reconcile/). A correction is one
   * history entry ("Reconcile") committed like a callback; a confirmation writes nothing.
   */
  async applyObservation(
    app: AppId,
    account: AccountId,
    observation: Observation,
  ): Promise<{ corrected: boolean; snapshot: string }> {
    const alarmAt = this.usesAlarm(app) ? await this.scheduledAlarm() : null;
    const current = this.load();
    const result = applyObservation(current?.state ?? EMPTY_STATE, observation);
    if (!result.changed) {
      // Kept in memory only: written with the next change (zero rows for a confirmation).
      if (current !== null) this.loaded = { ...current, state: result.state };
      return { corrected: false, snapshot: this.snapshotJson(app, account) };
    }
    const now = Date.now();
    const entry = reconcileEntry(observation, result.effects, now);
    this.commit(app, account, current, entry, result.state, "applied", result.effects);
    this.loaded = { ...this.loaded!, lastActivity: current?.lastActivity ?? 0 };
    log({ msg: "reconcile correction", app, effects: result.effects.length });
    this.wake(app, alarmAt, result.effects, now);
    return { corrected: true, snapshot: this.snapshotJson(app, account) };
  }

  /** One transaction: the history entry, the state (if applied) and what webhooks need. */
  private commit(
    app: AppId,
    account: AccountId,
    current: Loaded | null,
    event: PresenceEvent,
    state: PresenceState,
    outcome: Outcome,
    effects: readonly Effect[],
  ): number {
    const subscribers = this.config.subscribers;
    if (current !== null && subscribers.length > 0) this.ensureWebhookSchema();
    const seq = (current?.seq ?? 0) + 1;
    // Duplicates and stale callbacks have no effects, so they never reach a subscriber.
    const audience = subscribers.filter((s) => effects.some((e) => wants(s.events, e.kind)));
    const cursors = subscribers.length > 0 && current !== null ? this.readCursorsOnce() : null;
    const added = this.cursorsFor(cursors, audience, seq);
    const needed = neededFrom(cursors, subscribers);
    const limit = this.config.historyLimit;

    this.ctx.storage.transactionSync(() => {
      if (current === null) createTables(this.sql, subscribers.length > 0);
      if (needed !== null && needed < seq) spillSlot(this.sql, seq % limit, needed);
      const kept = audience.length > 0 ? state : null;
      writeHistory(this.sql, limit, seq, event, outcome, userStatus(state.platforms), effects, kept);
      if (outcome === "applied") writeState(this.sql, { app, account, state });
      if (added !== null) writeCursors(this.sql, added);
    });
    // Memory follows storage only after the commit: a failed transaction changes nothing.
    this.loaded = { app, account, state, seq, lastActivity: current?.lastActivity ?? 0 };
    if (current === null) this.webhookSchema = subscribers.length > 0;
    if (added !== null) this.cursors = added;
    this.lastEffects = audience.length > 0;
    return seq;
  }

  private lastEffects = false;

  /** Sets the one alarm to the earliest of what is due: deliveries, retention, staleness. */
  private wake(app: AppId, alarmAt: number | null, _effects: readonly Effect[], activityAt: number): void {
    const subscribers = this.config.subscribers;
    const now = Date.now();
    let wake: number | null = null;
    if (this.lastEffects && subscribers.some((s) => !this.waitingForRetry(s.id, now))) wake = now;
    // Self-repair: a pending retry with no alarm (an alarm that gave up) is picked up again.
    if (alarmAt === null && subscribers.some((s) => this.hasRetries(s.id))) wake = now;
    if (alarmAt === null && this.config.retentionMs !== null) {
      wake = Math.min(wake ?? Infinity, activityAt + this.config.retentionMs);
    }
    const check = this.nextCheck(app);
    if (check !== null && (alarmAt === null || alarmAt > check)) wake = Math.min(wake ?? Infinity, check);
    if (wake !== null) this.scheduleAt(wake);
  }

  /** When this user is next due for verification with Tencent, or null. */
  private nextCheck(app: AppId): number | null {
    const loaded = this.loaded;
    if (loaded === null || !this.config.secretKeys.has(app)) return null;
    return nextCheckAt({
      status: userStatus(loaded.state.platforms),
      lastCallbackAt: loaded.lastActivity,
      lastCheckAt: this.lastCheckAt,
      afterMs: this.config.reconcileAfterMs,
    });
  }

  /** When this instance last asked the reconciler to verify the user (memory only). */
  private lastCheckAt: number | null = null;

  /**
   * The user's snapshot (SPEC §4) as JSON text, kept until the state changes. A batch query
   * makes hundreds of these calls at once: a string crosses the RPC boundary and joins the
   * reply far more cheaply than an object that is cloned, then serialised again by the Worker.
   */
  snapshotJson(app: AppId, account: AccountId): string {
    const state = this.load()?.state ?? EMPTY_STATE;
    if (this.snapshotText?.state !== state) {
      this.snapshotText = { state, json: JSON.stringify(toSnapshot(app, account, state)) };
    }
    return this.snapshotText.json;
  }

  history(limit: number, beforeSeq: number | null): HistoryEntry[] {
    return this.load() === null ? [] : readHistory(this.sql, limit, beforeSeq);
  }

  /** Pending and dead-lettered webhook deliveries. Reads only. */
  async deliveries(): Promise<DeliveryView[]> {
    const loaded = this.load();
    if (loaded === null || !this.hasWebhookSchema()) return [];
    return this.dispatcher.list({ app: loaded.app, account: loaded.account, seq: loaded.seq }, this.readCursorsOnce());
  }

  /** Requeues every dead letter; returns how many. A never-seen user gets 0 and no storage. */
  async redeliver(): Promise<number> {
    const alarmAt = await this.scheduledAlarm();
    if (this.load() === null || !this.hasWebhookSchema()) return 0;
    const now = Date.now();
    const count = this.dispatcher.requeue(now);
    if (count > 0 && (alarmAt === null || alarmAt > now)) this.scheduleAt(now);
    return count;
  }

  /** Data-subject erasure: state, history and everything pending, in one step. */
  async erase(): Promise<void> {
    this.forget();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  /** Rows read and written (SQL cursor counters) and alarms set by this instance so far. */
  storageUsage(): { rowsRead: number; rowsWritten: number; alarmsSet: number } {
    return { ...this.sql.usage, alarmsSet: this.alarmsSet };
  }

  override async alarm(): Promise<void> {
    // Runs never overlap: a second alarm (or a retry of a failed one) waits for the first.
    const run = this.alarms.then(
      () => this.runAlarm(),
      () => this.runAlarm(),
    );
    this.alarms = run;
    return run;
  }

  private async runAlarm(): Promise<void> {
    this.alarmAt = null; // the alarm that woke us is spent
    const loaded = this.load();
    if (loaded === null) return;
    let wake: number | null = null;
    if (this.config.subscribers.length > 0 && this.hasWebhookSchema()) {
      // A throw here (after committing whatever was delivered) makes the runtime retry the alarm.
      const epoch = this.epoch;
      try {
        wake = await this.dispatcher.run(
          { app: loaded.app, account: loaded.account, seq: loaded.seq },
          this.readCursorsOnce(),
          () => this.epoch === epoch,
        );
      } catch (error) {
        // What was delivered is committed. The runtime retries a failed alarm a few times; this
        // fallback keeps the deliveries going if those retries run out too.
        log({ msg: "alarm failed", error: String(error) });
        if (this.epoch === epoch) this.scheduleAt(Date.now() + ALARM_FALLBACK_MS);
        throw error;
      }
    }
    const retention = this.config.retentionMs;
    const current = this.loaded;
    if (retention !== null && current !== null) {
      const due = current.lastActivity + retention;
      // Deliveries still pending hold the erasure back, so a user's last events still go out.
      if (Date.now() >= due && wake === null) {
        log({ msg: "retention erase", inactiveMs: Date.now() - current.lastActivity });
        await this.erase();
        return;
      }
      // Past due (and held back by pending deliveries): the next delivery run re-checks it.
      if (due > Date.now()) wake = Math.min(wake ?? Infinity, due);
    }
    const stale = this.loaded;
    if (stale !== null && this.config.secretKeys.has(stale.app)) {
      const due = this.nextCheck(stale.app);
      if (due !== null && due <= Date.now()) {
        // Ask, and come back an interval later: if the answer is lost with an evicted
        // reconciler, that next alarm asks again.
        this.lastCheckAt = Date.now();
        await this.env.RECONCILER.getByName(stale.app).enqueue(stale.app, [stale.account]);
      }
      const next = this.nextCheck(stale.app);
      if (next !== null) wake = Math.min(wake ?? Infinity, next);
    }
    if (wake !== null && this.loaded !== null) this.scheduleAt(wake);
  }

  private forget(): void {
    this.epoch++;
    this.loaded = null;
    this.cursors = undefined;
    this.alarmAt = null;
    this.webhookSchema = false;
  }

  /** Moves the alarm earlier (never later) than what is scheduled. */
  private scheduleAt(at: number): void {
    if (this.alarmAt !== null && this.alarmAt !== undefined && this.alarmAt <= at) return;
    this.alarmAt = at;
    this.alarmsSet++;
    // Not awaited: the output gate holds every reply until this write is durable.
    void this.ctx.storage.setAlarm(at);
  }

  private usesAlarm(app: AppId): boolean {
    return (
      this.config.subscribers.length > 0 ||
      this.config.retentionMs !== null ||
      (this.config.reconcileAfterMs !== null && this.config.secretKeys.has(app))
    );
  }

  private async scheduledAlarm(): Promise<number | null> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    return this.alarmAt;
  }

  private readCursorsOnce(): Cursors | null {
    if (this.cursors === undefined) this.cursors = this.hasWebhookSchema() ? readCursors(this.sql) : null;
    return this.cursors;
  }

  /** Cursors to write when a subscriber in the audience has none yet (it starts at this change). */
  private cursorsFor(cursors: Cursors | null, audience: readonly { id: string }[], seq: number): Cursors | null {
    const missing = audience.filter((s) => cursors?.[s.id] === undefined);
    if (missing.length === 0) return null;
    const next: Record<string, ReturnType<typeof startCursor>> = { ...(cursors ?? {}) };
    for (const s of missing) next[s.id] = startCursor(positionOf(seq, 0));
    return next;
  }

  private hasRetries(subscriber: string): boolean {
    const c = this.cursors?.[subscriber];
    return c !== undefined && Object.keys(c.retries).length > 0;
  }

  /** A subscriber whose oldest pending delivery waits for a retry: a new event cannot pass it. */
  private waitingForRetry(subscriber: string, now: number): boolean {
    const c = this.cursors?.[subscriber];
    if (c === undefined) return false;
    const waits = Object.values(c.retries).map((r) => r.nextAt);
    return waits.length > 0 && Math.min(...waits) > now;
  }

  private hasWebhookSchema(): boolean {
    if (!this.webhookSchema) this.webhookSchema = tablesExist(this.sql) && webhookTablesExist(this.sql);
    return this.webhookSchema;
  }

  /** Objects created before webhooks get their tables on their next write. */
  private ensureWebhookSchema(): void {
    if (this.hasWebhookSchema()) return;
    this.ctx.storage.transactionSync(() => migrateToWebhooks(this.sql));
    this.webhookSchema = true;
  }

  private load(): Loaded | null {
    if (this.loaded !== null) return this.loaded;
    if (!tablesExist(this.sql)) return null;
    const stored = readState(this.sql);
    if (stored === null) return null;
    const limit = this.config.historyLimit;
    const newest = historyHead(this.sql, limit);
    if (newest.misplaced > 0) {
      if (this.config.subscribers.length > 0 && this.hasWebhookSchema()) {
        const needed = neededFrom(this.readCursorsOnce(), this.config.subscribers);
        if (needed !== null) spillBeforeTrim(this.sql, limit, newest.seq, needed);
      }
      trimHistory(this.sql, limit, newest.seq);
    }
    this.loaded = {
      app: stored.app,
      account: stored.account,
      state: stored.state,
      seq: newest.seq,
      lastActivity: newest.receivedAt,
    };
    return this.loaded;
  }
}
