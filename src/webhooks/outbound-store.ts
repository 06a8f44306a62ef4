// Storage of the webhook shell: cursors, the log the cursors read, spill and dead letters.
// The tables are created by the first delivery run, not by a callback: `outbound` is one row
// of per-subscriber cursors over the history, `spill` keeps a history entry a cursor still
// needs when its ring slot is reused, `dead_letter` the dead (and requeued) deliveries.
import type { PresenceState } from "../presence/types";
import type { SubscriberCursor } from "./cursor";
import type { LogEntry } from "./events";
import { tableExists, type Sql } from "../lib/sql";

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

/** Cursors of every subscriber that has been seen by this user, by subscriber id. */
export type Cursors = Readonly<Record<string, SubscriberCursor>>;

export function readCursors(sql: Sql): Cursors | null {
  const row = sql<{ cursors: string }>`SELECT cursors FROM outbound WHERE id = 1`[0];
  return row === undefined ? null : (JSON.parse(row.cursors) as Cursors);
}

export function writeCursors(sql: Sql, cursors: Cursors): void {
  sql`INSERT INTO outbound (id, cursors) VALUES (1, ${JSON.stringify(cursors)})
      ON CONFLICT (id) DO UPDATE SET cursors = excluded.cursors`;
}

export interface StoredLog {
  readonly entries: LogEntry[];
  readonly states: Map<number, PresenceState>;
}

interface LogRow extends Record<string, string | number | null> {
  seq: number;
  event_time: number;
  received_at: number;
  effects: string;
  state_after: string;
  source: string;
  audience: string | null;
}

/** Changes from `fromSeq` on that had effects (what a subscriber may want). */
export function readLog(sql: Sql, fromSeq: number): StoredLog {
  const rows = [
    ...sql<LogRow>`SELECT seq, event_time, received_at, effects, state_after, source, NULL AS audience FROM spill
                   WHERE seq >= ${fromSeq}`,
    ...sql<LogRow>`SELECT seq, event_time, received_at, effects, state_after, source, audience FROM history
                   WHERE seq >= ${fromSeq} AND state_after IS NOT NULL AND effects != '[]'`,
  ];
  const states = new Map<number, PresenceState>();
  const entries: LogEntry[] = [];
  for (const r of rows.sort((a, b) => a.seq - b.seq)) {
    if (states.has(r.seq)) continue;
    states.set(r.seq, JSON.parse(r.state_after) as PresenceState);
    entries.push({
      seq: r.seq,
      eventTime: r.event_time,
      receivedAt: r.received_at,
      effects: JSON.parse(r.effects),
      source: r.source === "reconcile" ? "reconcile" : "callback",
      audience: r.audience === null ? [] : (JSON.parse(r.audience) as string[]),
    });
  }
  return { entries, states };
}

/**
 * Before a history slot is reused, keeps its entry if a cursor still needs it. One statement,
 * and a written row only in that case (a subscriber behind by a whole ring).
 */
export function spillSlot(sql: Sql, slot: number, fromSeq: number): void {
  sql`INSERT OR IGNORE INTO spill (seq, event_time, received_at, effects, state_after, source)
      SELECT seq, event_time, received_at, effects, state_after, source FROM history
      WHERE slot = ${slot} AND seq >= ${fromSeq} AND state_after IS NOT NULL AND effects != '[]'`;
}

/** The same, for the entries a smaller HISTORY_LIMIT is about to trim. */
export function spillBeforeTrim(sql: Sql, limit: number, newestSeq: number, fromSeq: number): void {
  sql`INSERT OR IGNORE INTO spill (seq, event_time, received_at, effects, state_after, source)
      SELECT seq, event_time, received_at, effects, state_after, source FROM history
      WHERE seq <= ${newestSeq - limit} AND seq >= ${fromSeq} AND state_after IS NOT NULL AND effects != '[]'`;
}

export function trimSpill(sql: Sql, beforeSeq: number): void {
  sql`DELETE FROM spill WHERE seq < ${beforeSeq}`;
}

export interface DeadLetter {
  readonly subscriber: string;
  readonly position: number;
  readonly id: string;
  readonly type: string;
  readonly seq: number;
  readonly state: "dead" | "requeued";
  readonly attempts: number;
  readonly nextAt: number;
  readonly lastError: string | null;
  readonly body: string;
}

interface DeadRow extends Record<string, string | number | null> {
  subscriber: string;
  position: number;
  id: string;
  type: string;
  seq: number;
  state: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
  body: string;
}

const fromRow = (r: DeadRow): DeadLetter => ({
  subscriber: r.subscriber,
  position: r.position,
  id: r.id,
  type: r.type,
  seq: r.seq,
  state: r.state as DeadLetter["state"],
  attempts: r.attempts,
  nextAt: r.next_at,
  lastError: r.last_error,
  body: r.body,
});

export function putDeadLetter(sql: Sql, d: DeadLetter): void {
  sql`INSERT INTO dead_letter (subscriber, position, id, type, seq, state, attempts, next_at, last_error, body)
      VALUES (${d.subscriber}, ${d.position}, ${d.id}, ${d.type}, ${d.seq}, ${d.state}, ${d.attempts}, ${d.nextAt},
              ${d.lastError}, ${d.body})
      ON CONFLICT (subscriber, position) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
        next_at = excluded.next_at, last_error = excluded.last_error`;
}

export function deleteDeadLetter(sql: Sql, subscriber: string, position: number): void {
  sql`DELETE FROM dead_letter WHERE subscriber = ${subscriber} AND position = ${position}`;
}

export function listDeadLetters(sql: Sql): DeadLetter[] {
  return sql<DeadRow>`SELECT * FROM dead_letter ORDER BY subscriber, position`.map(fromRow);
}

export function requeuedFor(sql: Sql, subscriber: string): DeadLetter[] {
  return sql<DeadRow>`SELECT * FROM dead_letter WHERE subscriber = ${subscriber} AND state = 'requeued'
                      ORDER BY position`.map(fromRow);
}

/** Requeues a subscriber's dead letters; returns how many. */
export function requeueDead(sql: Sql, subscriber: string, now: number): number {
  return sql<{ n: number }>`UPDATE dead_letter SET state = 'requeued', attempts = 0, next_at = ${now}
      WHERE subscriber = ${subscriber} AND state = 'dead' RETURNING 1 AS n`.length;
}
