// The rows of one who-is-online shard (SPEC §12): one per user in the index, keyed by account, so
// a page in account order is a range of the primary key. Rows written are the bill: an applied
// change is one upsert or one delete (one row), a repeat or an older seq writes nothing, and the
// counts are never stored (the shard keeps them in memory, computed from the rows on load).
import { tableExists, type Sql } from "../lib/sql";
import type { AccountId, EpochMs, Platform } from "../presence/types";
import { countGroups, type OnlineCounts } from "./counts";
import type { StatusFilter } from "./cursor";
import { maskToPlatforms, platformBit, type IndexEntry, type IndexedStatus } from "./entry";

/** How a status is stored: a small integer. */
const STATUS_CODES: Readonly<Record<IndexedStatus, number>> = { online: 1, disconnected: 2 };
const STATUS_OF: Readonly<Record<number, IndexedStatus>> = { 1: "online", 2: "disconnected" };

/** A user's row: its entry and the user object's seq that wrote it. */
export interface ShardRow {
  readonly entry: IndexEntry;
  readonly seq: number;
}

/** One user of a GET /online/users page, as the API shows it. */
export interface ListedUser {
  readonly account: AccountId;
  readonly status: IndexedStatus;
  /** The platforms online now (empty for a disconnected user). */
  readonly platforms: Platform[];
  readonly since: EpochMs;
}

/** Created by the first write, never by a read. */
export function createShardTable(sql: Sql): void {
  sql`CREATE TABLE IF NOT EXISTS users (
    account TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    platforms INTEGER NOT NULL,
    since INTEGER NOT NULL,
    seq INTEGER NOT NULL
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

export function readRow(sql: Sql, account: AccountId): ShardRow | null {
  const row = sql<{ status: number; platforms: number; since: number; seq: number }>`
    SELECT status, platforms, since, seq FROM users WHERE account = ${account}`[0];
  const status = row === undefined ? undefined : STATUS_OF[row.status];
  if (row === undefined || status === undefined) return null;
  return { entry: { status, platforms: row.platforms, since: row.since }, seq: row.seq };
}

/** Stores the user's entry unless the row holds a newer seq already (the guard is in the statement too). */
export function upsertRow(sql: Sql, account: AccountId, entry: IndexEntry, seq: number): void {
  // An upsert, not INSERT OR REPLACE: REPLACE deletes and inserts, two written rows.
  sql`INSERT INTO users (account, status, platforms, since, seq)
      VALUES (${account}, ${STATUS_CODES[entry.status]}, ${entry.platforms}, ${entry.since}, ${seq})
      ON CONFLICT (account) DO UPDATE SET status = excluded.status, platforms = excluded.platforms,
        since = excluded.since, seq = excluded.seq
      WHERE excluded.seq > users.seq`;
}

/** Deletes the user's row; with `olderThan`, only a row of an older seq. */
export function deleteRow(sql: Sql, account: AccountId, olderThan: number | null): void {
  if (olderThan === null) sql`DELETE FROM users WHERE account = ${account}`;
  else sql`DELETE FROM users WHERE account = ${account} AND seq < ${olderThan}`;
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
