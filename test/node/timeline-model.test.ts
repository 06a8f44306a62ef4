// The console's timeline model (console/src/timeline-model.ts): lanes per platform, state
// intervals from applied events only, one mark per event.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CUSTOM_STATUS_LANE, timeTicks, timelineModel } from "../../console/src/timeline-model";
import type { HistoryEntry } from "../../console/src/types";

let seq = 0;
const entry = (e: Partial<HistoryEntry> & Pick<HistoryEntry, "action" | "platform" | "eventTime">): HistoryEntry => ({
  seq: ++seq,
  receivedAt: e.eventTime,
  reason: "",
  clientIp: null,
  kicked: [],
  outcome: "applied",
  status: "online",
  ...e,
});

describe("timelineModel", () => {
  it("is null without events", () => {
    expect(timelineModel([], 0)).toBeNull();
  });

  it("draws a lane per platform from its applied changes, a kick ending the kicked platform's interval", () => {
    const model = timelineModel(
      [
        entry({ action: "Login", platform: "Windows", eventTime: 1000 }),
        entry({ action: "Login", platform: "iOS", eventTime: 2000, kicked: ["Windows"] }),
        entry({ action: "Disconnect", platform: "iOS", eventTime: 3000 }),
        entry({ action: "Logout", platform: "Windows", eventTime: 500, outcome: "stale" }),
      ],
      5000,
    )!;
    expect(model.start).toBe(500);
    expect(model.end).toBe(5000);
    expect(model.lanes.map((l) => l.name)).toEqual(["iOS", "Windows"]);
    const [ios, windows] = model.lanes;
    expect(ios!.segments).toEqual([
      { from: 2000, to: 3000, status: "online" },
      { from: 3000, to: 5000, status: "disconnected" },
    ]);
    expect(windows!.segments).toEqual([
      { from: 1000, to: 2000, status: "online" },
      { from: 2000, to: 5000, status: "offline" },
    ]);
    // The stale Logout is a mark on its lane but changes nothing.
    expect(windows!.marks.map((m) => m.entry.outcome)).toEqual(["stale", "applied"]);
  });

  it("puts custom status changes on their own lane, last", () => {
    const model = timelineModel(
      [
        entry({ action: "CustomStatusChange", platform: "Web", eventTime: 10 }),
        entry({ action: "Login", platform: "Web", eventTime: 5 }),
      ],
      20,
    )!;
    expect(model.lanes.map((l) => [l.name, l.marks.length, l.segments.length])).toEqual([
      ["Web", 1, 1],
      [CUSTOM_STATUS_LANE, 1, 0],
    ]);
  });

  it("has one mark per event and the same lanes whatever the order the events come in", () => {
    const platforms = ["iOS", "Android", "Web", "Windows"] as const;
    const actions = ["Login", "Logout", "Disconnect", "CustomStatusChange"] as const;
    const arbitraryEntry = fc.record({
      action: fc.constantFrom(...actions),
      platform: fc.constantFrom(...platforms),
      eventTime: fc.integer({ min: 0, max: 100_000 }),
      outcome: fc.constantFrom("applied", "stale", "duplicate" as const),
      kicked: fc.subarray([...platforms]),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryEntry, { minLength: 1, maxLength: 30 }),
        fc.infiniteStream(fc.nat()),
        (raw, shuffle) => {
          const events = raw.map((r, i) => ({ ...entry(r), seq: i + 1 }));
          const model = timelineModel(events, 200_000)!;
          expect(model.lanes.flatMap((l) => l.marks)).toHaveLength(events.length);
          const shuffled = [...events].sort(() => (shuffle.next().value % 3) - 1);
          expect(timelineModel(shuffled, 200_000)).toEqual(model);
        },
      ),
    );
  });
});

describe("timeTicks", () => {
  it("gives round times within the range, not too many", () => {
    const ticks = timeTicks(1_700_000_000_000, 1_700_000_600_000, 6);
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.length).toBeLessThanOrEqual(7);
    for (const t of ticks) expect(t % 60_000).toBe(0);
  });
});

describe("timelineModel with the current platforms", () => {
  it("ends each lane in the state the user is in now, e.g. after a reconcile correction", () => {
    const model = timelineModel(
      [
        entry({ action: "Login", platform: "iOS", eventTime: 1000 }),
        entry({ action: "Reconcile" as HistoryEntry["action"], platform: "iOS", eventTime: 3000, source: "reconcile" }),
      ],
      5000,
      { iOS: { status: "offline", since: 3000 }, Web: { status: "online", since: 500 } },
    )!;
    expect(model.start).toBe(500);
    const lanes = Object.fromEntries(model.lanes.map((l) => [l.name, l]));
    expect(lanes["iOS"]!.segments).toEqual([
      { from: 1000, to: 3000, status: "online" },
      { from: 3000, to: 5000, status: "offline" },
    ]);
    expect(lanes["iOS"]!.marks).toHaveLength(2);
    // A platform whose history was dropped still has its lane, from its `since`.
    expect(lanes["Web"]!.segments).toEqual([{ from: 500, to: 5000, status: "online" }]);
  });

  it("adds nothing when the history already ends in the current state", () => {
    const events = [entry({ action: "Login", platform: "iOS", eventTime: 1000 })];
    expect(timelineModel(events, 2000, { iOS: { status: "online", since: 1000 } })).toEqual(
      timelineModel(events, 2000),
    );
  });
});
