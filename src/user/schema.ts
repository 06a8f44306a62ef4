// Tables of one user's Durable Object. Created on the first write, never by a read, so
// looking up a never-seen user leaves no storage behind.
//
// Rows written are the bill, so one callback writes one row:
// - `history` is a ring of HISTORY_LIMIT slots (slot = seq mod limit) updated in place. Each
//   slot holds one callback (or reconcile correction), *the whole state after it* and whose
//   object this is (the alarm has no caller to ask), so the newest slot is the user: no
//   separate state or identity row to write, and a first touch creates one table. No
//   secondary index: every index would add a written row to every callback.
// - Webhook tables are created by the first delivery run, not by a callback (their DDL lives
//   with the rest of webhook storage, src/webhooks/outbound-store.ts).
// Objects written by earlier versions (a `state` row, then a `meta` identity row beside the
// history, then a history without a column added since, such as `index_key`) are brought up to
// date once, on their first load (upgradeHistory).
import { tableExists, type Sql } from "../lib/sql";

/** The user's one table, in the transaction of the first write. */
export function createUserTables(sql: Sql): void {
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
    audience TEXT,
    app TEXT,
    account TEXT,
    index_key TEXT
  )`;
}

/**
 * What an object whose history cannot be loaded as it is holds, in one query: `state` or `meta`
 * mark an object written by an earlier version, and so does a `history` that loading could not
 * read (a column added since is missing): to upgrade. `watchers` alone is a user watched before
 * its first write.
 */
export function tablesBeforeFirstWrite(sql: Sql): { older: boolean; watched: boolean } {
  const names = new Set(
    sql<{ name: string }>`SELECT name FROM sqlite_master
                          WHERE type = 'table' AND name IN ('state', 'meta', 'history', 'watchers')`.map((r) => r.name),
  );
  return { older: names.has("state") || names.has("meta") || names.has("history"), watched: names.has("watchers") };
}

/**
 * Brings an object written by an earlier version up to date, once, on its first load:
 * - before one row per callback, the state and identity were a `state` row beside the history;
 * - before identity moved into the history, it was a `meta` row;
 * - before the who-is-online index, the history had no `index_key` (null: never acknowledged, so
 *   the user joins the index on this load: src/online/feed.ts).
 * A state or meta row moves into the newest history slot, which carries both from then on; older
 * slots keep what they had (nothing old is replayed to a subscriber). Returns false when the
 * object held neither a history nor an identity, so nothing to load.
 */
export function upgradeHistory(sql: Sql): boolean {
  const hadHistory = tableExists(sql, "history");
  const state = tableExists(sql, "state")
    ? sql<{ app: string; account: string; data: string }>`SELECT app, account, data FROM state WHERE id = 1`[0]
    : undefined;
  const meta = tableExists(sql, "meta")
    ? sql<{ app: string; account: string }>`SELECT app, account FROM meta WHERE id = 1`[0]
    : undefined;
  createUserTables(sql);
  // The columns the history gained after its first version, in the order they came.
  const columns = columnsOf(sql, "history");
  if (!columns.has("state_after")) sql`ALTER TABLE history ADD COLUMN state_after TEXT`;
  if (!columns.has("source")) sql`ALTER TABLE history ADD COLUMN source TEXT NOT NULL DEFAULT 'callback'`;
  if (!columns.has("request_key")) sql`ALTER TABLE history ADD COLUMN request_key TEXT`;
  if (!columns.has("audience")) sql`ALTER TABLE history ADD COLUMN audience TEXT`;
  if (!columns.has("app")) sql`ALTER TABLE history ADD COLUMN app TEXT`;
  if (!columns.has("account")) sql`ALTER TABLE history ADD COLUMN account TEXT`;
  if (!columns.has("index_key")) sql`ALTER TABLE history ADD COLUMN index_key TEXT`;
  if (tableExists(sql, "spill") && !columnsOf(sql, "spill").has("source")) {
    sql`ALTER TABLE spill ADD COLUMN source TEXT NOT NULL DEFAULT 'callback'`;
  }
  if (state !== undefined) {
    sql`UPDATE history SET state_after = ${state.data}, app = ${state.app}, account = ${state.account}
        WHERE seq = (SELECT max(seq) FROM history)`;
  } else if (meta !== undefined) {
    sql`UPDATE history SET app = ${meta.app}, account = ${meta.account} WHERE seq = (SELECT max(seq) FROM history)`;
  }
  sql`DROP TABLE IF EXISTS state`;
  sql`DROP TABLE IF EXISTS meta`;
  return hadHistory || (state ?? meta) !== undefined;
}

function columnsOf(sql: Sql, table: "history" | "spill"): Set<string> {
  return new Set(sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.map((c) => c.name));
}
