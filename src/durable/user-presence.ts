// One Durable Object per IM user (`<SDKAppID>:<UserID>`): a thin shell around the pure
// reducer. load → reduce → one transaction → schedule:
// - load: one query after eviction (identity, newest history row with the state after it);
// - reduce: the pure core (src/presence/index.ts) decides outcome, state and effects;
// - one transaction: one history row that carries the state (one row written per callback);
// - schedule: each concern (webhooks, retention, reconcile's staleness check; see
//   src/user/concern.ts) says when it needs the one alarm, and publishing concerns (webhooks, live
//   watchers: src/watch/watchers.ts, the who-is-online feed: src/online/feed.ts) get the change.
// Reconcile answers (the core's observe) take the same path: a correction is one committed
// entry, a confirmation changes nothing stored. Memory follows storage only after the commit: a
// failed transaction changes nothing, and Tencent gets its OK only after this returns.
import { DurableObject } from "cloudflare:workers";
import { loadConfig, type Config } from "../config";
import { log } from "../lib/log";
import { EMPTY_STATE, observe, reduce, snapshot, userStatus } from "../presence";
import { correctionLine, reconcileEntry } from "../reconcile/entry";
import type { AccountId, AppId, Observation, Outcome, PresenceEvent, Reduction } from "../presence/types";
import { AlarmClock } from "../user/alarm-clock";
import {
  callbackEntry,
  readHistory,
  writeEntry,
  type EntryInput,
  type EntryToWrite,
  type HistoryEntry,
  type LoadedUser,
} from "../user/history-store";
import { ResendFilter } from "../user/resend-filter";
import { RetentionDeadline } from "../user/retention";
import { createUserTables } from "../user/schema";
import { sqlOf, type Sql } from "../lib/sql";
import { StalenessCheck } from "../reconcile/staleness-check";
import { earliest, type CommittedChange, type UserConcern } from "../user/concern";
import { loadUser } from "../user/loader";
import type { DeliveryView } from "../webhooks/delivery-view";
import { WebhookOutbox } from "../webhooks/outbox";
import { Watchers, type WatchAnswer } from "../watch/watchers";
import { OnlineFeed } from "../online/feed";

/** When a failed alarm run comes back at the latest. */
const ALARM_FALLBACK_MS = 10_000;

