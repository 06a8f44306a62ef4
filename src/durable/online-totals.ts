// An app's totals object (SPEC §12), named `<SDKAppID>:<N>`: the app-level reader of its N
// who-is-online shards, for what no shard can answer alone. A thin shell over src/online/:
// - the counts over time (GET /online/history): each shard pushes its counts after a change (at
//   most once a second); the app's `online` moves the minute in progress (app-totals.ts), and
//   at the minute's end (its alarm) the minute, hour and day rows are written (totals-store.ts):
//   three rows a minute at most, none per callback;
// - live counts for watch hubs (count-watchers.ts): registered by watchCounts(), pushed at most
//   once a second while the counts change.
// On start, and again once a minute while it has a minute to finish or hubs to serve, it gathers
// every shard's counts, which heals a push lost in a restart. A restart loses only the
// unfinished minute's peak and min; the counts themselves live in the shards.
import { DurableObject } from "cloudflare:workers";
import { loadConfig, type Config } from "../config";
import { log } from "../lib/log";
import { sqlOf, type Sql } from "../lib/sql";
import { AppTotals, type TotalsStep } from "../online/app-totals";
import { CountWatchers, validHubId, type CountsHub, type CountsWatchAnswer } from "../online/count-watchers";
import { onlineAnswer, type OnlineAnswer, type OnlineCounts } from "../online/counts";
import {
  fillSeries,
  minuteEnd,
  minuteHoldsChange,
  trackerPoint,
  type Resolution,
  type SeriesPoint,
} from "../online/series";
import { parseTotalsName } from "../online/shard";
import { countsMessage } from "../watch/messages";
import { shardStub } from "../online/stubs";
import {
  createTotalsTables,
  newestMinute,
  readIdentity,
  readPoints,
  storeMinute,
  totalsTablesExist,
  type TotalsIdentity,
} from "../online/totals-store";

