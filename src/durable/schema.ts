// Tables of one user's Durable Object. Created on the first write, never by a read, so
// looking up a never-seen user leaves no storage behind.
//
// Rows written are the bill, so:
// - `state` is one row holding the whole presence state: an applied callback rewrites it once.
// - `history` is a ring of HISTORY_LIMIT slots (slot = seq mod limit) updated in place, so
//   the bound costs no extra delete per callback. No secondary index: every index would
//   add a written row to every callback.
import type { Sql } from "./sql";

export const SCHEMA_VERSION = 1;

export function tablesExist(sql: Sql): boolean {
  return sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state'`.length > 0;
}

export function createTables(sql: Sql): void {
  sql`CREATE TABLE IF NOT EXISTS state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    app TEXT NOT NULL,
    account TEXT NOT NULL,
    data TEXT NOT NULL
  )`;
  sql`CREATE TABLE IF NOT EXISTS history (
    slot INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    event_time INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    platform TEXT NOT NULL,
    client_ip TEXT,
    kicked TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status TEXT NOT NULL,
    effects TEXT NOT NULL
  )`;
}
