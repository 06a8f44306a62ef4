// No update of the who-is-online index is lost (SPEC §12): a failed call to the shard is retried
// by the user's alarm, a user object restarted between its commit and the send sends on its next
// load, a restarted shard keeps its rows, and an erasure that cannot reach the shard deletes
// nothing and can be repeated.
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import type { OnlineFeed } from "../../src/online/feed";
import type { AccountId, AppId } from "../../src/presence/types";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { listed, onlineCounts, restart, settle, shardDown, shardFor, shardUsage, userUsage } from "../support/online";
import { storedTables, stubFor, uniqueAccount } from "../support/storage";

const feedOf = (instance: UserPresence) => (instance as unknown as { feed: OnlineFeed }).feed;

/** The user's feed after its sends so far were answered (without running its alarm). */
const feedState = (account: string) =>
  runInDurableObject(stubFor(account), async (instance: UserPresence) => {
    const feed = feedOf(instance);
    await feed.drained();
    return { behind: feed.behind, acknowledged: feed.acknowledged() };
  });

/** Commits one callback in the user's object directly: several can land in one turn. */
const ingestIn = (instance: UserPresence, account: string, action: string, platform: string, at: number) =>
  instance.ingest(
    TEST_APP as AppId,
    account as AccountId,
    {
      action,
      reason: "Register",
      platform,
      eventTime: at,
      receivedAt: at,
      clientIp: null,
      kicked: [],
      customStatus: null,
    } as never,
  );

const alarmOf = (account: string) => runInDurableObject(stubFor(account), (_i, state) => state.storage.getAlarm());

/** The `index_key` of the user's history rows, newest first. */
const storedKeys = (account: string) =>
  runInDurableObject(stubFor(account), (_i, state) =>
    state.storage.sql
      .exec<{ index_key: string | null }>("SELECT index_key FROM history ORDER BY seq DESC")
      .toArray()
      .map((r) => r.index_key),
  );

beforeAll(() => {
  // The refused calls are logged as failures: expected here.
  vi.spyOn(console, "log").mockImplementation(() => {});
});

