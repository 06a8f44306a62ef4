// The console's timeline model (console/src/timeline-model.ts): lanes per platform, state
// intervals from applied events only, one mark per event.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CUSTOM_STATUS_LANE,
  RECONCILE_LANE,
  timeTicks,
  timelineModel,
  type TimelineModel,
} from "../../console/src/timeline-model";
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
        entry({ action: "Reconcile", platform: "iOS", eventTime: 3000, status: "offline", source: "reconcile" }),
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

describe("timelineModel with reconcile entries", () => {
  const reconcile = (e: Pick<HistoryEntry, "platform" | "eventTime" | "status">) =>
    entry({ action: "Reconcile", reason: "Reconciled", source: "reconcile", ...e });
  const lanesOf = (model: TimelineModel | null) => Object.fromEntries(model!.lanes.map((l) => [l.name, l]));

  it("turns the corrected platform offline at Q, though a later login makes it online again", () => {
    const model = timelineModel(
      [
        entry({ action: "Login", platform: "iOS", eventTime: 1000 }),
        reconcile({ platform: "iOS", eventTime: 3000, status: "offline" }),
        entry({ action: "Login", platform: "iOS", eventTime: 5000 }),
      ],
      8000,
      { iOS: { status: "online", since: 5000 } },
    );
    expect(lanesOf(model)["iOS"]!.segments).toEqual([
      { from: 1000, to: 3000, status: "online" },
      { from: 3000, to: 5000, status: "offline" },
      { from: 5000, to: 8000, status: "online" },
    ]);
  });

  it("with the user offline after, every lane is offline at Q (the entry names only the first platform)", () => {
    const model = timelineModel(
      [
        entry({ action: "Login", platform: "Android", eventTime: 1000 }),
        entry({ action: "Disconnect", platform: "Web", eventTime: 1500, status: "online" }),
        reconcile({ platform: "Android", eventTime: 3000, status: "offline" }),
        entry({ action: "Login", platform: "Android", eventTime: 4000 }),
      ],
      6000,
      { Android: { status: "online", since: 4000 }, Web: { status: "disconnected", since: 4500 } },
    );
    const lanes = lanesOf(model);
    expect(lanes["Android"]!.segments.map((s) => [s.from, s.status])).toEqual([
      [1000, "online"],
      [3000, "offline"],
      [4000, "online"],
    ]);
    expect(lanes["Web"]!.segments.map((s) => [s.from, s.status])).toEqual([
      [1500, "disconnected"],
      [3000, "offline"],
      [4500, "disconnected"],
    ]);
  });

  it("moves the named platform to the user's status after, or offline when it was already in it", () => {
    const model = timelineModel(
      [
        entry({ action: "Login", platform: "Mac", eventTime: 1000 }),
        entry({ action: "Login", platform: "Windows", eventTime: 1100 }),
        // Tencent: Mac is offline (a ghost), Windows still online: the user stays online.
        reconcile({ platform: "Mac", eventTime: 2000, status: "online" }),
        // Tencent: Windows is online in the background (PushOnline): the user is disconnected.
        reconcile({ platform: "Windows", eventTime: 3000, status: "disconnected" }),
        // Tencent: iOS, never seen, is online.
        reconcile({ platform: "iOS", eventTime: 4000, status: "online" }),
      ],
      5000,
    );
    const lanes = lanesOf(model);
    expect(lanes["Mac"]!.segments.map((s) => [s.from, s.status])).toEqual([
      [1000, "online"],
      [2000, "offline"],
    ]);
    expect(lanes["Windows"]!.segments.map((s) => [s.from, s.status])).toEqual([
      [1100, "online"],
      [3000, "disconnected"],
    ]);
    expect(lanes["iOS"]!.segments.map((s) => [s.from, s.status])).toEqual([[4000, "online"]]);
    expect(model!.lanes.flatMap((l) => l.marks)).toHaveLength(5);
  });

  it("draws no Unknown lane for an entry that changed nothing; its mark sits on the top lane", () => {
    // #19's repro: Login, Disconnect, corrected offline, Login, Logout, then an agreeing answer.
    const model = timelineModel(
      [
        entry({ action: "Login", platform: "Web", eventTime: 1000 }),
        entry({ action: "Disconnect", platform: "Web", eventTime: 2000, status: "disconnected" }),
        reconcile({ platform: "Web", eventTime: 3000, status: "offline" }),
        entry({ action: "Login", platform: "Web", eventTime: 4000 }),
        entry({ action: "Logout", platform: "Web", eventTime: 5000, status: "offline" }),
        reconcile({ platform: "Unknown", eventTime: 6000, status: "offline" }),
      ],
      7000,
      { Web: { status: "offline", since: 5000 } },
    )!;
    expect(model.lanes.map((l) => l.name)).toEqual(["Web"]);
    const [web] = model.lanes;
    expect(web!.segments.map((s) => [s.from, s.status])).toEqual([
      [1000, "online"],
      [2000, "disconnected"],
      [3000, "offline"],
      [4000, "online"],
      [5000, "offline"],
    ]);
    expect(web!.marks.map((m) => [m.entry.action, m.confirms])).toEqual([
      ["Login", false],
      ["Disconnect", false],
      ["Reconcile", false],
      ["Login", false],
      ["Logout", false],
      ["Reconcile", true],
    ]);
  });

  it("keeps a real Unknown platform's lane, and does not change it for an entry that changed nothing", () => {
    const model = timelineModel(
      [
        entry({ action: "Login", platform: "Unknown", eventTime: 1000 }),
        reconcile({ platform: "Unknown", eventTime: 2000, status: "online" }),
        reconcile({ platform: "Unknown", eventTime: 3000, status: "offline" }),
      ],
      4000,
    )!;
    expect(model.lanes.map((l) => l.name)).toEqual(["Unknown"]);
    expect(model.lanes[0]!.segments.map((s) => [s.from, s.status])).toEqual([
      [1000, "online"],
      [3000, "offline"],
    ]);
    expect(model.lanes[0]!.marks.map((m) => m.confirms)).toEqual([false, true, false]);
  });

  it("shows an entry that changed nothing for a user with no platform on a mark-only lane", () => {
    const model = timelineModel([reconcile({ platform: "Unknown", eventTime: 1000, status: "unknown" })], 2000)!;
    expect(model.lanes).toEqual([
      { name: RECONCILE_LANE, segments: [], marks: [expect.objectContaining({ at: 1000, confirms: true })] },
    ]);
  });

  it("never draws an Unknown lane from reconcile entries, whatever the history", () => {
    const platforms = ["iOS", "Android", "Web"] as const;
    const arbitraryEntry = fc.oneof(
      fc.record({
        action: fc.constantFrom("Login", "Logout", "Disconnect"),
        platform: fc.constantFrom(...platforms),
        eventTime: fc.integer({ min: 0, max: 1000 }),
        outcome: fc.constantFrom("applied", "stale" as const),
        kicked: fc.subarray([...platforms]),
      }),
      fc.record({
        action: fc.constant("Reconcile"),
        platform: fc.constantFrom(...platforms, "Unknown"),
        eventTime: fc.integer({ min: 0, max: 1000 }),
        status: fc.constantFrom("online", "disconnected", "offline" as const),
        source: fc.constant("reconcile"),
      }),
    );
    fc.assert(
      fc.property(fc.array(arbitraryEntry, { minLength: 1, maxLength: 20 }), (raw) => {
        const events = raw.map((r, i) => ({ ...entry(r), seq: i + 1 }));
        const model = timelineModel(events, 2000)!;
        expect(model.lanes.map((l) => l.name)).not.toContain("Unknown");
        expect(model.lanes.flatMap((l) => l.marks)).toHaveLength(events.length);
        expect(timelineModel([...events].reverse(), 2000)).toEqual(model);
      }),
    );
  });
});