export class UserPresence extends DurableObject<Env> {
  private readonly sql: Sql;
  private readonly config: Config;
  private readonly outbox: WebhookOutbox;
  private readonly resends: ResendFilter;
  private readonly staleness: StalenessCheck;
  private readonly watchers: Watchers;
  private readonly feed: OnlineFeed;
  /** Every concern, in the order their alarm work runs. */
  private readonly concerns: readonly UserConcern[];
  /** What storage holds; undefined until loaded, null when nothing is stored. */
  private user: LoadedUser | null | undefined = undefined;
  private readonly clock: AlarmClock;
  /** Bumped by erase(): work that started before it must not write afterwards. */
  private epoch = 0;
  private alarms: Promise<void> = Promise.resolve();
  private snapshotText: { user: LoadedUser; json: string } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = sqlOf(ctx.storage.sql);
    this.config = loadConfig(env);
    this.outbox = new WebhookOutbox(this.sql, this.config, ctx.storage);
    this.resends = new ResendFilter(this.sql);
    this.clock = new AlarmClock(ctx.storage);
    this.staleness = new StalenessCheck(env, this.config);
    this.watchers = new Watchers(this.sql, env, (work) => ctx.waitUntil(work), ctx.id.name);
    const requestAlarm = (at: number) => this.clock.request(at);
    this.feed = new OnlineFeed(env, this.config, { waitUntil: (work) => ctx.waitUntil(work), requestAlarm });
    const retention = new RetentionDeadline(
      this.config.retentionMs,
      () => this.user ?? null,
      () => this.outbox.pending,
      () => this.erase(),
    );
    // Deliveries run first in the alarm, retention last (pending deliveries hold it back).
    this.concerns = [this.outbox, this.staleness, this.watchers, this.feed, retention];
  }

  /**
   * Applies one validated callback; its outcome comes back once it is durably stored. `requestKey`
   * is the digest of a signed request: a re-sent copy within the signature window is a duplicate.
   */
  ingest(
    app: AppId,
    account: AccountId,
    event: PresenceEvent,
    requestKey: string | null = null,
  ): Outcome | Promise<Outcome> {
    // With no alarm to keep (the defaults), nothing is awaited: the callback is one synchronous
    // step and its outcome goes back without a promise of its own.
    if (!this.usesAlarm(app)) return this.ingestAt(app, account, event, requestKey, null);
    // Read before the synchronous part, so the commit and the alarm are one batch of writes.
    return this.clock.scheduled().then((alarmAt) => this.ingestAt(app, account, event, requestKey, alarmAt));
  }

  private ingestAt(
    app: AppId,
    account: AccountId,
    event: PresenceEvent,
    requestKey: string | null,
    alarmAt: number | null,
  ): Outcome {
    const current = this.load();
    const resent = requestKey !== null && this.resends.seen(requestKey, event.receivedAt, current !== null);
    const state = current?.state ?? EMPTY_STATE;
    const reduction: Reduction = resent ? { state, outcome: "duplicate", effects: [] } : reduce(state, event);
    const entry = callbackEntry(event, requestKey);
    this.commit(app, account, current, entry, reduction, alarmAt);
    if (requestKey !== null) this.resends.remember(requestKey, event.receivedAt);
    return reduction.outcome;
  }

  /**
   * Tencent's answer about this user, observed at Q (reconcile). A correction is one committed
   * entry (action "Reconcile", source "reconcile"); a confirmation is kept in memory only and
   * written with the next change: no row, no history entry, no event.
   */
  async applyObservation(
    app: AppId,
    account: AccountId,
    observation: Observation,
  ): Promise<{ corrected: boolean; snapshot: string }> {
    const alarmAt = this.usesAlarm(app) ? await this.clock.scheduled() : null;
    const current = this.load();
    const { state, changed, effects } = observe(current?.state ?? EMPTY_STATE, observation);
    if (!changed) {
      if (current !== null) this.user = { ...current, state, stateText: JSON.stringify(state) };
      return { corrected: false, snapshot: this.snapshotJson(app, account) };
    }
    const entry = reconcileEntry(observation, effects, Date.now());
    const seq = this.commit(app, account, current, entry, { state, outcome: "applied", effects }, alarmAt);
    log(correctionLine(app, account, seq, entry, state));
    return { corrected: true, snapshot: this.snapshotJson(app, account) };
  }

  // The snapshot as JSON text, kept until the state changes: a batch joins 500 strings far more
  // cheaply than it would clone 500 objects across RPC and serialise them again.
  snapshotJson(app: AppId, account: AccountId): string {
    const user = this.load();
    if (user === null) return JSON.stringify(snapshot(app, account, EMPTY_STATE));
    if (this.snapshotText?.user !== user) {
      this.snapshotText = { user, json: JSON.stringify(snapshot(user.app, user.account, user.state)) };
    }
    return this.snapshotText.json;
  }

  /** A watching connection's hub starts watching this user: registered, with the snapshot it starts from. */
  watch(app: AppId, account: AccountId, hub: string, credential: string): WatchAnswer {
    const added = this.watchers.add(hub, credential);
    if (!added.ok) return added;
    return { ok: true, snapshot: this.snapshotJson(app, account), seq: this.load()?.seq ?? 0 };
  }

  /** A hub stops watching this user. A watch is a read: the last one out of a never-seen user leaves nothing. */
  async unwatch(hub: string): Promise<void> {
    if (this.watchers.remove(hub) && this.load() === null) await this.ctx.storage.deleteAll();
  }

  history(limit: number, beforeSeq: number | null): HistoryEntry[] {
    return this.load() === null ? [] : readHistory(this.sql, limit, beforeSeq);
  }

  /** Pending and dead-lettered webhook deliveries. Reads only. */
  async deliveries(): Promise<DeliveryView[]> {
    const user = this.load();
    return user === null ? [] : this.outbox.list(user, Date.now());
  }

  /** Requeues every dead letter; returns how many. A never-seen user gets 0 and no storage. */
  async redeliver(): Promise<number> {
    const alarmAt = await this.clock.scheduled();
    if (this.load() === null) return 0;
    const now = Date.now();
    const count = this.outbox.requeue(now);
    if (count > 0 && (alarmAt === null || alarmAt > now)) this.clock.moveEarlier(now);
    return count;
  }

  /** Data-subject erasure: the index entry first (if that fails nothing is deleted), then all the rest. */
  async erase(): Promise<void> {
    const user = this.load();
    if (user !== null) await this.feed.leave(user);
    this.forget();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  /** Rows read and written (SQL cursor counters), alarms set and calls to watchers and the index by this instance. */
  storageUsage() {
    const { clock, watchers, feed } = this;
    return { ...this.sql.usage, alarmsSet: clock.set, watchRequests: watchers.requests, indexRequests: feed.requests };
  }

  override async alarm(): Promise<void> {
    // Runs never overlap: a second alarm (or a retry of a failed one) waits for the first.
    const next = () => this.runAlarm();
    const run = this.alarms.then(next, next);
    this.alarms = run;
    return run;
  }

  /** Reduce → one transaction → schedule → publish, for every source of changes; the entry's seq. */
  private commit(
    app: AppId,
    account: AccountId,
    current: LoadedUser | null,
    input: EntryInput,
    reduction: Reduction,
    alarmAt: number | null,
  ): number {
    const { state, outcome, effects } = reduction;
    const seq = (current?.seq ?? 0) + 1;
    const status = userStatus(state.platforms);
    // States are immutable, and a duplicate or stale callback keeps the very state it found.
    const stateText = state === current?.state ? current.stateText : JSON.stringify(state);
    const entry: EntryToWrite = {
      ...input,
      app,
      account,
      seq,
      outcome,
      status,
      effects,
      state,
      stateText,
      audience: this.outbox.audience(effects),
      indexKey: this.feed.acknowledged(),
    };
    const spill = current === null ? null : this.outbox.spillNeeded(seq);
    if (current === null || spill !== null) {
      this.ctx.storage.transactionSync(() => {
        if (current === null) createUserTables(this.sql);
        if (spill !== null) this.outbox.spill(seq, spill);
        writeEntry(this.sql, this.config.historyLimit, entry);
      });
    } else {
      // One statement is atomic on its own: no transaction to open for the common case.
      writeEntry(this.sql, this.config.historyLimit, entry);
    }
    const lastActivity = Math.max(current?.lastActivity ?? 0, input.receivedAt);
    const user: LoadedUser = { app, account, state, stateText, seq, lastActivity, indexKey: entry.indexKey };
    this.user = user;

    const change: CommittedChange = { user, entry, effects, state };
    const now = Date.now();
    let wake: number | null = null;
    for (const concern of this.concerns) wake = earliest(wake, concern.wakeAfterChange?.(change, alarmAt, now) ?? null);
    if (wake !== null) this.clock.moveEarlier(wake);
    for (const concern of this.concerns) concern.publish?.(change);
    return seq;
  }

  private async runAlarm(): Promise<void> {
    this.clock.clear(); // the alarm that woke us is spent
    const user = this.load();
    if (user === null) return;
    const epoch = this.epoch;
    const alive = () => this.epoch === epoch;
    let wake: number | null = null;
    try {
      // A throw here (after committing whatever was delivered) makes the runtime retry the alarm.
      for (const concern of this.concerns) wake = earliest(wake, (await concern.onAlarm?.(user, alive)) ?? null);
    } catch (error) {
      // The runtime retries a failed alarm a few times; this fallback keeps the work going if
      // those retries run out too.
      log({ msg: "alarm failed", error: String(error) });
      if (alive()) this.clock.moveEarlier(Date.now() + ALARM_FALLBACK_MS);
      throw error;
    }
    // An erasure (retention) ends the object's work: nothing is left to wake for.
    if (wake !== null && this.user !== null && alive()) this.clock.moveEarlier(wake);
  }

  private forget(): void {
    this.epoch++;
    this.user = null;
    this.clock.clear();
    this.snapshotText = null;
    this.resends.forget();
    for (const concern of this.concerns) concern.forget?.();
  }

  private usesAlarm(app: AppId): boolean {
    return this.outbox.enabled || this.config.retentionMs !== null || this.staleness.enabledFor(app);
  }

  private load(): LoadedUser | null {
    if (this.user === undefined) {
      const loaded = loadUser(this.sql, this.ctx.storage, this.config.historyLimit, (s) => this.outbox.beforeTrim(s));
      this.watchers.registryFound(loaded.watched);
      this.user = loaded.user;
      this.feed.loaded(loaded.user);
    }
    return this.user;
  }
}
