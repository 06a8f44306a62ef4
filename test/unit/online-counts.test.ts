// The counts a shard keeps in memory, moved by each row change, must always equal counting its
// rows afresh (what a shard computes on load): otherwise a restart would change the answer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyChange,
  countEntries,
  countGroups,
  emptyCounts,
  onlineAnswer,
  sameCounts,
  sumCounts,
  type OnlineCounts,
} from "../../src/online/counts";
import { ALL_PLATFORMS_MASK, type IndexEntry } from "../../src/online/entry";
import { PLATFORMS, type AppId } from "../../src/presence/types";

const zeros = Object.fromEntries(PLATFORMS.map((p) => [p, 0]));
const online = (platforms: number): IndexEntry => ({ status: "online", platforms, since: 1 });
const disconnected: IndexEntry = { status: "disconnected", platforms: 0, since: 1 };

const entry: fc.Arbitrary<IndexEntry | null> = fc.oneof(
  fc.constant(null),
  fc.constant(disconnected),
  fc.integer({ min: 1, max: ALL_PLATFORMS_MASK }).map(online),
);

describe("counts", () => {
  it("start at zero with every platform listed", () => {
    expect(emptyCounts()).toEqual({ online: 0, disconnected: 0, platforms: zeros });
  });

  it("a row change moves the status and platform counts, and leaves its input as it was", () => {
    const start = emptyCounts();
    const one = applyChange(start, null, online(1 | 4));
    expect(one).toEqual({ online: 1, disconnected: 0, platforms: { ...zeros, iOS: 1, Web: 1 } });
    expect(start).toEqual(emptyCounts());
    const moved = applyChange(one, online(1 | 4), online(4));
    expect(moved.platforms).toMatchObject({ iOS: 0, Web: 1 });
    const dropped = applyChange(moved, online(4), disconnected);
    expect(dropped).toEqual({ online: 0, disconnected: 1, platforms: zeros });
    expect(applyChange(dropped, disconnected, null)).toEqual(emptyCounts());
  });

  it("property: any sequence of per-account changes ends where counting the final rows does", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), entry), { maxLength: 60 }), (changes) => {
        const rows = new Map<number, IndexEntry>();
        let counts: OnlineCounts = emptyCounts();
        for (const [account, next] of changes) {
          counts = applyChange(counts, rows.get(account) ?? null, next);
          if (next === null) rows.delete(account);
          else rows.set(account, next);
        }
        expect(counts).toEqual(countEntries(rows.values()));
        expect(sameCounts(counts, countEntries(rows.values()))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("property: the app's counts are the sum of its shards' counts", () => {
    fc.assert(
      fc.property(fc.array(fc.array(entry), { maxLength: 8 }), (shards) => {
        const rows = shards.map((s) => s.filter((e): e is IndexEntry => e !== null));
        expect(sumCounts(rows.map((r) => countEntries(r)))).toEqual(countEntries(rows.flat()));
      }),
    );
  });

  it("property: counting rows grouped by status and platforms (the shard's load query) counts each row", () => {
    fc.assert(
      fc.property(fc.array(entry), (entries) => {
        const rows = entries.filter((e): e is IndexEntry => e !== null);
        const groups = new Map<string, { entry: IndexEntry; rows: number }>();
        for (const e of rows) {
          const key = `${e.status}:${e.platforms}`;
          const group = groups.get(key) ?? { entry: e, rows: 0 };
          groups.set(key, { ...group, rows: group.rows + 1 });
        }
        expect(countGroups(groups.values())).toEqual(countEntries(rows));
      }),
    );
  });

  it("sameCounts sees a difference in any field", () => {
    const a = countEntries([online(1)]);
    expect(sameCounts(a, countEntries([online(1)]))).toBe(true);
    expect(sameCounts(a, countEntries([online(2)]))).toBe(false);
    expect(sameCounts(a, countEntries([disconnected]))).toBe(false);
  });
});

describe("GET /online answer", () => {
  it("lists app, counts, every platform in PLATFORMS order and asOf", () => {
    const answer = onlineAnswer("1400000000" as AppId, countEntries([online(2), disconnected]), 1700000000000);
    expect(answer).toEqual({
      app: "1400000000",
      online: 1,
      disconnected: 1,
      platforms: { ...zeros, Android: 1 },
      asOf: 1700000000000,
    });
    expect(Object.keys(answer)).toEqual(["app", "online", "disconnected", "platforms", "asOf"]);
    expect(Object.keys(answer.platforms)).toEqual([...PLATFORMS]);
  });
});
