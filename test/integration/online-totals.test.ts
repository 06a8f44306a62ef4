// An app's totals object (SPEC §12): the shards' pushes reach it, the counts over time are stored
// at each minute's end (three rows a minute at most, retention keeping the newest row before its
// cutoff), and watch hubs get the counts at once and then at most once a second, the hubs that no
// longer watch being dropped. The hubs here are fakes: the WatchHub's side comes with the watch.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OnlineShard } from "../../src/durable/online-shard";
import type { OnlineTotals } from "../../src/durable/online-totals";
import type { CountsHub } from "../../src/online/count-watchers";
import { countEntries, type OnlineCounts } from "../../src/online/counts";
import type { IndexEntry } from "../../src/online/entry";
import type { ShardIndex } from "../../src/online/shard-index";
import type { AccountId } from "../../src/presence/types";
import { setClock } from "../support/clock";
import { injectedFault } from "../support/expected-output";
import { restart } from "../support/online";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const M = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;
const online = (n: number): OnlineCounts =>
  countEntries(Array<IndexEntry>(n).fill({ status: "online", platforms: 4, since: 0 }));

// Apps of these tests only (the totals object does not check the configuration); their names
// carry their shard counts.
const totalsNamed = (name: string) => env.ONLINE_TOTALS.getByName(name);
const shardNamed = (name: string) => env.ONLINE_SHARD.getByName(name);

/** A hub that records what it gets and answers as told. */
function fakeHub(answer: () => boolean | Promise<boolean> = () => true) {
  const got: { type: string; counts: { online: number } }[] = [];
  const hub: CountsHub = {
    deliverCounts: async (json) => {
      got.push(JSON.parse(json));
      return answer();
    },
  };
  return { hub, got };
}

/** Puts fake hubs behind hub ids in the totals object. */
const installHubs = (name: string, hubs: Record<string, CountsHub>) =>
  runInDurableObject(totalsNamed(name), (instance: OnlineTotals) => {
    instance.watchers.resolve = (id) => hubs[id] ?? { deliverCounts: async () => false };
  });

const pushesSettled = (name: string) =>
  runInDurableObject(totalsNamed(name), (instance: OnlineTotals) => instance.watchers.settled());

const hubId = () => env.WATCH_HUB.newUniqueId().toString();

describe("live counts for watch hubs", () => {
  it("a hub gets the counts at once, then each change pushed by the shards, at most once a second", async () => {
    const name = "1400000091:4";
    const id = hubId();
    const { hub, got } = fakeHub();
    await installHubs(name, { [id]: hub });
    const answer = await totalsNamed(name).watchCounts(id);
    expect(answer).toMatchObject({ ok: true, counts: { app: "1400000091", online: 0, disconnected: 0 } });

    const shard = shardNamed(`${name}:2`);
    const entry: IndexEntry = { status: "online", platforms: 4, since: 1 };
    await shard.update("a" as AccountId, entry, 1);
    await shard.pushed();
    await pushesSettled(name);
    expect(got.map((m) => [m.type, m.counts.online])).toEqual([["counts", 1]]);
    expect(got[0]!.counts).toMatchObject({ app: "1400000091", platforms: { Web: 1 } });

    // A burst: folded into one push when the second is up (two if the machine is slow).
    await shard.update("b" as AccountId, entry, 1);
    await shard.update("c" as AccountId, entry, 1);
    await shard.pushed();
    await pushesSettled(name);
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(got.length).toBeLessThanOrEqual(3);
    expect(got.at(-1)!.counts.online).toBe(3);

    // The registry is stored: a restarted object still knows the hub.
    await restart(totalsNamed(name));
    expect(await runInDurableObject(totalsNamed(name), (i: OnlineTotals) => i.watchers.size)).toBe(1);
    await totalsNamed(name).unwatchCounts(id);
    expect(await runInDurableObject(totalsNamed(name), (i: OnlineTotals) => i.watchers.size)).toBe(0);
  });

  it("drops a hub that answers false at once, and one whose pushes fail three times in a row", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const name = "1400000092:1";
    const [gone, failing, kept] = [hubId(), hubId(), hubId()];
    const goneHub = fakeHub(() => false);
    const failingHub = fakeHub(() => {
      throw injectedFault("hub unreachable");
    });
    const keptHub = fakeHub();
    await installHubs(name, { [gone]: goneHub.hub, [failing]: failingHub.hub, [kept]: keptHub.hub });
    for (const id of [gone, failing, kept]) await totalsNamed(name).watchCounts(id);

    await shardNamed(`${name}:0`).update("a" as AccountId, { status: "disconnected", platforms: 0, since: 1 }, 1);
    await shardNamed(`${name}:0`).pushed();
    await pushesSettled(name); // a failed push is retried a second later: about two seconds here
    expect(goneHub.got).toHaveLength(1);
    expect(failingHub.got).toHaveLength(3);
    expect(keptHub.got.length).toBeGreaterThanOrEqual(1);
    expect(keptHub.got.at(-1)!.counts).toMatchObject({ online: 0, disconnected: 1 });
    expect(await runInDurableObject(totalsNamed(name), (i: OnlineTotals) => i.watchers.size)).toBe(1);
    const stored = await runInDurableObject(totalsNamed(name), (_i, state) =>
      state.storage.sql.exec<{ hub: string }>("SELECT hub FROM count_watchers").toArray(),
    );
    expect(stored).toEqual([{ hub: kept }]);
  });

  it("answers a new hub with the shards' counts now, not a push behind them (as GET /online)", async () => {
    const name = "1400000095:2";
    const totals = totalsNamed(name);
    const shard = shardNamed(`${name}:1`);
    const entry: IndexEntry = { status: "disconnected", platforms: 0, since: 1 };
    await shard.update("a" as AccountId, { status: "online", platforms: 4, since: 1 }, 1);
    await shard.pushed();
    expect((await totals.watchCounts(hubId())).ok).toBe(true);
    // A change the totals object has not heard of yet: as when the shard's push waits its second.
    await runInDurableObject(shard, (instance: OnlineShard) => {
      (instance as unknown as { index: ShardIndex }).index.update("a" as AccountId, entry, 2, Date.now());
    });
    expect(await runInDurableObject(shard, (i: OnlineShard) => i.storageUsage().pushes)).toBe(1);

    const answer = await totals.watchCounts(hubId());
    expect(answer).toMatchObject({ ok: true, counts: { online: 0, disconnected: 1 } });
  });

  it("refuses a hub id that is not an object id", async () => {
    expect(await totalsNamed("1400000093:1").watchCounts("not-a-hub")).toEqual({
      ok: false,
      message: "hub must be a Durable Object id (64 hex digits)",
    });
  });
});

