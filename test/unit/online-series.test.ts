// Counts over time: the minute tracker, hour and day rollups, the read-side fill, the point
// limit and retention; and, against a brute-force model of the true curve, the whole write and
// read path at every resolution.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bucketCount,
  bucketStart,
  fillSeries,
  historyRangeProblem,
  MAX_POINTS,
  mergePoint,
  minuteEnd,
  observeOnline,
  RESOLUTIONS,
  retentionCutoff,
  rollTracker,
  rollup,
  startTracker,
  trackerPoint,
  BUCKET_MS,
  type MinuteTracker,
  type Resolution,
  type SeriesPoint,
} from "../../src/online/series";

const M = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0); // a minute, hour and day boundary
const pt = (t: number, online: number, peak = online, min = online): SeriesPoint => ({ t, online, peak, min });

describe("buckets", () => {
  it("start at UTC minute, hour and day boundaries", () => {
    const t = Date.UTC(2026, 0, 5, 10, 17, 42, 500);
    expect(bucketStart(t, "minute")).toBe(Date.UTC(2026, 0, 5, 10, 17));
    expect(bucketStart(t, "hour")).toBe(Date.UTC(2026, 0, 5, 10));
    expect(bucketStart(t, "day")).toBe(Date.UTC(2026, 0, 5));
    expect(bucketStart(T0, "minute")).toBe(T0);
  });
});

describe("the minute in progress", () => {
  it("keeps end, peak and min of the minute; the next minute finishes it and starts at its end", () => {
    let tr = startTracker(T0 + 1000, 10, null);
    expect(tr).toEqual({ minute: T0, start: null, end: 10, peak: 10, min: 10 });
    tr = observeOnline(tr, T0 + 2000, 14).tracker;
    tr = observeOnline(tr, T0 + 3000, 7).tracker;
    tr = observeOnline(tr, T0 + 59_999, 9).tracker;
    expect(trackerPoint(tr)).toEqual(pt(T0, 9, 14, 7));
    expect(minuteEnd(tr)).toBe(T0 + M);
    const step = observeOnline(tr, T0 + M + 5, 12);
    expect(step.finished).toEqual(pt(T0, 9, 14, 7));
    expect(step.tracker).toEqual({ minute: T0 + M, start: 9, end: 12, peak: 12, min: 9 });
  });

  it("the alarm at the minute's end finishes it; a minute in which nothing changed stores nothing", () => {
    const tr = startTracker(T0, 5, 5);
    expect(rollTracker(tr, T0 + M - 1)).toEqual({ tracker: tr, finished: null });
    const rolled = rollTracker(tr, T0 + M);
    expect(rolled.finished).toBeNull();
    expect(rolled.tracker).toEqual({ minute: T0 + M, start: 5, end: 5, peak: 5, min: 5 });
    // A change that came back within the minute is stored: its peak says something.
    const moved = observeOnline(observeOnline(rolled.tracker, T0 + M + 1, 8).tracker, T0 + M + 2, 5).tracker;
    expect(rollTracker(moved, T0 + 5 * M).finished).toEqual(pt(T0 + M, 5, 8, 5));
  });

  it("the first minute ever is stored even if it held one value (the series starts there)", () => {
    expect(rollTracker(startTracker(T0, 3, null), T0 + M).finished).toEqual(pt(T0, 3));
  });

  it("after a restart, the newest stored value starts the minute, so a change missed meanwhile is recorded", () => {
    const tr = startTracker(T0 + 30_000, 40, 25);
    expect(tr).toEqual({ minute: T0, start: 25, end: 40, peak: 40, min: 25 });
    expect(rollTracker(tr, T0 + M).finished).toEqual(pt(T0, 40, 40, 25));
  });

  it("a time before the tracker's minute (a clock that stepped back) counts in the current minute", () => {
    const step = observeOnline(startTracker(T0 + M, 5, null), T0 + 10, 2);
    expect(step.finished).toBeNull();
    expect(step.tracker).toEqual({ minute: T0 + M, start: null, end: 2, peak: 5, min: 2 });
  });
});

