// One who-is-online shard's logic (SPEC §12), under its Durable Object (src/durable/online-shard.ts):
// its rows (shard-store.ts) and its counts, kept in memory.
//
// - An update applies only when its seq is newer than the row's: retries, repeats and a late
//   call are harmless and write nothing. An entry is an upsert, no entry a delete: one row, in
//   one statement that also confirms or says what the row held before (shard-store.ts), for the
//   counts.
// - The counts are computed once from the rows when the shard loads (one aggregate query) and
//   then moved by each applied change (counts.ts): they cost no row.
// - `version` rises with every change of the counts, also across restarts (it starts from the
//   clock), so the totals object can tell a late push from a newer one.
import type { Sql } from "../lib/sql";
import type { AccountId, EpochMs, Platform } from "../presence/types";
import { applyChange, emptyCounts, sameCounts, type OnlineCounts } from "./counts";
import type { StatusFilter } from "./cursor";
import type { EntryKey, IndexEntry } from "./entry";
import {
  countRows,
  createShardTable,
  deleteRow,
  readPage,
  shardTableExists,
  upsertRow,
  writeIfPrior,
  type ListedUser,
} from "./shard-store";

/** A shard's counts and their version (higher is newer). */
export interface ShardCounts {
  readonly counts: OnlineCounts;
  readonly version: number;
}

/** Versions are microseconds of the clock, or one more than the last: rising, also after a restart. */
const versionAt = (now: EpochMs, last: number) => Math.max(now * 1000, last + 1);

export class ShardIndex {
  private loaded: { counts: OnlineCounts; version: number; table: boolean } | null = null;
  /** Writes applied under the user object's `prior` (confirmed by SQLite, nothing returned). */
  guarded = 0;

  constructor(private readonly sql: Sql) {}

  /**
   * Applies the user's entry (null: not in the index) if `seq` is newer than its row's. `prior` is
   * what the user object believes the row holds (undefined: it does not know): a write guarded
   * by it, confirmed by SQLite, or else the write that returns what the row held. Returns whether
   * the counts changed.
   */
  update(account: AccountId, entry: IndexEntry | null, seq: number, now: EpochMs, prior?: EntryKey | null): boolean {
    const shard = this.load(now);
    if (entry === null && !shard.table) return false;
    if (!shard.table) createShardTable(this.sql);
    shard.table = true;
    let written = prior === undefined ? null : writeIfPrior(this.sql, account, entry, seq, prior);
    if (written !== null) this.guarded++;
    written ??= entry === null ? deleteRow(this.sql, account, seq) : upsertRow(this.sql, account, entry, seq);
    return written.applied && this.moved(written.before, entry, now);
  }

  /** Removes the user whatever its seq (an erasure). Returns whether the counts changed. */
  remove(account: AccountId, now: EpochMs): boolean {
    if (!this.load(now).table) return false;
    const written = deleteRow(this.sql, account, null);
    return written.applied && this.moved(written.before, null, now);
  }

  counts(now: EpochMs): ShardCounts {
    const { counts, version } = this.load(now);
    return { counts, version };
  }

  page(status: StatusFilter, platform: Platform | null, after: AccountId | null, limit: number): ListedUser[] {
    return this.load(Date.now()).table ? readPage(this.sql, status, platform, after, limit) : [];
  }

  private moved(before: EntryKey | null, after: EntryKey | null, now: EpochMs): boolean {
    const shard = this.loaded!;
    const counts = applyChange(shard.counts, before, after);
    if (sameCounts(counts, shard.counts)) return false;
    shard.counts = counts;
    shard.version = versionAt(now, shard.version);
    return true;
  }

  private load(now: EpochMs) {
    if (this.loaded === null) {
      // A shard never written has no table: reading it creates none.
      const table = shardTableExists(this.sql);
      this.loaded = { counts: table ? countRows(this.sql) : emptyCounts(), version: versionAt(now, 0), table };
    }
    return this.loaded;
  }
}