describe("counts over time", () => {
  it("stores each finished minute with its hour and day (three rows), and carries values forward", async () => {
    const name = "1400000094:2";
    const totals = totalsNamed(name);
    // Tomorrow, ten minutes into an hour: no real alarm of these minutes fires during the test.
    const T0 = Math.floor((Date.now() + DAY) / H) * H + 10 * M;
    let version = 9e15;
    const report = (n: number) => totals.report(0, online(n), ++version);
    const usage = () => runInDurableObject(totals, (i: OnlineTotals) => i.storageUsage());
    // Runs the alarm the object set (false: none was set).
    const alarm = () => runDurableObjectAlarm(totals);

    setClock(T0 + 5000);
    await report(2);
    setClock(T0 + 20_000);
    await report(5);
    setClock(T0 + 30_000);
    await report(3);
    expect(await runInDurableObject(totals, (_i, s) => s.storage.getAlarm())).toBe(T0 + M);
    setClock(T0 + M + 1);
    const first = await usage();
    expect(await alarm()).toBe(true); // the first minute: its tables and whose object it is are written too
    const setup = (await usage()).setupRowsWritten - first.setupRowsWritten;
    expect(setup).toBeGreaterThan(0);
    expect((await usage()).rowsWritten - first.rowsWritten - setup).toBe(3); // the rest: minute, hour, day
    setClock(T0 + M + 10_000);
    await report(4);
    setClock(T0 + 2 * M + 1);
    const before = await usage();
    expect(await alarm()).toBe(true);
    expect((await usage()).rowsWritten - before.rowsWritten).toBe(3); // minute, hour, day

    const minutes = await totals.history(T0, T0 + 5 * M, "minute");
    expect(minutes).toEqual([
      { t: T0, online: 3, peak: 5, min: 0 }, // from 0 (the shards' counts when it started)
      { t: T0 + M, online: 4, peak: 4, min: 3 },
      { t: T0 + 2 * M, online: 4, peak: 4, min: 4 }, // the minute in progress, unchanged
    ]);
    expect(await totals.history(T0 - 10 * M, T0 + H, "hour")).toEqual([{ t: T0 - 10 * M, online: 4, peak: 5, min: 0 }]);
    const dayStart = Math.floor(T0 / DAY) * DAY;
    expect(await totals.history(dayStart, dayStart + DAY, "day")).toEqual([
      { t: dayStart, online: 4, peak: 5, min: 0 },
    ]);
    // A minute in which nothing changed stores nothing: no alarm waits for it.
    expect(await alarm()).toBe(false);

    // Eight days later (minute points are kept seven): the old minutes go as a new one is written,
    // except the newest before the cutoff, which a reader carries into the kept range.
    const later = T0 + 8 * DAY;
    setClock(later + 1000);
    await report(1);
    setClock(later + M + 1);
    const beforeRetention = await usage();
    expect(await alarm()).toBe(true);
    expect((await usage()).rowsWritten - beforeRetention.rowsWritten).toBe(4); // three points, one deleted
    const kept = await runInDurableObject(totals, (_i, s) =>
      s.storage.sql
        .exec<{ t: number }>("SELECT t FROM points WHERE resolution = 'minute' ORDER BY t")
        .toArray()
        .map((r) => r.t),
    );
    expect(kept).toEqual([T0 + M, later]);
    expect(await totals.history(later - 2 * M, later + M, "minute")).toEqual([
      { t: later - 2 * M, online: 4, peak: 4, min: 4 },
      { t: later - M, online: 4, peak: 4, min: 4 },
      { t: later, online: 1, peak: 4, min: 1 },
    ]);
  });

  it("a restarted totals object gathers the shards' counts again (a lost push heals)", async () => {
    const name = "1400000095:3";
    const entry: IndexEntry = { status: "online", platforms: 2, since: 1 };
    const shard = shardNamed(`${name}:1`);
    await shard.update("x" as AccountId, entry, 1);
    await shard.update("y" as AccountId, entry, 1);
    await shard.pushed();
    await restart(totalsNamed(name));
    // The push of these counts went to the object before its restart; the new one asks.
    const id = hubId();
    const { hub } = fakeHub();
    await installHubs(name, { [id]: hub });
    expect(await totalsNamed(name).watchCounts(id)).toMatchObject({
      ok: true,
      counts: { online: 2, platforms: { Android: 2 } },
    });
    const counts = await runInDurableObject(shard, (i: OnlineShard) => i.counts());
    expect(counts.counts.online).toBe(2);
    await runInDurableObject(totalsNamed(name), (_i, s) => s.storage.deleteAlarm());
  });
});
