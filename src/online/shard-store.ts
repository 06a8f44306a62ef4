// The rows of one who-is-online shard (SPEC §12): one per user in the index, keyed by account, so
// a page in account order is a range of the primary key. Rows written are the bill: an applied
// change is one upsert or one delete (one row), a repeat or an older seq writes nothing, and the
// counts are never stored (the shard keeps them in memory, computed from the rows on load).
import { tableExists, type Sql } from "../lib/sql";
import type { AccountId, EpochMs, Platform } from "../presence/types";
import { countGroups, type OnlineCounts } from "./counts";
import type { StatusFilter } from "./cursor";
import { maskToPlatforms, platformBit, type EntryKey, type IndexEntry, type IndexedStatus } from "./entry";

/** How a status is stored: a small integer. */
const STATUS_CODES: Readonly<Record<IndexedStatus, number>> = { online: 1, disconnected: 2 };
const STATUS_OF: Readonly<Record<number, IndexedStatus>> = { 1: "online", 2: "disconnected" };

/** A write's outcome: not applied (an older or equal seq), or applied over what the row held (null: no row). */
export type Written = { readonly applied: false } | { readonly applied: true; readonly before: EntryKey | null };

const NOT_APPLIED: Written = { applied: false };

/** One user of a GET /online/users page, as the API shows it. */
export interface ListedUser {
  readonly account: AccountId;
  readonly status: IndexedStatus;
  /** The platforms online now (empty for a disconnected user). */
  readonly platforms: Platform[];
  readonly since: EpochMs;
}

/**
 * Created by the first write, never by a read. `prev_status` and `prev_platforms` hold what the
 * row held before its last write (0: it was new), so that a write says what it replaced in the
 * same statement (RETURNING) where no guarded write could (writeIfPrior): the counts move without
 * a read before each write, which took the index-on Worker's CPU a transition from 1.26× the
 * two-hop ceiling's to 1.10× in the bench (commit b416dfe).
 */
export function createShardTable(sql: Sql): void {
  sql`CREATE TABLE IF NOT EXISTS users (
    account TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    platforms INTEGER NOT NULL,
    since INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    prev_status INTEGER NOT NULL DEFAULT 0,
    prev_platforms INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID`;
}

export const shardTableExists = (sql: Sql): boolean => tableExists(sql, "users");

/** The counts of every row, in one aggregate query (on load): one row per status and platform set. */
export function countRows(sql: Sql): OnlineCounts {
  const groups = sql<{ status: number; platforms: number; n: number }>`
    SELECT status, platforms, count(*) AS n FROM users GROUP BY status, platforms`;
  return countGroups(
    groups.flatMap((g) => {
      const status = STATUS_OF[g.status];
      return status === undefined ? [] : [{ entry: { status, platforms: g.platforms }, rows: g.n }];
    }),
  );
}

const counted = (status: number, platforms: number): EntryKey | null => {
  const s = STATUS_OF[status];
  return s === undefined ? null : { status: s, platforms };
};

/**
 * Stores the user's entry unless the row holds this seq or a newer one (the guard is in the
 * statement): one statement, one row written when applied, none otherwise.
 */
export function upsertRow(sql: Sql, account: AccountId, entry: IndexEntry, seq: number): Written {
  // An upsert, not INSERT OR REPLACE: REPLACE deletes and inserts, two written rows. In DO UPDATE
  // SET, `users.` is the row as it was: what it held goes into prev_*, and comes back.
  const rows = sql<{ prev_status: number; prev_platforms: number }>`
    INSERT INTO users (account, status, platforms, since, seq, prev_status, prev_platforms)
    VALUES (${account}, ${STATUS_CODES[entry.status]}, ${entry.platforms}, ${entry.since}, ${seq}, 0, 0)
    ON CONFLICT (account) DO UPDATE SET prev_status = users.status, prev_platforms = users.platforms,
      status = excluded.status, platforms = excluded.platforms, since = excluded.since, seq = excluded.seq
    WHERE excluded.seq > users.seq
    RETURNING prev_status, prev_platforms`;
  const row = rows[0];
  return row === undefined ? NOT_APPLIED : { applied: true, before: counted(row.prev_status, row.prev_platforms) };
}

/**
 * The write made when the user object says what the row holds (`prior`: the entry the shard last
 * acknowledged to it; null: no row): made only if the row holds exactly that, with an older seq,
 * so SQLite itself confirms what the counts move away from and nothing is returned. A statement
 * with RETURNING cost about 12 µs more CPU than one without in a Worker that commits after each
 * (docs/PERFORMANCE.md). Null when the guard did not hold, or `prior` cannot guard this write: the
 * caller then writes with upsertRow or deleteRow, which say what the row held whatever it was.
 */
export function writeIfPrior(
  sql: Sql,
  account: AccountId,
  entry: IndexEntry | null,
  seq: number,
  prior: EntryKey | null,
): Written | null {
  const written = sql.usage.rowsWritten;
  if (entry !== null && prior === null) {
    sql`INSERT INTO users (account, status, platforms, since, seq)
        VALUES (${account}, ${STATUS_CODES[entry.status]}, ${entry.platforms}, ${entry.since}, ${seq})
        ON CONFLICT (account) DO NOTHING`;
  } else if (entry !== null && prior !== null) {
    sql`UPDATE users SET status = ${STATUS_CODES[entry.status]}, platforms = ${entry.platforms},
          since = ${entry.since}, seq = ${seq}
        WHERE account = ${account} AND seq < ${seq}
          AND status = ${STATUS_CODES[prior.status]} AND platforms = ${prior.platforms}`;
  } else if (prior !== null) {
    sql`DELETE FROM users WHERE account = ${account} AND seq < ${seq}
          AND status = ${STATUS_CODES[prior.status]} AND platforms = ${prior.platforms}`;
  } else {
    return null; // a removal of a row the user object thinks absent: nothing to guard with
  }
  return sql.usage.rowsWritten > written ? { applied: true, before: prior } : null;
}

/** Deletes the user's row; with `olderThan`, only a row of an older seq. */
export function deleteRow(sql: Sql, account: AccountId, olderThan: number | null): Written {
  const rows =
    olderThan === null
      ? sql<{ status: number; platforms: number }>`
          DELETE FROM users WHERE account = ${account} RETURNING status, platforms`
      : sql<{ status: number; platforms: number }>`
          DELETE FROM users WHERE account = ${account} AND seq < ${olderThan} RETURNING status, platforms`;
  const row = rows[0];
  return row === undefined ? NOT_APPLIED : { applied: true, before: counted(row.status, row.platforms) };
}

/**
 * Up to `limit` users after `after` (null: from the first) in account order, with the status and
 * platform of the listing: one range of the primary key, whatever the filters.
 */
export function readPage(
  sql: Sql,
  status: StatusFilter,
  platform: Platform | null,
  after: AccountId | null,
  limit: number,
): ListedUser[] {
  const code = status === "any" ? 0 : STATUS_CODES[status];
  const bit = platform === null ? 0 : platformBit(platform);
  // Every account is at least one byte, so each one sorts after the empty string.
  const rows = sql<{ account: string; status: number; platforms: number; since: number }>`
    SELECT account, status, platforms, since FROM users
    WHERE account > ${after ?? ""} AND (${code} = 0 OR status = ${code}) AND (platforms & ${bit}) = ${bit}
    ORDER BY account LIMIT ${limit}`;
  return rows.flatMap((r) => {
    const s = STATUS_OF[r.status];
    return s === undefined
      ? []
      : [{ account: r.account as AccountId, status: s, platforms: maskToPlatforms(r.platforms), since: r.since }];
  });
}
