// What the Worker acknowledged survives the Durable Object losing its memory.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { sendStateChange } from "../support/callback";
import { stubFor, uniqueAccount } from "../support/storage";
import type { UserPresence } from "../../src/durable/user-presence";

describe("durability", () => {
  it("state and history survive eviction", async () => {
    const account = uniqueAccount();
    const t = Date.now() - 10_000;
    await sendStateChange({ account, action: "Login", eventTime: t, kicked: ["Mac"] }, { optPlatform: "Android" });
    await sendStateChange({ account, action: "CustomStatusChange", eventTime: t + 1, customStatus: "in a meeting" });
    const before = await getSnapshot(account);

    await evictDurableObject(stubFor(account));

    expect(await getSnapshot(account)).toEqual(before);
    const { events } = (await (await apiFetch(`${userPath(account)}/events`)).json()) as { events: { seq: number }[] };
    expect(events.map((e) => e.seq)).toEqual([2, 1]);
    // The sequence continues where storage left it, not from memory.
    await sendStateChange({ account, action: "Logout", eventTime: t + 2 }, { optPlatform: "Android" });
    const after = (await (await apiFetch(`${userPath(account)}/events?limit=1`)).json()) as {
      events: { seq: number }[];
    };
    expect(after.events[0]?.seq).toBe(3);
    expect((await getSnapshot(account)).version).toBe(3);
  });

  it("every acknowledged callback is in storage, not only in memory", async () => {
    const account = uniqueAccount();
    const t = Date.now() - 10_000;
    for (let i = 0; i < 10; i++) {
      const res = await sendStateChange({ account, action: i % 2 ? "Disconnect" : "Login", eventTime: t + i });
      expect(res.status).toBe(200);
    }
    // Read storage directly, bypassing the in-memory copy.
    const rows = await runInDurableObject(stubFor(account), (_instance: UserPresence, state) => ({
      history: state.storage.sql.exec("SELECT count(*) AS n FROM history").one().n,
      // The newest history row carries the state after it: one row per callback.
      data: JSON.parse(
        String(state.storage.sql.exec("SELECT state_after FROM history ORDER BY seq DESC LIMIT 1").one().state_after),
      ),
    }));
    expect(rows.history).toBe(10);
    expect(rows.data.version).toBe(10);
    expect(rows.data.platforms.iOS.status).toBe("disconnected");
  });

  it("a changed HISTORY_LIMIT rearranges the ring when the object loads: smaller trims, larger keeps", async () => {
    const account = uniqueAccount();
    const setLimit = (historyLimit: number) =>
      runInDurableObject(stubFor(account), (instance: UserPresence) => {
        const shell = instance as unknown as { config: object; user: undefined };
        shell.config = { ...shell.config, historyLimit };
        shell.user = undefined; // as after a deploy: the next request loads from storage
      });
    const seqs = async () => {
      const res = await apiFetch(`${userPath(account)}/events?limit=50`);
      return ((await res.json()) as { events: { seq: number }[] }).events.map((e) => e.seq);
    };
    const t = Date.now() - 1000;
    for (let i = 0; i < 8; i++) await sendStateChange({ account, action: "Login", eventTime: t + i });

    await setLimit(3);
    expect(await seqs()).toEqual([8, 7, 6]);
    await sendStateChange({ account, action: "Logout", eventTime: t + 8 });
    expect(await seqs()).toEqual([9, 8, 7]);

    await setLimit(5);
    expect(await seqs()).toEqual([9, 8, 7]);
    for (let i = 9; i < 12; i++) await sendStateChange({ account, action: "Login", eventTime: t + i });
    expect(await seqs()).toEqual([12, 11, 10, 9, 8]);
  });
});
