// Tables of one user's Durable Object. Created on the first write, never by a read, so
// looking up a never-seen user leaves no storage behind.
//
// Rows written are the bill, so one callback writes one row:
// - `history` is a ring of HISTORY_LIMIT slots (slot = seq mod limit) updated in place. Each
//   slot holds one callback (or reconcile correction) *and the whole state after it*, so the
//   newest slot is the user's state: no separate state row to rewrite. No secondary index:
//   every index would add a written row to every callback.
// - `meta` is one row, written once: whose object this is (the alarm has no caller to ask).
// - Webhook tables are created by the first delivery run, not by a callback: `outbound` is
//   one row of per-subscriber cursors over the history, `spill` keeps a history entry a
//   cursor still needs when its ring slot is reused, `dead_letter` the dead (and requeued)
//   deliveries.
import type { AccountId, AppId } from "../presence/types";
import { tableExists, type Sql } from "./sql";

/** The user's tables and identity row, in the transaction of the first write. */
export function createUserTables(sql: Sql, app: AppId, account: AccountId): void {
  sql`CREATE TABLE IF NOT EXISTS meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    app TEXT NOT NULL,
    account TEXT NOT NULL
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
    effects TEXT NOT NULL,
    state_after TEXT,
    source TEXT NOT NULL DEFAULT 'callback',
    request_key TEXT,
    audience TEXT
  )`;
  sql`INSERT INTO meta (id, app, account) VALUES (1, ${app}, ${account})
      ON CONFLICT (id) DO UPDATE SET app = excluded.app, account = excluded.account`;
}

export function createWebhookTables(sql: Sql): void {
  sql`CREATE TABLE IF NOT EXISTS outbound (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursors TEXT NOT NULL
  )`;
  sql`CREATE TABLE IF NOT EXISTS spill (
    seq INTEGER PRIMARY KEY,
    event_time INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    effects TEXT NOT NULL,
    state_after TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'callback'
  )`;
  // WITHOUT ROWID: the composite key is the table, so an insert is one written row, not two.
  sql`CREATE TABLE IF NOT EXISTS dead_letter (
    subscriber TEXT NOT NULL,
    position INTEGER NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('dead', 'requeued')),
    attempts INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    last_error TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (subscriber, position)
  ) WITHOUT ROWID`;
}

export const webhookTablesExist = (sql: Sql): boolean => tableExists(sql, "outbound");

/**
 * Which tables of an object without `meta`/`history` exist, in one query: `state` marks an
 * object written before one row per callback, `watchers` a user watched before its first write.
 */
export function tablesBeforeFirstWrite(sql: Sql): { legacy: boolean; watched: boolean } {
  const names = new Set(
    sql<{ name: string }>`SELECT name FROM sqlite_master
                          WHERE type = 'table' AND name IN ('state', 'watchers')`.map((r) => r.name),
  );
  return { legacy: names.has("state"), watched: names.has("watchers") };
}

/**
 * Objects written before one row per callback (a `state` row beside the history) are brought
 * up to date once, on their first load: the state moves into the newest history slot.
 * Returns false when the legacy object held no state row.
 */
export function migrateLegacy(sql: Sql): boolean {
  const row = sql<{ app: string; account: string; data: string }>`SELECT app, account, data FROM state WHERE id = 1`[0];
  const columns = new Set(sql<{ name: string }>`SELECT name FROM pragma_table_info('history')`.map((c) => c.name));
  if (!columns.has("state_after")) sql`ALTER TABLE history ADD COLUMN state_after TEXT`;
  if (!columns.has("source")) sql`ALTER TABLE history ADD COLUMN source TEXT NOT NULL DEFAULT 'callback'`;
  if (!columns.has("request_key")) sql`ALTER TABLE history ADD COLUMN request_key TEXT`;
  if (!columns.has("audience")) sql`ALTER TABLE history ADD COLUMN audience TEXT`;
  if (tableExists(sql, "spill")) {
    const spill = new Set(sql<{ name: string }>`SELECT name FROM pragma_table_info('spill')`.map((c) => c.name));
    if (!spill.has("source")) sql`ALTER TABLE spill ADD COLUMN source TEXT NOT NULL DEFAULT 'callback'`;
  }
  if (row !== undefined) {
    createUserTables(sql, row.app as AppId, row.account as AccountId);
    // Older rows keep their state_after only where a subscriber wanted them; the newest carries
    // the state from now on. Their audience stays null: nothing old is replayed to a subscriber.
    sql`UPDATE history SET state_after = ${row.data} WHERE seq = (SELECT max(seq) FROM history)`;
  }
  sql`DROP TABLE state`;
  return row !== undefined;
}
