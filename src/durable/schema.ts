// Tables of one user's Durable Object. Created on the first write, never by a read, so
// looking up a never-seen user leaves no storage behind.
//
// Rows written are the bill, so:
// - `state` is one row holding the whole presence state: an applied callback rewrites it once.
// - `history` is a ring of HISTORY_LIMIT slots (slot = seq mod limit) updated in place, so
//   the bound costs no extra delete per callback. No secondary index: every index would
//   add a written row to every callback.
// - Webhooks add no row per delivery: `history.state_after` keeps the user's state after a
//   change that some subscriber wants (same row, no extra write), `outbound` is one row of
//   per-subscriber cursors over the history, `spill` keeps a history entry a cursor still
//   needs when its ring slot is reused, and `dead_letter` holds dead (and requeued) deliveries.
import type { Sql } from "./sql";

export function tablesExist(sql: Sql): boolean {
  return sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state'`.length > 0;
}

/** Webhook tables are created only when subscribers are configured: no cost without them. */
export function createTables(sql: Sql, withWebhooks: boolean): void {
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
    effects TEXT NOT NULL,
    state_after TEXT
  )`;
  if (withWebhooks) createWebhookTables(sql);
}

function createWebhookTables(sql: Sql): void {
  sql`CREATE TABLE IF NOT EXISTS outbound (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursors TEXT NOT NULL
  )`;
  sql`CREATE TABLE IF NOT EXISTS spill (
    seq INTEGER PRIMARY KEY,
    event_time INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    effects TEXT NOT NULL,
    state_after TEXT NOT NULL
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

/** True when the webhook tables (schema 2) exist. */
export function webhookTablesExist(sql: Sql): boolean {
  return sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbound'`.length > 0;
}

/** Adds the webhook tables (and, to a schema-1 object, the history column). Write paths only. */
export function migrateToWebhooks(sql: Sql): void {
  const columns = sql<{ name: string }>`SELECT name FROM pragma_table_info('history')`;
  if (!columns.some((c) => c.name === "state_after")) sql`ALTER TABLE history ADD COLUMN state_after TEXT`;
  createWebhookTables(sql);
}
