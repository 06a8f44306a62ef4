// The Online page's chart model (console/src/online-chart-model.ts): which history a range asks
// for, the live count laid over the newest point, the layout, and keyboard steps.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUCKET_MS,
  chartLayout,
  historyQuery,
  nearestPoint,
  niceMax,
  RANGES,
  stepPoint,
  withLiveCount,
  type ChartRange,
} from "../../console/src/online-chart-model";
import type { CountsPoint } from "../../console/src/types";

const M = 60_000;
const point = (t: number, online: number, peak = online, min = online): CountsPoint => ({ t, online, peak, min });

describe("historyQuery", () => {
  it("asks for whole buckets up to the one in progress, within the API's 1 500 points", () => {
    const now = Date.UTC(2026, 0, 10, 12, 34, 56);
    expect(historyQuery("day", now)).toEqual({
      from: Date.UTC(2026, 0, 9, 12, 35),
      to: Date.UTC(2026, 0, 10, 12, 35),
      resolution: "minute",
    });
    expect(historyQuery("week", now)).toMatchObject({ from: Date.UTC(2026, 0, 3, 13), resolution: "hour" });
    expect(historyQuery("quarter", now)).toMatchObject({ to: Date.UTC(2026, 0, 11), resolution: "day" });
    for (const range of Object.keys(RANGES) as ChartRange[]) {
      const q = historyQuery(range, now);
      const points = (q.to - q.from) / BUCKET_MS[q.resolution];
      expect(points).toBe(RANGES[range].buckets);
      expect(points).toBeLessThanOrEqual(1500);
      expect(q.from).toBeLessThanOrEqual(now);
      expect(q.to).toBeGreaterThan(now);
    }
  });
});

describe("withLiveCount", () => {
  it("updates the bucket in progress, widening its peak and min, or starts the next one", () => {
    const t = 100 * M;
    const points = [point(t - M, 3), point(t, 4, 6, 2)];
    expect(withLiveCount(points, "minute", t + 5000, 7)).toEqual([point(t - M, 3), point(t, 7, 7, 2)]);
    expect(withLiveCount(points, "minute", t + 5000, 1)).toEqual([point(t - M, 3), point(t, 1, 6, 1)]);
    expect(withLiveCount(points, "minute", t + M, 5)).toEqual([...points, point(t + M, 5)]);
    expect(withLiveCount([], "hour", t, 2)).toEqual([point(Math.floor(t / 3_600_000) * 3_600_000, 2)]);
    // Counts older than the newest point (a late message) change nothing.
    expect(withLiveCount(points, "minute", t - M - 1, 9)).toEqual(points);
    expect(points).toEqual([point(t - M, 3), point(t, 4, 6, 2)]); // left as it was
  });
});

describe("chartLayout", () => {
  const box = { width: 400, height: 200, left: 40, bottom: 20, pad: 10 };

  it("maps time across and counts up, from 0 to a round top", () => {
    const layout = chartLayout([point(0, 0), point(50, 7, 9, 0), point(100, 3)], 0, 100, box);
    expect(layout.top).toBe(10);
    expect(layout.line).toBe("40,180 215,61 390,129");
    expect(layout.dots).toHaveLength(3);
    expect(layout.yTicks.map((t) => t.value)).toEqual([0, 5, 10]);
    expect(layout.band.split(" ")).toHaveLength(6); // peaks across, mins back
  });

  it("keeps every point inside the box", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 1000 }), online: fc.nat(5000) }), { minLength: 1 }),
        (raw) => {
          const points = raw.map((p) => point(p.t, p.online, p.online + 1, Math.max(p.online - 1, 0)));
          const layout = chartLayout(points, 0, 1000, box);
          for (const d of layout.dots) {
            expect(d.x).toBeGreaterThanOrEqual(box.left);
            expect(d.x).toBeLessThanOrEqual(box.width - box.pad);
            expect(d.y).toBeGreaterThanOrEqual(box.pad);
            expect(d.y).toBeLessThanOrEqual(box.height - box.bottom);
          }
        },
      ),
    );
  });

  it("rounds the top to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 2, 3, 7, 10, 11, 260, 999, 1001].map(niceMax)).toEqual([1, 1, 2, 5, 10, 10, 20, 500, 1000, 2000]);
  });
});

describe("moving between points", () => {
  it("finds the nearest point and steps by key, staying in range", () => {
    const points = [point(0, 1), point(10, 1), point(30, 1)];
    expect(nearestPoint(points, 14)).toBe(1);
    expect(nearestPoint(points, 21)).toBe(2);
    expect(nearestPoint([], 5)).toBeNull();
    expect(stepPoint("ArrowLeft", null, 3)).toBe(1); // from the newest
    expect(stepPoint("ArrowRight", 2, 3)).toBe(2);
    expect(stepPoint("Home", 2, 3)).toBe(0);
    expect(stepPoint("End", 0, 3)).toBe(2);
    expect(stepPoint("PageDown", 0, 100)).toBe(10);
    expect(stepPoint("a", 0, 3)).toBeNull();
    expect(stepPoint("Home", null, 0)).toBeNull();
  });
});
