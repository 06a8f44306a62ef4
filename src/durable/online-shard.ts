// One shard of an app's who-is-online index (SPEC §12), named `<SDKAppID>:<N>:<i>`: the users of
// that app whose account hashes to i (src/online/shard.ts), online or disconnected, one row each.
// Users' objects call update() after their commits and remove() before an erasure; GET /online
// reads counts(), GET /online/users page(). A thin shell: the logic is src/online/shard-index.ts.
//
// After its counts change it tells the app's totals object (counts over time, live counts), at
// most once a second; a failed push is retried a second later, and the totals object gathers
// every shard's counts once a minute while it is in use, which heals a push lost in a restart.
import { DurableObject } from "cloudflare:workers";
import { log } from "../lib/log";
import { sqlOf, type Sql } from "../lib/sql";
import type { StatusFilter } from "../online/cursor";
import type { EntryKey, IndexEntry } from "../online/entry";
import { parseShardName, type ShardPlace } from "../online/shard";
import { ShardIndex, type ShardCounts } from "../online/shard-index";
import type { ListedUser } from "../online/shard-store";
import { totalsStub } from "../online/stubs";
import { Throttle } from "../online/throttle";
import type { AccountId, Platform } from "../presence/types";

/** Pushes of a shard's counts to the totals object: at most one in this interval. */
export const PUSH_INTERVAL_MS = 1000;

export class OnlineShard extends DurableObject<Env> {
  private readonly sql: Sql;
  private readonly index: ShardIndex;
  /** Null when the object was not reached by its name (nothing to push to). */
  private readonly place: ShardPlace | null;
  private readonly push: Throttle;
  private totals: ReturnType<typeof totalsStub> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = sqlOf(ctx.storage.sql);
    this.index = new ShardIndex(this.sql);
    this.place = parseShardName(ctx.id.name);
    this.push = new Throttle(
      () => this.report(),
      PUSH_INTERVAL_MS,
      (error) => log({ msg: "online counts push failed", error: String(error) }),
    );
  }

  /**
   * The user's entry (null: not in the index) as of the user object's `seq`: applied if newer.
   * `prior`: what the user object believes this shard holds for it (src/online/entry.ts, priorOf).
   */
  update(account: AccountId, entry: IndexEntry | null, seq: number, prior?: EntryKey | null): void {
    if (this.index.update(account, entry, seq, Date.now(), prior)) this.push.changed();
  }

  /** Removes the user whatever its seq (an erasure: the user's seq starts again). */
  remove(account: AccountId): void {
    if (this.index.remove(account, Date.now())) this.push.changed();
  }

  counts(): ShardCounts {
    return this.index.counts(Date.now());
  }

  /** Up to `limit` users after `after` in account order, with the listing's filters. */
  page(status: StatusFilter, platform: Platform | null, after: AccountId | null, limit: number): ListedUser[] {
    return this.index.page(status, platform, after, limit);
  }

  /** Rows read and written by this instance (SQL cursor counters), guarded writes and pushes started. */
  storageUsage(): { rowsRead: number; rowsWritten: number; guardedWrites: number; pushes: number } {
    return { ...this.sql.usage, guardedWrites: this.index.guarded, pushes: this.push.calls };
  }

  /** Resolves once the totals object has every change of the counts so far (tests wait on it). */
  pushed(): Promise<void> {
    return this.push.settled();
  }

  private async report(): Promise<void> {
    if (this.place === null) return;
    const { app, shards, index } = this.place;
    this.totals ??= totalsStub(this.env, app, shards);
    try {
      const { counts, version } = this.index.counts(Date.now());
      await this.totals.report(index, counts, version);
    } catch (error) {
      // A stub whose call failed may stay broken: the retry gets a fresh one.
      this.totals = null;
      throw error;
    }
  }
}
