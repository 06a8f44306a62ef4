// Loading a user object after eviction: one query in the steady state (identity and the newest
// history row with the state after it). Two one-off cases: an object written before one row
// per callback is migrated, and a changed HISTORY_LIMIT rearranges the ring.
import { loadNewest, trimHistory, type LoadedUser } from "./history-store";
import { legacyTablesExist, migrateLegacy } from "./schema";
import type { Sql } from "./sql";

export function loadUser(
  sql: Sql,
  storage: DurableObjectStorage,
  limit: number,
  /** Keeps what a webhook cursor still needs before the ring is trimmed. */
  beforeTrim: (newestSeq: number) => void,
): LoadedUser | null {
  let found: ReturnType<typeof loadNewest>;
  try {
    found = loadNewest(sql, limit);
  } catch (error) {
    if (!String(error).includes("no such table")) throw error;
    // Never written (reads create nothing), or written before one row per callback.
    if (!legacyTablesExist(sql)) return null;
    let migrated = false;
    storage.transactionSync(() => (migrated = migrateLegacy(sql)));
    if (!migrated) return null;
    found = loadNewest(sql, limit);
  }
  const user = found.user;
  if (user !== null && found.misplaced > 0) {
    storage.transactionSync(() => {
      beforeTrim(user.seq);
      trimHistory(sql, limit, user.seq);
    });
  }
  return user;
}