export class OnlineTotals extends DurableObject<Env> {
  private readonly sql: Sql;
  private readonly config: Config;
  /** Hubs watching the app's counts (tests replace `watchers.resolve` with a fake hub). */
  readonly watchers: CountWatchers;
  /** Set once started: null when the object has no name to go by (nothing to gather). */
  private identity: TotalsIdentity | null = null;
  private totals: AppTotals | null = null;
  private started: Promise<boolean> | null = null;
  private tables = false;
  /** The scheduled alarm, as this instance knows it (read on start). */
  private alarmAt: number | null = null;
  /** Rows written creating the tables and the identity row (once per object). */
  private setupRows = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = sqlOf(ctx.storage.sql);
    this.config = loadConfig(env);
    this.watchers = new CountWatchers(
      this.sql,
      // The hub of a watch's `"counts":true` (src/watch/hub-counts.ts).
      (hub): CountsHub => env.WATCH_HUB.get(env.WATCH_HUB.idFromString(hub)),
      () => countsMessage(this.answer()),
    );
  }

  /** Shard `shard`'s counts after a change; `version` rises with each change (older ones are ignored). */
  async report(shard: number, counts: OnlineCounts, version: number): Promise<void> {
    if (await this.ready()) this.apply(this.totals!.set(shard, { counts, version }, Date.now()));
  }

  /** Points of `resolution` in [from, to) (the range is checked by the caller: series.ts). */
  async history(from: number, to: number, resolution: Resolution): Promise<SeriesPoint[]> {
    const now = Date.now();
    if (await this.ready()) this.apply({ changed: false, finished: this.totals!.roll(now) });
    const rows = this.tables ? readPoints(this.sql, resolution, from, to) : [];
    const tracker = this.totals?.minute ?? null;
    return fillSeries({ resolution, from, to, now }, rows, tracker === null ? null : trackerPoint(tracker));
  }

  /**
   * A hub starts watching the app's counts: registered (one row), answered with the counts now.
   * "Now" as GET /online means it: the shards are asked first (N calls, once per subscribe), since
   * what this object last heard may be a push behind them; a first answer older than the
   * GET /online a client read just before would move its counts backwards.
   */
  async watchCounts(hub: string): Promise<CountsWatchAnswer> {
    if (!validHubId(hub)) return { ok: false, message: "hub must be a Durable Object id (64 hex digits)" };
    if (!(await this.ready())) return { ok: false, message: "the totals object was not reached by its name" };
    // Before the hub is registered: a change the gather finds is pushed to the others only.
    await this.gather();
    // Its alarm serves the hubs: whose object it is must be known to an alarm that wakes it cold.
    this.ensureTables();
    const added = this.watchers.add(hub);
    if (!added.ok) return added;
    this.schedule();
    return { ok: true, counts: this.answer() };
  }

  unwatchCounts(hub: string): void {
    this.watchers.remove(hub);
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    if (!(await this.ready())) return;
    this.apply({ changed: false, finished: this.totals!.roll(Date.now()) });
    await this.gather();
    this.schedule();
  }

  /**
   * Rows read and written by this instance (SQL cursor counters), of them the rows its one-time
   * table creation wrote (`setupRowsWritten`: the cost model counts them apart), and calls to hubs.
   */
  storageUsage(): { rowsRead: number; rowsWritten: number; setupRowsWritten: number; hubRequests: number } {
    return { ...this.sql.usage, setupRowsWritten: this.setupRows, hubRequests: this.watchers.requests };
  }

  private answer(): OnlineAnswer {
    return onlineAnswer(this.identity!.app, this.totals!.counts, Date.now());
  }

  private ready(): Promise<boolean> {
    // A start that failed (storage) is tried again by the next call.
    this.started ??= this.start().catch((error: unknown) => {
      this.started = null;
      throw error;
    });
    return this.started;
  }

  private async start(): Promise<boolean> {
    this.tables = totalsTablesExist(this.sql);
    // An alarm that wakes the object cold has no name: the identity row says whose it is.
    this.identity = parseTotalsName(this.ctx.id.name) ?? (this.tables ? readIdentity(this.sql) : null);
    if (this.identity === null) return false;
    this.alarmAt = await this.ctx.storage.getAlarm();
    this.totals = new AppTotals(this.identity.shards);
    await this.gather();
    this.totals.start(Date.now(), this.tables ? newestMinute(this.sql) : null);
    this.schedule();
    return true;
  }

  /** Every shard's counts, asked at once; a shard that does not answer keeps what was held. */
  private async gather(): Promise<void> {
    const { app, shards } = this.identity!;
    const asked = Array.from({ length: shards }, (_, i) => shardStub(this.env, app, shards, i).counts());
    const answers = await Promise.allSettled(asked);
    answers.forEach((answer, i) => {
      if (answer.status === "fulfilled") this.apply(this.totals!.set(i, answer.value, Date.now()));
      else log({ msg: "online shard counts not gathered", shard: i, error: String(answer.reason) });
    });
  }

  private apply(step: TotalsStep): void {
    if (step.finished !== null) {
      const point = step.finished;
      // The flag follows the commit: a failed transaction created nothing.
      this.ctx.storage.transactionSync(() => {
        if (!this.tables) this.createTables();
        storeMinute(this.sql, point, this.config.onlineHistoryDays, Date.now());
      });
      this.tables = true;
    }
    if (step.changed) this.watchers.changed();
    this.schedule();
  }

  /** The tables and the identity row, before the first hub's row. */
  private ensureTables(): void {
    if (!this.tables) this.createTables();
    this.tables = true;
  }

  private createTables(): void {
    const before = this.sql.usage.rowsWritten;
    createTotalsTables(this.sql, this.identity!);
    this.setupRows += this.sql.usage.rowsWritten - before;
  }

  /** The alarm at the minute's end, while the minute holds a change to store or hubs watch. */
  private schedule(): void {
    const tracker = this.totals?.minute ?? null;
    if (tracker === null || (!minuteHoldsChange(tracker) && this.watchers.size === 0)) return;
    const at = minuteEnd(tracker);
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}
