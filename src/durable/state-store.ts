// The whole presence state of one user is one row: one written row per applied callback.
import type { AccountId, AppId, PresenceState } from "../presence/types";
import type { Sql } from "./sql";

export interface StoredState {
  readonly app: AppId;
  readonly account: AccountId;
  readonly state: PresenceState;
}

export function readState(sql: Sql): StoredState | null {
  const row = sql<{ app: string; account: string; data: string }>`SELECT app, account, data FROM state WHERE id = 1`[0];
  if (row === undefined) return null;
  return { app: row.app as AppId, account: row.account as AccountId, state: JSON.parse(row.data) as PresenceState };
}

export function writeState(sql: Sql, stored: StoredState): void {
  sql`INSERT INTO state (id, app, account, data) VALUES (1, ${stored.app}, ${stored.account}, ${JSON.stringify(stored.state)})
      ON CONFLICT (id) DO UPDATE SET data = excluded.data`;
}
