// The rows of an app's totals object (SPEC §12): the counts over time, one row per stored point
// of each resolution, and whose object it is (an alarm that wakes it cold has no caller to say).
//
// Rows written are the bill: a finished minute is its minute row and the merge into its hour's
// and day's rows, three rows a minute at most and none per callback; a minute in which nothing
// changed stores nothing (the reader carries the value forward). Old points go as new ones are
// written (retention, series.ts), except the newest point before the cutoff: it is the value a
// reader carries into the kept range when nothing changed for longer than that.
import { tableExists, type Sql } from "../lib/sql";
import type { AppId, EpochMs } from "../presence/types";
import { bucketStart, mergePoint, retentionCutoff, RESOLUTIONS, type Resolution, type SeriesPoint } from "./series";

export interface TotalsIdentity {
  readonly app: AppId;
  readonly shards: number;
}

/** The tables and the identity row, in the transaction of the first write. */
export function createTotalsTables(sql: Sql, identity: TotalsIdentity): void {
  sql`CREATE TABLE IF NOT EXISTS points (
    resolution TEXT NOT NULL,
    t INTEGER NOT NULL,
    online INTEGER NOT NULL,
    peak INTEGER NOT NULL,
    min INTEGER NOT NULL,
    PRIMARY KEY (resolution, t)
  ) WITHOUT ROWID`;
  sql`CREATE TABLE IF NOT EXISTS identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    app TEXT NOT NULL,
    shards INTEGER NOT NULL
  )`;
  sql`INSERT INTO identity (id, app, shards) VALUES (1, ${identity.app}, ${identity.shards}) ON CONFLICT DO NOTHING`;
}

export const totalsTablesExist = (sql: Sql): boolean => tableExists(sql, "points");

export function readIdentity(sql: Sql): TotalsIdentity | null {
  const row = sql<{ app: string; shards: number }>`SELECT app, shards FROM identity WHERE id = 1`[0];
  return row === undefined ? null : { app: row.app as AppId, shards: row.shards };
}

/** The newest stored minute's `online`, null when none. */
export function newestMinute(sql: Sql): number | null {
  return (
    sql<{ online: number }>`
    SELECT online FROM points WHERE resolution = 'minute' ORDER BY t DESC LIMIT 1`[0]?.online ?? null
  );
}

function readPoint(sql: Sql, resolution: Resolution, t: EpochMs): SeriesPoint | null {
  return (
    sql<{ t: number; online: number; peak: number; min: number }>`
      SELECT t, online, peak, min FROM points WHERE resolution = ${resolution} AND t = ${t}`[0] ?? null
  );
}

function writePoint(sql: Sql, resolution: Resolution, p: SeriesPoint): void {
  sql`INSERT INTO points (resolution, t, online, peak, min)
      VALUES (${resolution}, ${p.t}, ${p.online}, ${p.peak}, ${p.min})
      ON CONFLICT (resolution, t) DO UPDATE SET online = excluded.online, peak = excluded.peak, min = excluded.min`;
}

/**
 * Stores a finished minute: its row, its hour's and its day's (merged with what they hold), and
 * deletes the points past retention, the newest of them kept. Run in a transaction.
 */
export function storeMinute(sql: Sql, point: SeriesPoint, minuteDays: number, now: EpochMs): void {
  writePoint(sql, "minute", point);
  for (const resolution of ["hour", "day"] as const) {
    writePoint(
      sql,
      resolution,
      mergePoint(readPoint(sql, resolution, bucketStart(point.t, resolution)), point, resolution),
    );
  }
  for (const resolution of RESOLUTIONS) {
    const cutoff = retentionCutoff(resolution, now, minuteDays);
    sql`DELETE FROM points WHERE resolution = ${resolution} AND t < (
          SELECT max(t) FROM points WHERE resolution = ${resolution} AND t < ${cutoff})`;
  }
}

/**
 * The stored points of `resolution` that start in [from, to), and the newest one before `from`
 * (the value carried into the range), in time order.
 */
export function readPoints(sql: Sql, resolution: Resolution, from: EpochMs, to: EpochMs): SeriesPoint[] {
  const before = sql<{ t: number; online: number; peak: number; min: number }>`
    SELECT t, online, peak, min FROM points WHERE resolution = ${resolution} AND t < ${from} ORDER BY t DESC LIMIT 1`;
  const within = sql<{ t: number; online: number; peak: number; min: number }>`
    SELECT t, online, peak, min FROM points WHERE resolution = ${resolution} AND t >= ${from} AND t < ${to}
    ORDER BY t`;
  return [...before, ...within].map(({ t, online, peak, min }) => ({ t, online, peak, min }));
}
