// Webhooks as one concern of the user object: what a change adds to its history row (the
// audience), what must be kept before a ring slot is reused (spill), when the alarm must run,
// and the alarm's delivery run. Nothing here writes a row per callback: cursors are written by
// the delivery run, once per run.
import type { Config } from "../config";
import type { Effect } from "../presence/types";
import { wants } from "./events";
import { DeliveryRun, neededFrom, type User } from "./delivery-run";
import { listDeliveries, type DeliveryView } from "./delivery-view";
import {
  createWebhookTables,
  readCursors,
  requeueDead,
  spillBeforeTrim,
  spillSlot,
  webhookTablesExist,
  type Cursors,
} from "./outbound-store";
import type { Sql } from "../lib/sql";
import type { CommittedChange, UserConcern } from "../user/concern";

export class WebhookOutbox implements UserConcern {
  /** Committed cursors; undefined until first read, null when none were ever written. */
  private cursors: Cursors | null | undefined = undefined;
  private tables = false;
  private readonly run: DeliveryRun;
  /** Whether the last delivery run left deliveries pending (they hold a retention erasure back). */
  private leftPending = false;

  constructor(
    private readonly sql: Sql,
    private readonly config: Config,
    private readonly storage: DurableObjectStorage,
  ) {
    this.run = new DeliveryRun(sql, config, storage, (cursors) => (this.cursors = cursors));
  }

  get enabled(): boolean {
    return this.config.subscribers.length > 0;
  }

  /** Subscribers that want one of these effects, or null: stored in the change's history row. */
  audience(effects: readonly Effect[]): string[] | null {
    const ids = this.config.subscribers.filter((s) => effects.some((e) => wants(s.events, e.kind))).map((s) => s.id);
    return ids.length === 0 ? null : ids;
  }

  /**
   * The lowest seq a cursor still needs when writing `seq` overwrites an entry it needs (the
   * slot holds seq - HISTORY_LIMIT), else null: most writes need no spill.
   */
  spillNeeded(seq: number): number | null {
    const needed = this.enabled ? neededFrom(this.committed(), this.config.subscribers) : null;
    return needed !== null && needed <= seq - this.config.historyLimit ? needed : null;
  }

  /** In the write's transaction: keep the entry about to be overwritten (see spillNeeded). */
  spill(seq: number, needed: number): void {
    spillSlot(this.sql, seq % this.config.historyLimit, needed);
  }

  /** Before a smaller HISTORY_LIMIT trims the ring (on load). */
  beforeTrim(newestSeq: number): void {
    const needed = this.enabled ? neededFrom(this.committed(), this.config.subscribers) : null;
    if (needed !== null) spillBeforeTrim(this.sql, this.config.historyLimit, newestSeq, needed);
  }

  /**
   * When the alarm must run after a change with this audience: now, unless every subscriber in
   * it waits for a retry of an earlier event (a new event cannot pass it). Also picks up a
   * pending retry that has no alarm (an alarm that gave up).
   */
  wakeAfterChange(change: CommittedChange, alarmAt: number | null, now: number): number | null {
    if (!this.enabled) return null;
    const audience = change.entry.audience;
    const retries = (id: string) => Object.values(this.committed()?.[id]?.retries ?? {}).map((r) => r.nextAt);
    const waiting = (id: string) => retries(id).length > 0 && Math.min(...retries(id)) > now;
    if (audience?.some((id) => !waiting(id))) return now;
    if (alarmAt === null && this.config.subscribers.some((s) => retries(s.id).length > 0)) return now;
    return null;
  }

  /** The alarm's delivery run: when the next delivery is due, or null when nothing is pending. */
  async onAlarm(user: User, alive: () => boolean): Promise<number | null> {
    this.leftPending = false;
    if (!this.enabled) return null;
    this.ensureTables();
    const due = await this.run.run(user, this.committed(), alive);
    this.leftPending = due !== null;
    return due;
  }

  /** Whether this alarm's delivery run left deliveries pending. */
  get pending(): boolean {
    return this.leftPending;
  }

  list(user: User, now: number): Promise<DeliveryView[]> {
    if (!this.enabled) return Promise.resolve([]);
    return listDeliveries(this.sql, this.config, user, this.hasTables() ? this.committed() : null, now);
  }

  /** Requeues the dead letters of configured subscribers; returns how many. */
  requeue(now: number): number {
    if (!this.enabled || !this.hasTables()) return 0;
    let count = 0;
    this.storage.transactionSync(() => {
      for (const s of this.config.subscribers) count += requeueDead(this.sql, s.id, now);
    });
    return count;
  }

  /** After an erasure: nothing cached survives. */
  forget(): void {
    this.cursors = undefined;
    this.tables = false;
    this.leftPending = false;
  }

  private committed(): Cursors | null {
    if (this.cursors === undefined) this.cursors = this.hasTables() ? readCursors(this.sql) : null;
    return this.cursors;
  }

  private hasTables(): boolean {
    if (!this.tables) this.tables = webhookTablesExist(this.sql);
    return this.tables;
  }

  private ensureTables(): void {
    if (this.hasTables()) return;
    this.storage.transactionSync(() => createWebhookTables(this.sql));
    this.tables = true;
  }
}
