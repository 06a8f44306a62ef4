// Counts over time (SPEC §12, GET /online/history): how many users were online, per minute,
// hour and day. The app's totals object observes the app-wide `online` after every shard push;
// this file is its arithmetic, pure and clockless (time arrives as data).
//
// Write side: the minute in progress lives in memory (end, peak, min); when the next minute
// begins its point is finished and stored, and merged into its hour's and day's points, so
// storage costs three rows a minute per app, none per callback. A minute in which nothing
// changed stores nothing: a reader carries the previous value forward over it.
//
// Read side: a point for each bucket start in [from, to), from the first stored bucket on, the
// buckets with no row carried forward (online = peak = min = the previous end), none after
// `now`, and the unfinished minute taken from memory. Buckets are aligned to UTC.
import type { EpochMs } from "../presence/types";

export const RESOLUTIONS = ["minute", "hour", "day"] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const BUCKET_MS: Readonly<Record<Resolution, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** Points one history request may ask for (more → 400). */
export const MAX_POINTS = 1500;
const DAY_MS = 86_400_000;
/** Hour points are kept this long; minute points ONLINE_HISTORY_DAYS. */
export const HOUR_RETENTION_DAYS = 90;
/** Day points are kept this long (two years). */
export const DAY_RETENTION_DAYS = 730;

/** One bucket: `t` its start, `online` at its end, `peak` and `min` within it. */
export interface SeriesPoint {
  readonly t: EpochMs;
  readonly online: number;
  readonly peak: number;
  readonly min: number;
}

/** The start of the bucket of `resolution` that holds `t`. */
export function bucketStart(t: EpochMs, resolution: Resolution): EpochMs {
  const size = BUCKET_MS[resolution];
  return Math.floor(t / size) * size;
}

// ---- the minute in progress -------------------------------------------------------------

/** The minute in progress: what `online` was at its start, is now, and its extremes so far. */
export interface MinuteTracker {
  /** The minute's start. */
  readonly minute: EpochMs;
  /** The value when the minute began (the previous minute's end); null when none is known. */
  readonly start: number | null;
  readonly end: number;
  readonly peak: number;
  readonly min: number;
}

/** What moving the tracker did: the tracker now, and the minute it finished if that is to be stored. */
export interface TrackerStep {
  readonly tracker: MinuteTracker;
  /** The finished minute's point; null when no minute finished or the one that did changed nothing. */
  readonly finished: SeriesPoint | null;
}

/**
 * A tracker whose first value is `value` at `t`. `start` is the newest stored minute's `online`
 * (null when none): after a restart the minute then records the change missed meanwhile.
 */
export function startTracker(t: EpochMs, value: number, start: number | null): MinuteTracker {
  return {
    minute: bucketStart(t, "minute"),
    start,
    end: value,
    peak: start === null ? value : Math.max(start, value),
    min: start === null ? value : Math.min(start, value),
  };
}

/** The tracker's minute as a point (the unfinished minute a reader is shown). */
export function trackerPoint(tracker: MinuteTracker): SeriesPoint {
  return { t: tracker.minute, online: tracker.end, peak: tracker.peak, min: tracker.min };
}

/**
 * Whether the tracker's minute holds a change to store when it ends: a minute that only held its
 * start value says nothing the reader's carry-forward does not.
 */
export function minuteHoldsChange(tracker: MinuteTracker): boolean {
  return tracker.start === null || tracker.peak !== tracker.start || tracker.min !== tracker.start;
}

function storable(tracker: MinuteTracker): SeriesPoint | null {
  return minuteHoldsChange(tracker) ? trackerPoint(tracker) : null;
}

/** Finishes the tracker's minute if `t` is in a later one; the new minute begins at the old end. */
export function rollTracker(tracker: MinuteTracker, t: EpochMs): TrackerStep {
  const minute = bucketStart(t, "minute");
  if (minute <= tracker.minute) return { tracker, finished: null };
  const { end } = tracker;
  return { tracker: { minute, start: end, end, peak: end, min: end }, finished: storable(tracker) };
}

/**
 * Records `value` observed at `t`. A time in a later minute finishes the current one first; a
 * time before the tracker's minute (a clock that stepped back) counts in the current minute.
 */
export function observeOnline(tracker: MinuteTracker, t: EpochMs, value: number): TrackerStep {
  const step = rollTracker(tracker, t);
  const current = step.tracker;
  return {
    tracker: { ...current, end: value, peak: Math.max(current.peak, value), min: Math.min(current.min, value) },
    finished: step.finished,
  };
}

/** When the tracker's minute ends (the totals object's alarm stores it then). */
export function minuteEnd(tracker: MinuteTracker): EpochMs {
  return tracker.minute + BUCKET_MS.minute;
}

// ---- hours and days ---------------------------------------------------------------------

