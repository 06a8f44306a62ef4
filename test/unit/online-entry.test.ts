// The index entry of a user's shown state: who is in the index, with which platforms, since when,
// and the key whose change (and only whose change) the shard must hear of.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_PLATFORMS_MASK,
  indexEntry,
  indexKey,
  keyIsIndexed,
  maskToPlatforms,
  mustSend,
  platformBit,
  platformsToMask,
  priorOf,
  unsureKey,
} from "../../src/online/entry";
import { applyObservation } from "../../src/presence/observation";
import { EMPTY_STATE, userStatus } from "../../src/presence/reducer";
import { PLATFORMS, type Observation, type Platform, type PresenceState } from "../../src/presence/types";
import { mixItem } from "../support/arbitraries";
import { ev, fold, foldMixed } from "../support/events";

const observe = (state: PresenceState, at: number, platforms: Observation["platforms"]) =>
  applyObservation(state, { at, platforms }).state;

describe("platform bits", () => {
  it("are pinned in PLATFORMS order (stored in shard rows: never reorder)", () => {
    expect(PLATFORMS.map(platformBit)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    expect(PLATFORMS).toEqual(["iOS", "Android", "Web", "Windows", "Mac", "iPad", "Linux", "RESTAPI", "Unknown"]);
    expect(ALL_PLATFORMS_MASK).toBe(511);
  });

  it("mask and platform list convert both ways, in PLATFORMS order", () => {
    expect(platformsToMask(["Web", "iOS"])).toBe(5);
    expect(maskToPlatforms(5)).toEqual(["iOS", "Web"]);
    expect(maskToPlatforms(0)).toEqual([]);
    expect(maskToPlatforms(512 | 2)).toEqual(["Android"]);
    fc.assert(
      fc.property(fc.subarray([...PLATFORMS]), (platforms) => {
        expect(maskToPlatforms(platformsToMask(platforms))).toEqual(platforms);
      }),
    );
  });
});

describe("indexEntry", () => {
  it("a user never seen, or offline, is not in the index", () => {
    expect(indexEntry(EMPTY_STATE)).toBeNull();
    const gone = fold([ev({ eventTime: 1000 }), ev({ action: "Logout", reason: "Unregister", eventTime: 2000 })]);
    expect(indexEntry(gone)).toBeNull();
    expect(indexKey(16, null)).toBe("16:offline");
  });

  it("an online user: its online platforms and onlineSince", () => {
    const s = fold([ev({ platform: "iOS", eventTime: 1000 })]);
    expect(indexEntry(s)).toEqual({ status: "online", platforms: 1, since: 1000 });
    expect(indexKey(16, indexEntry(s))).toBe("16:online:1");
  });

  it("multi-device: platforms come and go, a disconnected one is not counted while another is online", () => {
    const both = fold([ev({ platform: "iOS", eventTime: 1000 }), ev({ platform: "Web", eventTime: 2000 })]);
    expect(indexEntry(both)).toEqual({ status: "online", platforms: 5, since: 1000 });
    const iosDropped = fold([ev({ action: "Disconnect", reason: "LinkClose", eventTime: 2500 })], both);
    expect(indexEntry(iosDropped)).toEqual({ status: "online", platforms: 4, since: 2000 });
    // Web leaves later than iOS dropped: the user is disconnected since Web left.
    const webGone = fold(
      [ev({ platform: "Web", action: "Logout", reason: "Unregister", eventTime: 3000 })],
      iosDropped,
    );
    expect(indexEntry(webGone)).toEqual({ status: "disconnected", platforms: 0, since: 3000 });
    expect(indexKey(16, indexEntry(webGone))).toBe("16:disconnected:0");
  });

  it("a disconnected user is so since it dropped (lastSeen)", () => {
    const s = fold([ev({ eventTime: 1000 }), ev({ action: "Disconnect", reason: "TimeOut", eventTime: 4000 })]);
    expect(indexEntry(s)).toEqual({ status: "disconnected", platforms: 0, since: 4000 });
  });

  it("kicks: the kicked platform leaves, the kicker is online since its login", () => {
    const s = fold([
      ev({ platform: "Windows", eventTime: 1000 }),
      ev({ platform: "Mac", eventTime: 2000, kicked: ["Windows"] }),
    ]);
    expect(indexEntry(s)).toEqual({ status: "online", platforms: platformBit("Mac"), since: 2000 });
    // A kick of a disconnected device by a login elsewhere: online again, on the kicker only.
    const dropped = fold([ev({ platform: "iOS", eventTime: 1000 }), ev({ action: "Disconnect", eventTime: 1500 })]);
    const back = fold([ev({ platform: "iPad", eventTime: 1800, kicked: ["iOS"] })], dropped);
    expect(indexEntry(back)).toEqual({ status: "online", platforms: platformBit("iPad"), since: 1800 });
    // A login that kicks its own platform's other device stays online there.
    const self = fold([ev({ platform: "iOS", eventTime: 3000, kicked: ["iOS"] })], back);
    expect(indexEntry(self)).toEqual({
      status: "online",
      platforms: platformBit("iOS") | platformBit("iPad"),
      since: 1800,
    });
  });

  it("reconcile: a ghost healed leaves the index; a correction adds platforms", () => {
    const ghost = fold([ev({ platform: "iOS", eventTime: 10 })]);
    expect(indexEntry(observe(ghost, 100, {}))).toBeNull();
    const more = observe(ghost, 100, { iOS: "online", Web: "online" });
    expect(indexEntry(more)).toEqual({ status: "online", platforms: 5, since: 10 });
    // An online user Tencent finds only pushed-online (disconnected) is so since the answer.
    expect(indexEntry(observe(ghost, 100, { iOS: "disconnected" }))).toEqual({
      status: "disconnected",
      platforms: 0,
      since: 100,
    });
  });

  it("reconcile: a platform first seen disconnected gives `since` from that platform", () => {
    // Never seen, found disconnected: lastSeen stays null.
    const unseen = observe(EMPTY_STATE, 100, { Android: "disconnected" });
    expect(unseen.lastSeen).toBeNull();
    expect(indexEntry(unseen)).toEqual({ status: "disconnected", platforms: 0, since: 100 });
    // Seen leaving long before, then found disconnected: disconnected since the answer, not since
    // the old leave (lastSeen 2000 is older than the user's disconnected status).
    const left = fold([
      ev({ platform: "Web", eventTime: 1000 }),
      ev({ platform: "Web", action: "Logout", eventTime: 2000 }),
    ]);
    const found = observe(left, 9000, { Android: "disconnected" });
    expect(found.lastSeen).toBe(2000);
    expect(indexEntry(found)).toEqual({ status: "disconnected", platforms: 0, since: 9000 });
  });

  it("properties: status and platforms mirror the shown state; `since` is one of its times", () => {
    fc.assert(
      fc.property(fc.array(mixItem, { maxLength: 16 }), (items) => {
        const s = foldMixed(items);
        const e = indexEntry(s);
        const status = userStatus(s.platforms);
        if (status !== "online" && status !== "disconnected") {
          expect(e).toBeNull();
          return;
        }
        const online = PLATFORMS.filter((p) => s.platforms[p]?.status === "online");
        expect(e).toMatchObject({ status, platforms: platformsToMask(online) });
        if (status === "online") {
          expect(e!.since).toBe(s.onlineSince);
          return;
        }
        const dropped = PLATFORMS.flatMap((p) =>
          s.platforms[p]?.status === "disconnected" ? [s.platforms[p]!.since] : [],
        );
        expect([s.lastSeen, ...dropped]).toContain(e!.since);
        expect(e!.since).toBeGreaterThanOrEqual(Math.min(...dropped));
      }),
      { numRuns: 1000 },
    );
  });

  it("property: the key depends on the status and the set of online platforms only", () => {
    const onlineSet = (s: PresenceState) =>
      PLATFORMS.filter((p: Platform) => s.platforms[p]?.status === "online").join(",");
    const indexed = (s: PresenceState) => ["online", "disconnected"].includes(userStatus(s.platforms));
    fc.assert(
      fc.property(fc.array(mixItem, { maxLength: 12 }), fc.array(mixItem, { maxLength: 12 }), (a, b) => {
        const [sa, sb] = [foldMixed(a), foldMixed(b)];
        const sameFacts =
          indexed(sa) === indexed(sb) &&
          (!indexed(sa) || (userStatus(sa.platforms) === userStatus(sb.platforms) && onlineSet(sa) === onlineSet(sb)));
        expect(indexKey(16, indexEntry(sa)) === indexKey(16, indexEntry(sb))).toBe(sameFacts);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("indexKey", () => {
  it("is prefixed with the shard count, so a changed count sends again", () => {
    const e = { status: "online", platforms: 5, since: 1 } as const;
    expect(indexKey(16, e)).toBe("16:online:5");
    expect(indexKey(32, e)).not.toBe(indexKey(16, e));
    expect(indexKey(16, { ...e, since: 99 })).toBe("16:online:5");
  });

  it("keyIsIndexed: whether an acknowledged key leaves the user in a shard", () => {
    expect(keyIsIndexed(null)).toBe(false);
    expect(keyIsIndexed("16:offline")).toBe(false);
    expect(keyIsIndexed("16:online:5")).toBe(true);
    expect(keyIsIndexed("16:disconnected:0")).toBe(true);
  });

  it("mustSend: an entry the shard has not acknowledged; a removal only from this index", () => {
    const online = { status: "online", platforms: 5, since: 1 } as const;
    const gone = { status: "disconnected", platforms: 0, since: 2 } as const;
    expect(mustSend(16, online, null)).toBe(true); // never indexed (or stored before the index)
    expect(mustSend(16, online, "16:online:5")).toBe(false);
    expect(mustSend(16, { ...online, since: 7 }, "16:online:5")).toBe(false); // since alone: nothing
    expect(mustSend(16, gone, "16:online:5")).toBe(true);
    expect(mustSend(16, online, "8:online:5")).toBe(true); // another shard count: join this index
    // Not in the index now: a removal only if this index holds the user.
    expect(mustSend(16, null, "16:online:5")).toBe(true);
    expect(mustSend(16, null, "16:disconnected:0")).toBe(true);
    expect(mustSend(16, null, "16:offline")).toBe(false);
    expect(mustSend(16, null, null)).toBe(false); // a never-indexed offline user sends nothing
    expect(mustSend(16, null, "8:online:5")).toBe(false); // held by an index no longer read
    expect(mustSend(16, null, "160:online:5")).toBe(false);
  });

  it("unsureKey: the shard may hold either entry, so any entry is sent, and so is a removal", () => {
    expect(unsureKey(16)).toBe("16:unsure");
    expect(keyIsIndexed(unsureKey(16))).toBe(true);
    expect(mustSend(16, { status: "online", platforms: 5, since: 1 }, unsureKey(16))).toBe(true);
    expect(mustSend(16, { status: "disconnected", platforms: 0, since: 1 }, unsureKey(16))).toBe(true);
    expect(mustSend(16, null, unsureKey(16))).toBe(true);
    expect(mustSend(16, null, unsureKey(8))).toBe(false); // an index no longer read
  });

  it("priorOf: what an acknowledged key says the shard holds; nothing where it does not say", () => {
    expect(priorOf(16, "16:online:5")).toEqual({ status: "online", platforms: 5 });
    expect(priorOf(16, "16:disconnected:0")).toEqual({ status: "disconnected", platforms: 0 });
    expect(priorOf(16, "16:offline")).toBeNull(); // no row
    expect(priorOf(16, null)).toBeUndefined(); // never acknowledged
    expect(priorOf(16, unsureKey(16))).toBeUndefined();
    expect(priorOf(16, "8:online:5")).toBeUndefined(); // another index
    expect(priorOf(16, "160:online:5")).toBeUndefined();
    expect(priorOf(16, "16:online:")).toBeUndefined();
    expect(priorOf(16, "16:away:1")).toBeUndefined();
    // The key of every entry reads back as that entry's status and platforms.
    fc.assert(
      fc.property(
        fc.constantFrom("online", "disconnected"),
        fc.integer({ min: 0, max: ALL_PLATFORMS_MASK }),
        (status, platforms) => {
          const key = indexKey(16, { status: status as "online" | "disconnected", platforms, since: 1 });
          expect(priorOf(16, key)).toEqual({ status, platforms });
        },
      ),
    );
  });
});
