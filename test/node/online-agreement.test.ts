// Whether the who-is-online index agrees with the users' snapshots (scripts/lib/online-agreement.ts),
// as the simulator and its smoke check it.
import { describe, expect, it } from "vitest";
import { countsOf, disagreements, type ListedUser } from "../../scripts/lib/online-agreement.ts";
import type { PresenceSnapshot } from "../../scripts/lib/presence-text.ts";

const snapshots: PresenceSnapshot[] = [
  { account: "a", status: "online", platforms: { iOS: { status: "online" }, Web: { status: "disconnected" } } },
  { account: "b", status: "disconnected", platforms: { Android: { status: "disconnected" } } },
  { account: "c", status: "offline", platforms: { iOS: { status: "offline" } } },
  { account: "d", status: "online", platforms: { iOS: { status: "online" }, Windows: { status: "online" } } },
];
const listed: ListedUser[] = [
  { account: "a", status: "online", platforms: ["iOS"] },
  { account: "b", status: "disconnected", platforms: [] },
  { account: "d", status: "online", platforms: ["Windows", "iOS"] },
];
const counts = { online: 2, disconnected: 1, platforms: { iOS: 2, Windows: 1, Android: 0 } };

describe("countsOf", () => {
  it("counts users online and disconnected, and per platform those with it online", () => {
    expect(countsOf(snapshots)).toEqual({ online: 2, disconnected: 1, platforms: { iOS: 2, Windows: 1 } });
  });
});

describe("disagreements", () => {
  it("finds none when counts and list are what the snapshots say", () => {
    expect(disagreements(counts, listed, snapshots)).toEqual([]);
  });

  it("names a count that differs, per status and per platform", () => {
    expect(disagreements({ ...counts, online: 3, platforms: { iOS: 1, Windows: 1 } }, listed, snapshots)).toEqual([
      "GET /online says 3 online, the snapshots 2",
      "GET /online says 1 online on iOS, the snapshots 2",
    ]);
  });

  it("names a user missing from the list, listed wrongly, listed twice, or listed while offline", () => {
    const wrong: ListedUser[] = [
      { account: "a", status: "online", platforms: ["iOS", "Web"] },
      { account: "c", status: "online", platforms: ["iOS"] },
      { account: "d", status: "online", platforms: ["Windows", "iOS"] },
      { account: "d", status: "online", platforms: ["Windows", "iOS"] },
    ];
    expect(disagreements(counts, wrong, snapshots)).toEqual([
      "the list names 1 users twice",
      "a is listed online on iOS,Web, is on iOS",
      "b is disconnected but not listed",
      "c is listed as online but is offline",
    ]);
  });

  it("names a listed user with no snapshot", () => {
    expect(disagreements(counts, [...listed, { account: "z", status: "online", platforms: [] }], snapshots)).toEqual([
      "z is listed but has no snapshot",
    ]);
  });
});
