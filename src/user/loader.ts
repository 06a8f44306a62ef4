// Loading a user object after eviction: one query in the steady state (the newest history row,
// with the identity and state after it). Two one-off cases: an object written by an earlier
// version is upgraded (schema.ts), and a changed HISTORY_LIMIT rearranges the ring.
import { loadNewest, trimHistory, type LoadedUser } from "./history-store";
import { tablesBeforeFirstWrite, upgradeHistory } from "./schema";
import type { Sql } from "../lib/sql";

export interface Loaded {
  readonly user: LoadedUser | null;
  /** Whether a watcher registry table exists. */
  readonly watched: boolean;
}

/** SQLite's page size, the same for every object: read once per isolate. */
let pageSize: number | undefined;

/**
 * True when the database holds no table at all: every table has a root page of its own besides
 * the first (the schema page), so a one-page database is empty. Most objects are loaded this
 * way on their first callback; the size needs no query, so a never-written object costs none.
 */
function holdsNoTable(sql: Sql, storage: DurableObjectStorage): boolean {
  pageSize ??= sql<{ page_size: number }>`PRAGMA page_size`[0]?.page_size ?? 0;
  return storage.sql.databaseSize <= pageSize;
}

export function loadUser(
  sql: Sql,
  storage: DurableObjectStorage,
  limit: number,
  /** Keeps what a webhook cursor still needs before the ring is trimmed. */
  beforeTrim: (newestSeq: number) => void,
): Loaded {
  if (holdsNoTable(sql, storage)) return { user: null, watched: false };
  let found: ReturnType<typeof loadNewest>;
  try {
    found = loadNewest(sql, limit);
  } catch (error) {
    const message = String(error);
    if (!message.includes("no such table") && !message.includes("no such column")) throw error;
    // Never written (reads create nothing), or written by an earlier version.
    const tables = tablesBeforeFirstWrite(sql);
    if (!tables.older) return { user: null, watched: tables.watched };
    let upgraded = false;
    storage.transactionSync(() => (upgraded = upgradeHistory(sql)));
    if (!upgraded) return { user: null, watched: tables.watched };
    found = loadNewest(sql, limit);
  }
  const user = found.user;
  if (user !== null && found.misplaced > 0) {
    storage.transactionSync(() => {
      beforeTrim(user.seq);
      trimHistory(sql, limit, user.seq);
    });
  }
  return { user, watched: found.watched };
}