describe("rollup into hours and days", () => {
  it("peak is the largest, min the smallest, online the last minute's end", () => {
    const minutes = [pt(T0, 5, 6, 4), pt(T0 + 10 * M, 8, 9, 5), pt(T0 + 59 * M, 7, 8, 3), pt(T0 + H, 2, 7, 2)];
    expect(rollup(minutes, "hour")).toEqual([pt(T0, 7, 9, 3), pt(T0 + H, 2, 7, 2)]);
    expect(rollup([...minutes].reverse(), "day")).toEqual([pt(bucketStart(T0, "day"), 2, 9, 2)]);
  });

  it("mergePoint starts afresh when the stored point is of another bucket", () => {
    expect(mergePoint(pt(T0 - H, 1, 50, 0), pt(T0 + 5 * M, 3, 4, 2), "hour")).toEqual(pt(T0, 3, 4, 2));
    expect(mergePoint(null, pt(T0 + 5 * M, 3, 4, 2), "day")).toEqual(pt(bucketStart(T0, "day"), 3, 4, 2));
  });
});

describe("reading", () => {
  const window = (from: number, to: number, now: number, resolution: Resolution = "minute") => ({
    resolution,
    from,
    to,
    now,
  });

  it("carries the previous end over buckets with no row, from the first stored bucket on, none after now", () => {
    const rows = [pt(T0 + 2 * M, 5, 6, 4), pt(T0 + 5 * M, 3, 5, 3)];
    expect(fillSeries(window(T0, T0 + 10 * M, T0 + 6 * M + 30_000), rows, null)).toEqual([
      pt(T0 + 2 * M, 5, 6, 4),
      pt(T0 + 3 * M, 5),
      pt(T0 + 4 * M, 5),
      pt(T0 + 5 * M, 3, 5, 3),
      pt(T0 + 6 * M, 3),
    ]);
  });

  it("a row before `from` gives the value carried into the range; bucket starts are those ≥ from", () => {
    const rows = [pt(T0 - 100 * M, 9, 12, 1)];
    expect(fillSeries(window(T0 + 1, T0 + 3 * M, T0 + H), rows, null)).toEqual([pt(T0 + M, 9), pt(T0 + 2 * M, 9)]);
  });

  it("the unfinished minute comes from memory; the buckets after it up to now carry its value", () => {
    const rows = [pt(T0, 5)];
    const live = pt(T0 + 2 * M, 7, 8, 5);
    expect(fillSeries(window(T0, T0 + H, T0 + 3 * M + 1), rows, live)).toEqual([
      pt(T0, 5),
      pt(T0 + M, 5),
      live,
      pt(T0 + 3 * M, 7),
    ]);
  });

  it("the unfinished hour is its stored point merged with the minute in memory", () => {
    const rows = [pt(T0 - H, 4), pt(T0, 6, 9, 4)];
    const live = pt(T0 + 30 * M, 2, 6, 2);
    expect(fillSeries(window(T0 - H, T0 + H, T0 + 30 * M, "hour"), rows, live)).toEqual([
      pt(T0 - H, 4),
      pt(T0, 2, 9, 2),
    ]);
    // With no stored point yet for the hour, the minute alone is it.
    expect(fillSeries(window(T0 - H, T0 + H, T0 + 30 * M, "hour"), [pt(T0 - H, 4)], live)).toEqual([
      pt(T0 - H, 4),
      pt(T0, 2, 6, 2),
    ]);
  });

  it("nothing stored and nothing in memory: no points", () => {
    expect(fillSeries(window(T0, T0 + H, T0 + H), [], null)).toEqual([]);
  });

  it("at most 1 500 points a request; more is refused with the limit and the fix", () => {
    expect(bucketCount(T0, T0 + MAX_POINTS * M, "minute")).toBe(1500);
    expect(historyRangeProblem(T0, T0 + MAX_POINTS * M, "minute")).toBeNull();
    expect(historyRangeProblem(T0 - D, T0, "minute")).toBeNull(); // the default: 24 h by minute
    const tooMany = historyRangeProblem(T0, T0 + MAX_POINTS * M + 1, "minute");
    expect(tooMany).toContain("1501 minute points");
    expect(tooMany).toContain("1500");
    expect(tooMany).toContain("resolution=hour or day");
    expect(historyRangeProblem(T0, T0 + 1501 * D, "day")).not.toContain("resolution=");
    expect(historyRangeProblem(T0, T0, "hour")).toBe("from must be before to");
    expect(() => fillSeries(window(T0, T0 + 1501 * M, T0), [], null)).toThrow(RangeError);
  });

  it("retention: minute points ONLINE_HISTORY_DAYS, hour points 90 days, day points two years", () => {
    const now = T0;
    expect(retentionCutoff("minute", now, 7)).toBe(now - 7 * D);
    expect(retentionCutoff("minute", now, 365)).toBe(now - 365 * D);
    expect(retentionCutoff("hour", now, 7)).toBe(now - 90 * D);
    expect(retentionCutoff("day", now, 7)).toBe(now - 730 * D);
  });
});

