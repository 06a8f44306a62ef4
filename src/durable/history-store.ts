// The per-user history: a ring of `limit` slots, newest `limit` entries kept.
import type { Effect, Outcome, Platform, PresenceEvent, PresenceState, UserStatus } from "../presence/types";
import type { Sql } from "./sql";

export interface HistoryEntry {
  readonly seq: number;
  readonly eventTime: number;
  readonly receivedAt: number;
  readonly action: PresenceEvent["action"];
  readonly reason: string;
  readonly platform: Platform;
  readonly clientIp: string | null;
  readonly kicked: readonly Platform[];
  readonly outcome: Outcome;
  readonly status: UserStatus;
}

interface HistoryRow extends Record<string, string | number | null> {
  seq: number;
  event_time: number;
  received_at: number;
  action: string;
  reason: string;
  platform: string;
  client_ip: string | null;
  kicked: string;
  outcome: string;
  status: string;
}

export interface HistoryHead {
  /** The newest entry's seq, 0 when empty. */
  readonly seq: number;
  /** The newest entry's receive time (the user's last activity), 0 when empty. */
  readonly receivedAt: number;
  /** Entries not in the slot the current limit gives them: non-zero after HISTORY_LIMIT changed. */
  readonly misplaced: number;
}

/**
 * What loading the object needs from the history, in one pass: the newest entry, and
 * whether the ring must be rearranged for a changed HISTORY_LIMIT. Slots are written for
 * every seq in turn, so with an unchanged limit every entry is in place and older ones
 * have been overwritten: nothing misplaced means nothing to trim.
 */
export function historyHead(sql: Sql, limit: number): HistoryHead {
  const row = sql<{ seq: number; received_at: number; misplaced: number }>`
    SELECT h.seq, h.received_at, s.misplaced
    FROM (SELECT max(seq) AS top, total(slot != seq % ${limit}) AS misplaced FROM history) s
    JOIN history h ON h.seq = s.top`[0];
  return { seq: row?.seq ?? 0, receivedAt: row?.received_at ?? 0, misplaced: row?.misplaced ?? 0 };
}

export function writeHistory(
  sql: Sql,
  limit: number,
  seq: number,
  event: PresenceEvent,
  outcome: Outcome,
  status: UserStatus,
  effects: readonly Effect[],
  /** The state after this change, kept only when a webhook subscriber wants one of its effects. */
  stateAfter: PresenceState | null,
): void {
  // An upsert, not INSERT OR REPLACE: REPLACE deletes and inserts, two written rows.
  sql`INSERT INTO history (slot, seq, event_time, received_at, action, reason, platform, client_ip, kicked, outcome, status, effects, state_after)
      VALUES (${seq % limit}, ${seq}, ${event.eventTime}, ${event.receivedAt}, ${event.action}, ${event.reason},
              ${event.platform}, ${event.clientIp}, ${JSON.stringify(event.kicked)}, ${outcome}, ${status}, ${JSON.stringify(effects)},
              ${stateAfter === null ? null : JSON.stringify(stateAfter)})
      ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, event_time = excluded.event_time,
        received_at = excluded.received_at, action = excluded.action, reason = excluded.reason,
        platform = excluded.platform, client_ip = excluded.client_ip, kicked = excluded.kicked,
        outcome = excluded.outcome, status = excluded.status, effects = excluded.effects,
        state_after = excluded.state_after`;
}

/**
 * Brings the ring in line with the current HISTORY_LIMIT after it changed: drops what a
 * smaller limit no longer keeps and moves the rest to their new slots (a one-off cost).
 */
export function trimHistory(sql: Sql, limit: number, newestSeq: number): void {
  sql`DELETE FROM history WHERE seq <= ${newestSeq - limit}`;
  // Two passes through negative slots, so no row ever lands on a slot still in use.
  sql`UPDATE history SET slot = -1 - (seq % ${limit})`;
  sql`UPDATE history SET slot = -1 - slot`;
}

export function readHistory(sql: Sql, limit: number, beforeSeq: number | null): HistoryEntry[] {
  const rows =
    beforeSeq === null
      ? sql<HistoryRow>`SELECT * FROM history ORDER BY seq DESC LIMIT ${limit}`
      : sql<HistoryRow>`SELECT * FROM history WHERE seq < ${beforeSeq} ORDER BY seq DESC LIMIT ${limit}`;
  return rows.map((r) => ({
    seq: r.seq,
    eventTime: r.event_time,
    receivedAt: r.received_at,
    action: r.action as HistoryEntry["action"],
    reason: r.reason,
    platform: r.platform as Platform,
    clientIp: r.client_ip,
    kicked: JSON.parse(r.kicked) as Platform[],
    outcome: r.outcome as Outcome,
    status: r.status as UserStatus,
  }));
}
