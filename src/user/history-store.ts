// The per-user history ring, which also carries the user: slot = seq mod HISTORY_LIMIT, and
// the newest slot's `state_after`, `app` and `account` are the user's state and identity. One
// upsert per callback.
import type {
  AccountId,
  Action,
  AppId,
  Effect,
  Outcome,
  Platform,
  PresenceEvent,
  PresenceState,
  UserStatus,
} from "../presence/types";
import type { Sql } from "../lib/sql";

/** Where a history entry came from: a Tencent callback or a reconcile correction. */
export type Source = "callback" | "reconcile";

/** One history entry as the read API shows it. */
export interface HistoryEntry {
  readonly seq: number;
  readonly eventTime: number;
  readonly receivedAt: number;
  readonly action: Action | "Reconcile";
  readonly reason: string;
  readonly platform: Platform;
  readonly clientIp: string | null;
  readonly kicked: readonly Platform[];
  readonly outcome: Outcome;
  readonly status: UserStatus;
  readonly source: Source;
}

/** What one write stores: the entry, what it did, and the state after it. */
export interface EntryToWrite extends HistoryEntry {
  /** Whose object this is, in every row: the newest row tells an alarm, which has no caller. */
  readonly app: AppId;
  readonly account: AccountId;
  readonly effects: readonly Effect[];
  readonly state: PresenceState;
  /** The state as JSON: the text stored, made once per state (see UserPresence.commit). */
  readonly stateText: string;
  /** Digest of a signed request (RequestTime, Sign, body), to recognise a re-sent one. */
  readonly requestKey: string | null;
  /** Subscribers that wanted one of the effects when it was written (where their cursors start). */
  readonly audience: readonly string[] | null;
  /**
   * The who-is-online key the user's shard had acknowledged when this row was written
   * (src/online/feed.ts): a restart between the commit and the send is caught on the next load.
   */
  readonly indexKey: string | null;
}

/** The parts of an entry known before reducing: what arrived, and from where. */
export type EntryInput = Pick<
  EntryToWrite,
  "eventTime" | "receivedAt" | "action" | "reason" | "platform" | "clientIp" | "kicked" | "source" | "requestKey"
>;

/** The entry a callback makes, before its outcome is known. */
export function callbackEntry(event: PresenceEvent, requestKey: string | null): EntryInput {
  const { eventTime, receivedAt, action, reason, platform, clientIp, kicked } = event;
  return { eventTime, receivedAt, action, reason, platform, clientIp, kicked, source: "callback", requestKey };
}

/** The object as loading finds it: identity, state, and the newest entry's position and time. */
export interface LoadedUser {
  readonly app: AppId;
  readonly account: AccountId;
  readonly state: PresenceState;
  /** `state` as stored (JSON): a duplicate or stale callback, which keeps the state, reuses it. */
  readonly stateText: string;
  /** The newest entry's seq. */
  readonly seq: number;
  /** Receive time of the newest entry (callback of any outcome, or correction): last activity. */
  readonly lastActivity: number;
  /** The newest row's `index_key`: what the user's index shard had acknowledged when it was written. */
  readonly indexKey: string | null;
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
  source: string;
}

/** Most entries kick nobody and have no effects: their lists need no serialiser. */
const listText = (list: readonly unknown[]) => (list.length === 0 ? "[]" : JSON.stringify(list));

export function writeEntry(sql: Sql, limit: number, e: EntryToWrite): void {
  // An upsert, not INSERT OR REPLACE: REPLACE deletes and inserts, two written rows.
  sql`INSERT INTO history (slot, seq, event_time, received_at, action, reason, platform, client_ip, kicked, outcome,
                           status, effects, state_after, source, request_key, audience, app, account, index_key)
      VALUES (${e.seq % limit}, ${e.seq}, ${e.eventTime}, ${e.receivedAt}, ${e.action}, ${e.reason}, ${e.platform},
              ${e.clientIp}, ${listText(e.kicked)}, ${e.outcome}, ${e.status}, ${listText(e.effects)},
              ${e.stateText}, ${e.source}, ${e.requestKey},
              ${e.audience === null ? null : JSON.stringify(e.audience)}, ${e.app}, ${e.account}, ${e.indexKey})
      ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, event_time = excluded.event_time,
        received_at = excluded.received_at, action = excluded.action, reason = excluded.reason,
        platform = excluded.platform, client_ip = excluded.client_ip, kicked = excluded.kicked,
        outcome = excluded.outcome, status = excluded.status, effects = excluded.effects,
        state_after = excluded.state_after, source = excluded.source, request_key = excluded.request_key,
        audience = excluded.audience, app = excluded.app, account = excluded.account,
        index_key = excluded.index_key`;
}

/**
 * Loading after eviction: identity, the newest entry with its state, whether the ring must be
 * rearranged for a changed HISTORY_LIMIT, and whether anyone ever watched this user (so the
 * watcher registry needs no query of its own), in one query. Slots are written for every seq
 * in turn, so with an unchanged limit every entry is in place: nothing misplaced means nothing
 * to trim. Throws when the table does not exist, or lacks a column added since (see schema.ts).
 */
export function loadNewest(sql: Sql, limit: number): { user: LoadedUser | null; misplaced: number; watched: boolean } {
  const row = sql<{
    app: string | null;
    account: string | null;
    seq: number | null;
    received_at: number | null;
    state_after: string | null;
    index_key: string | null;
    misplaced: number;
    watched: number;
  }>`SELECT h.app, h.account, h.seq, h.received_at, h.state_after, h.index_key, s.misplaced,
            (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'watchers') AS watched
     FROM (SELECT max(seq) AS top, total(slot != seq % ${limit}) AS misplaced FROM history) s
     LEFT JOIN history h ON h.seq = s.top`[0];
  // The aggregate always gives one row; an empty ring gives a null seq.
  const watched = (row?.watched ?? 0) > 0;
  if (row === undefined || row.seq === null || row.state_after === null) return { user: null, misplaced: 0, watched };
  // Every row written since identity moved into the history carries it, and an upgrade puts it
  // in the newest row of an older object: a newest row without it is a broken store.
  if (row.app === null || row.account === null) throw new Error("the newest history row has no identity");
  return {
    user: {
      app: row.app as AppId,
      account: row.account as AccountId,
      state: JSON.parse(row.state_after) as PresenceState,
      stateText: row.state_after,
      seq: row.seq,
      lastActivity: row.received_at ?? 0,
      indexKey: row.index_key,
    },
    misplaced: row.misplaced,
    watched,
  };
}

/** Request digests received since `since` (receive time), to recognise re-sent requests. */
export function recentRequestKeys(sql: Sql, since: number): Map<string, number> {
  const rows = sql<{ request_key: string; received_at: number }>`
    SELECT request_key, received_at FROM history WHERE request_key IS NOT NULL AND received_at >= ${since}`;
  return new Map(rows.map((r) => [r.request_key, r.received_at]));
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
      ? sql<HistoryRow>`SELECT seq, event_time, received_at, action, reason, platform, client_ip, kicked, outcome,
                               status, source FROM history ORDER BY seq DESC LIMIT ${limit}`
      : sql<HistoryRow>`SELECT seq, event_time, received_at, action, reason, platform, client_ip, kicked, outcome,
                               status, source FROM history WHERE seq < ${beforeSeq} ORDER BY seq DESC LIMIT ${limit}`;
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
    source: r.source as Source,
  }));
}