// ---- the whole path against the true curve -------------------------------------------------

type Step = { readonly gap: number; readonly value: number | null }; // null: the minute alarm

/** The true point of bucket [s, s+size): the value before it, then every value seen in it. */
function truePoint(observed: readonly (readonly [number, number])[], s: number, size: number): SeriesPoint | null {
  const before = observed.filter(([t]) => t < s).at(-1);
  const inside = observed.filter(([t]) => t >= s && t < s + size).map(([, v]) => v);
  const values = [...(before === undefined ? [] : [before[1]]), ...inside];
  if (values.length === 0) return null;
  return { t: s, online: values.at(-1)!, peak: Math.max(...values), min: Math.min(...values) };
}

const gap = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 90_000 }) },
  fc.integer({ min: 0, max: 1_800_000 }),
);
const step: fc.Arbitrary<Step> = fc.record({ gap, value: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 4 })) });

describe("the write and read path", () => {
  it("property: stored minutes, hours and days plus the tracker read back as the true curve", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 * D }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 0, max: H }),
        (offset, first, steps, tail) => {
          const rows: Record<Resolution, Map<number, SeriesPoint>> = {
            minute: new Map(),
            hour: new Map(),
            day: new Map(),
          };
          const store = (p: SeriesPoint | null) => {
            if (p === null) return;
            rows.minute.set(p.t, p);
            for (const r of ["hour", "day"] as const) {
              const t = bucketStart(p.t, r);
              rows[r].set(t, mergePoint(rows[r].get(t) ?? null, p, r));
            }
          };
          let t = T0 + offset;
          const observed: [number, number][] = [[t, first]];
          let tracker: MinuteTracker = startTracker(t, first, null);
          for (const s of steps) {
            t += s.gap;
            const moved = s.value === null ? rollTracker(tracker, t) : observeOnline(tracker, t, s.value);
            if (s.value !== null) observed.push([t, s.value]);
            store(moved.finished);
            tracker = moved.tracker;
          }
          const now = t + tail;
          for (const resolution of RESOLUTIONS) {
            const size = BUCKET_MS[resolution];
            const from = bucketStart(T0 + offset, resolution) - 3 * size;
            const to = bucketStart(now, resolution) + 2 * size;
            const got = fillSeries(
              { resolution, from, to, now },
              [...rows[resolution].values()],
              trackerPoint(tracker),
            );
            const want: SeriesPoint[] = [];
            for (let s = from; s <= now; s += size) {
              const p = truePoint(observed, s, size);
              if (p !== null) want.push(p);
            }
            expect(got).toEqual(want);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