/**
 * Merges a finished minute's point into the stored point of its bucket of `resolution`
 * (`into`: null, or a point of another bucket, starts the bucket afresh). Points must come in
 * time order: `online` is the latest one's end.
 */
export function mergePoint(into: SeriesPoint | null, point: SeriesPoint, resolution: Resolution): SeriesPoint {
  const t = bucketStart(point.t, resolution);
  if (into === null || into.t !== t) return { t, online: point.online, peak: point.peak, min: point.min };
  return { t, online: point.online, peak: Math.max(into.peak, point.peak), min: Math.min(into.min, point.min) };
}

/** Minute points (any order) rolled up into the points of `resolution`, in time order. */
export function rollup(points: readonly SeriesPoint[], resolution: Resolution): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const p of [...points].sort((a, b) => a.t - b.t)) {
    const last = out.at(-1) ?? null;
    const merged = mergePoint(last, p, resolution);
    if (last !== null && last.t === merged.t) out[out.length - 1] = merged;
    else out.push(merged);
  }
  return out;
}

// ---- reading ----------------------------------------------------------------------------

/** Bucket starts of `resolution` in [from, to). */
export function bucketCount(from: EpochMs, to: EpochMs, resolution: Resolution): number {
  const size = BUCKET_MS[resolution];
  return Math.max(0, Math.ceil(to / size) - Math.ceil(from / size));
}

/** What is wrong with a history range, or null when it may be read. */
export function historyRangeProblem(from: EpochMs, to: EpochMs, resolution: Resolution): string | null {
  if (from >= to) return "from must be before to";
  const count = bucketCount(from, to, resolution);
  if (count <= MAX_POINTS) return null;
  const coarser = resolution === "minute" ? "resolution=hour or day" : resolution === "hour" ? "resolution=day" : null;
  return (
    `from–to holds ${count} ${resolution} points, more than the ${MAX_POINTS} a request may ask for: ` +
    `narrow from–to${coarser === null ? "" : `, or ask for ${coarser}`}`
  );
}

export interface HistoryWindow {
  readonly resolution: Resolution;
  readonly from: EpochMs;
  readonly to: EpochMs;
  readonly now: EpochMs;
}

/** `rows` with the live minute merged into its bucket, in time order. */
function withLive(rows: readonly SeriesPoint[], live: SeriesPoint | null, resolution: Resolution): SeriesPoint[] {
  const sorted = [...rows].sort((a, b) => a.t - b.t);
  if (live === null) return sorted;
  const t = bucketStart(live.t, resolution);
  const at = sorted.findIndex((r) => r.t >= t);
  if (at === -1) return [...sorted, mergePoint(null, live, resolution)];
  if (sorted[at]!.t === t) sorted[at] = mergePoint(sorted[at]!, live, resolution);
  else sorted.splice(at, 0, mergePoint(null, live, resolution));
  return sorted;
}

/**
 * The points of `window`: `rows` are the stored points of its resolution (any order; those
 * before `from` only give the value carried into it, so the newest one before `from` is enough),
 * `live` the tracker's point of the minute in progress (null when none). Throws a RangeError for
 * a window historyRangeProblem refuses.
 */
export function fillSeries(
  window: HistoryWindow,
  rows: readonly SeriesPoint[],
  live: SeriesPoint | null,
): SeriesPoint[] {
  const { resolution, from, to, now } = window;
  const problem = historyRangeProblem(from, to, resolution);
  if (problem !== null) throw new RangeError(problem);
  const size = BUCKET_MS[resolution];
  const points = withLive(rows, live, resolution);
  const out: SeriesPoint[] = [];
  let carry: number | null = null;
  let i = 0;
  for (let t = Math.ceil(from / size) * size; t < to && t <= now; t += size) {
    while (i < points.length && points[i]!.t < t) carry = points[i++]!.online;
    if (i < points.length && points[i]!.t === t) {
      const row = points[i++]!;
      out.push(row);
      carry = row.online;
    } else if (carry !== null) {
      out.push({ t, online: carry, peak: carry, min: carry });
    }
  }
  return out;
}

// ---- retention --------------------------------------------------------------------------

/**
 * Points of `resolution` that start before this time are deleted (minute points after
 * `minuteDays`, ONLINE_HISTORY_DAYS; hour points after 90 days; day points after two years).
 * Keeping the newest point before the cutoff is worth its row: it is the value a reader carries
 * into the kept range when nothing changed for longer than it.
 */
export function retentionCutoff(resolution: Resolution, now: EpochMs, minuteDays: number): EpochMs {
  const days = resolution === "minute" ? minuteDays : resolution === "hour" ? HOUR_RETENTION_DAYS : DAY_RETENTION_DAYS;
  return now - days * DAY_MS;
}