describe("no update is lost", () => {
  it("a failed shard call asks the user's alarm for a retry, which sends it", async () => {
    const account = uniqueAccount("retry");
    const up = await shardDown(account);
    const before = Date.now();
    // Tencent's OK does not wait for the index.
    expect((await sendStateChange({ account, action: "Login", eventTime: before - 1000 })).status).toBe(200);
    // The call may have arrived before it failed: the shard's entry is not known for sure.
    expect(await feedState(account)).toEqual({ behind: true, acknowledged: "16:unsure" });
    const at = await alarmOf(account);
    expect(at).toBeGreaterThanOrEqual(before + 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await listed(account)).toBeUndefined();

    // Still down at the first retry: the next one waits longer (5 s).
    await runInDurableObject(stubFor(account), (instance: UserPresence) => instance.alarm());
    expect((await alarmOf(account))! - Date.now()).toBeGreaterThan(1000);
    expect(await feedState(account)).toMatchObject({ behind: true });

    await up();
    await runInDurableObject(stubFor(account), (instance: UserPresence) => instance.alarm());
    expect(await feedState(account)).toEqual({ behind: false, acknowledged: "16:online:1" });
    expect(await listed(account)).toMatchObject({ status: "online", platforms: ["iOS"] });
  });

  it("a user object restarted between its commit and the send sends on its next load", async () => {
    const account = uniqueAccount("restarted");
    const t = Date.now() - 1000;
    await sendStateChange({ account, action: "Login", eventTime: t - 10 }, { optPlatform: "Web" });
    await settle(account);
    expect(await storedKeys(account)).toEqual([null]); // written before the shard acknowledged it

    const up = await shardDown(account);
    expect((await sendStateChange({ account, action: "Login", eventTime: t }, { optPlatform: "Mac" })).status).toBe(
      200,
    );
    // The row says what the shard had acknowledged when it was written: Web only.
    expect(await storedKeys(account)).toEqual(["16:online:4", null]);
    // Only a load can heal it now: no alarm, and memory is lost.
    await runInDurableObject(stubFor(account), (_i, state) => state.storage.deleteAlarm());
    await up();
    await restart(stubFor(account));
    expect(await listed(account)).toMatchObject({ platforms: ["Web"] });

    const requests = (await userUsage(account)).indexRequests; // a fresh instance: 0
    expect((await getSnapshot(account)).status).toBe("online"); // a read loads the user
    expect(await feedState(account)).toEqual({ behind: false, acknowledged: "16:online:20" });
    expect((await userUsage(account)).indexRequests).toBe(requests + 1);
    expect(await listed(account)).toMatchObject({ status: "online", platforms: ["Web", "Mac"] });
    expect(await alarmOf(account)).toBeNull();
  });

  it("a change sent just before a restart, and then undone, is undone at the shard too", async () => {
    const account = uniqueAccount("undone");
    const t = Date.now() - 1000;
    await sendStateChange({ account, action: "Login", eventTime: t }, { optPlatform: "Web" });
    await settle(account);
    // The shard has the login, but the row was written before it acknowledged it.
    expect(await storedKeys(account)).toEqual([null]);
    await restart(stubFor(account));
    // The first thing after the restart: the user leaves. Its shard must hear of it.
    await sendStateChange({ account, action: "Logout", eventTime: t + 1 }, { optPlatform: "Web" });
    await settle(account);
    expect(await listed(account)).toBeUndefined();
  });

  it("a row written while a send is on its way says the shard's entry is unsure", async () => {
    const account = uniqueAccount("unsure");
    const t = Date.now() - 1000;
    await runInDurableObject(stubFor(account), (instance: UserPresence) => {
      // Two commits in one turn: the first one's send is on its way when the second row is written.
      ingestIn(instance, account, "Login", "Web", t);
      ingestIn(instance, account, "Logout", "Web", t + 1);
    });
    expect(await storedKeys(account)).toEqual(["16:unsure", null]);
    // Whichever entry the shard has, the user (offline now) ends up not listed.
    await restart(stubFor(account));
    await settle(account);
    expect(await listed(account)).toBeUndefined();
  });

  it("changes committed while a send is on its way go out when it returns: the newest, once", async () => {
    const account = uniqueAccount("coalesce");
    const t = Date.now() - 1000;
    const requests = await runInDurableObject(stubFor(account), async (instance: UserPresence) => {
      // Three commits in one turn: the first is sent at once, the next two while it is on its way.
      ingestIn(instance, account, "Login", "Web", t);
      ingestIn(instance, account, "Login", "iOS", t + 1);
      ingestIn(instance, account, "Logout", "Web", t + 2);
      const feed = feedOf(instance);
      await feed.drained();
      return feed.requests;
    });
    // No restart and no alarm: the answer to the first send sent the newest entry, and only it.
    expect(requests).toBe(2);
    expect(await listed(account)).toMatchObject({ status: "online", platforms: ["iOS"] });
    expect(await feedState(account)).toEqual({ behind: false, acknowledged: "16:online:1" });
  });

  it("a user whose key was acknowledged sends nothing on its next load", async () => {
    const account = uniqueAccount("quiet-load");
    const t = Date.now() - 1000;
    await sendStateChange({ account, action: "Login", eventTime: t });
    await settle(account);
    await sendStateChange({ account, action: "CustomStatusChange", customStatus: "away", eventTime: t + 1 });
    expect(await storedKeys(account)).toEqual(["16:online:1", null]);
    await restart(stubFor(account));
    await getSnapshot(account);
    expect(await feedState(account)).toEqual({ behind: false, acknowledged: "16:online:1" });
    expect((await userUsage(account)).indexRequests).toBe(0);
  });

  it("a restarted shard keeps its rows and counts them again on load, writing nothing", async () => {
    const account = uniqueAccount("kept");
    await sendStateChange({ account, action: "Login", eventTime: Date.now() - 1000 }, { optPlatform: "Linux" });
    await settle(account);
    const counts = await onlineCounts();
    await restart(shardFor(account));
    const { asOf: _a, ...again } = await onlineCounts();
    const { asOf: _b, ...before } = counts;
    expect(again).toEqual(before);
    expect(await listed(account)).toMatchObject({ status: "online", platforms: ["Linux"] });
    expect((await shardUsage(account)).rowsWritten).toBe(0);
  });

  it("an erasure that cannot reach the shard deletes nothing (503), and succeeds when repeated", async () => {
    const account = uniqueAccount("erase-down");
    await sendStateChange({ account, action: "Login", eventTime: Date.now() - 1000 }, { optPlatform: "Android" });
    await settle(account);
    const up = await shardDown(account);
    const res = await apiFetch(userPath(account), { method: "DELETE" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({ error: "server_error", message: expect.stringMatching(/try again/) });
    expect(await storedTables(account)).toEqual(["history"]);
    expect((await getSnapshot(account)).status).toBe("online");
    expect(await listed(account)).toMatchObject({ status: "online" });

    await up();
    expect((await apiFetch(userPath(account), { method: "DELETE" })).status).toBe(204);
    expect(await storedTables(account)).toEqual([]);
    expect(await listed(account)).toBeUndefined();
  });

  it("an erasure removes the user again when a change was sent while the removal was on its way", async () => {
    const account = uniqueAccount("erase-race");
    const t = Date.now() - 1000;
    await sendStateChange({ account, action: "Login", eventTime: t });
    await settle(account);
    await runInDurableObject(stubFor(account), async (instance: UserPresence) => {
      // The shard's answer to the first removal is held until a change has been committed and sent.
      type Stubs = { stubOf(user: object): { update(...a: unknown[]): unknown; remove(a: string): Promise<void> } };
      const feed = feedOf(instance) as unknown as Stubs;
      const real = feed.stubOf.bind(feed);
      let removing!: () => void;
      const removeSent = new Promise<void>((resolve) => (removing = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let held = false;
      feed.stubOf = (user) => {
        const stub = real(user);
        return {
          update: (...a: unknown[]) => stub.update(...a),
          remove: async (a: string) => {
            await stub.remove(a);
            if (held) return;
            held = true;
            removing();
            await released;
          },
        };
      };
      const erasing = instance.erase();
      await removeSent;
      ingestIn(instance, account, "Login", "Web", t + 1);
      release();
      await erasing;
    });
    expect(await listed(account)).toBeUndefined();
    expect(await storedTables(account)).toEqual([]);
  });
});
