// The totals object's memory: each shard's latest counts (a late, older version is ignored), their
// sum, and the minute in progress that the object stores when it ends.
import { describe, expect, it } from "vitest";
import { AppTotals } from "../../src/online/app-totals";
import { countEntries, type OnlineCounts } from "../../src/online/counts";
import type { IndexEntry } from "../../src/online/entry";

const M = 60_000;
const T0 = 1_700_000_040_000; // a minute's start
const online = (n: number): OnlineCounts =>
  countEntries(Array<IndexEntry>(n).fill({ status: "online", platforms: 1, since: 0 }));

describe("AppTotals", () => {
  it("sums the latest counts of each shard, ignoring counts older than those held", () => {
    const totals = new AppTotals(3);
    expect(totals.set(0, { counts: online(2), version: 10 }, T0).changed).toBe(true);
    expect(totals.set(2, { counts: online(5), version: 3 }, T0).changed).toBe(true);
    expect(totals.counts.online).toBe(7);
    expect(totals.set(0, { counts: online(9), version: 9 }, T0).changed).toBe(false); // late
    expect(totals.set(0, { counts: online(2), version: 11 }, T0).changed).toBe(false); // newer, same counts
    expect(totals.set(3, { counts: online(1), version: 99 }, T0).changed).toBe(false); // no such shard
    expect(totals.counts.online).toBe(7);
    expect(totals.counts.platforms.iOS).toBe(7);
  });

  it("tracks the minute from its start, and finishes it when a later minute's change or roll comes", () => {
    const totals = new AppTotals(1);
    totals.set(0, { counts: online(4), version: 1 }, T0);
    totals.start(T0 + 5000, 3); // the newest stored minute said 3
    expect(totals.minute).toMatchObject({ minute: T0, start: 3, end: 4, peak: 4, min: 3 });
    expect(totals.set(0, { counts: online(6), version: 2 }, T0 + 10_000).finished).toBeNull();
    const step = totals.set(0, { counts: online(1), version: 3 }, T0 + M + 1);
    expect(step.finished).toEqual({ t: T0, online: 6, peak: 6, min: 3 });
    expect(totals.minute).toMatchObject({ minute: T0 + M, start: 6, end: 1, peak: 6, min: 1 });
    expect(totals.roll(T0 + 2 * M)).toEqual({ t: T0 + M, online: 1, peak: 6, min: 1 });
    expect(totals.roll(T0 + 3 * M)).toBeNull(); // a minute without change stores nothing
  });

  it("before it starts, counts are held but no minute is tracked", () => {
    const totals = new AppTotals(2);
    expect(totals.set(1, { counts: online(1), version: 1 }, T0)).toEqual({ changed: true, finished: null });
    expect(totals.roll(T0 + M)).toBeNull();
    expect(totals.minute).toBeNull();
  });
});
