// A watcher sees a snapshot first, then every applied change of the user as the webhook
// event bodies, in seq order; nothing for duplicates or stale callbacks.
import { describe, expect, it } from "vitest";
import { getSnapshot } from "../support/api";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";
import { openWatch, registeredHubs } from "../support/watch";

const ok = async (res: Promise<Response>) => expect((await res).status).toBe(200);

describe("live watch over WebSocket", () => {
  it("sends a snapshot on subscribe, then Login and Logout events in order", async () => {
    const account = uniqueAccount("watch");
    const t = Date.now() - 60_000;
    await ok(sendStateChange({ account, action: "Login", eventTime: t }));
    const client = await openWatch();
    const [snapshot] = await client.subscribed([account]);
    expect(snapshot).toEqual({ type: "snapshot", snapshot: await getSnapshot(account) });
    expect(snapshot!.snapshot.status).toBe("online");

    await ok(sendStateChange({ account, action: "Logout", eventTime: t + 10 }));
    const [device, user] = await client.take(2);
    expect(device).toMatchObject({
      type: "event",
      event: {
        type: "device.status_changed",
        data: { account, seq: 2, platform: "iOS", from: "online", to: "offline" },
      },
    });
    expect(user).toMatchObject({
      type: "event",
      event: { type: "user.status_changed", data: { account, seq: 2, from: "online", to: "offline" } },
    });
    expect(user!.event.data.snapshot).toEqual(await getSnapshot(account));
    expect(user!.event.timestamp).toBe(new Date(t + 10).toISOString());
    client.close();
  });

  it("a never-seen user's snapshot is unknown, and its first Login follows", async () => {
    const account = uniqueAccount("watch-new");
    const client = await openWatch();
    const [snapshot] = await client.subscribed([account]);
    expect(snapshot!.snapshot).toMatchObject({ account, status: "unknown", version: 0 });
    await ok(sendStateChange({ account, action: "Login", eventTime: Date.now() }));
    const events = await client.take(2);
    expect(events.map((m) => m.event.type)).toEqual(["device.status_changed", "user.status_changed"]);
    client.close();
  });

  it("keeps seq order over many changes, and a kick comes before the login that caused it", async () => {
    const account = uniqueAccount("watch-order");
    const client = await openWatch();
    await client.subscribed([account]);
    const t = Date.now() - 100_000;
    await ok(sendStateChange({ account, action: "Login", eventTime: t }, { optPlatform: "Windows" }));
    await ok(sendStateChange({ account, action: "Login", eventTime: t + 1, kicked: ["Windows"] }));
    for (let i = 2; i < 12; i++) {
      await ok(sendStateChange({ account, action: i % 2 ? "Login" : "Logout", eventTime: t + i }));
    }
    const first = await client.take(2);
    expect(first.map((m) => m.event.data.seq)).toEqual([1, 1]);
    const second = await client.take(3);
    // The user was online (Windows) and stays online (iOS): no user-level change.
    expect(second.map((m) => [m.event.type, m.event.data.platform])).toEqual([
      ["device.kicked", "Windows"],
      ["device.status_changed", "Windows"],
      ["device.status_changed", "iOS"],
    ]);
    const rest = await client.take(10 * 2);
    const seqs = [...first, ...second, ...rest].map((m) => m.event.data.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.at(-1)).toBe(12);
    client.close();
  });

  it("sends nothing for a duplicate or a stale callback", async () => {
    const account = uniqueAccount("watch-dup");
    const t = Date.now() - 60_000;
    const client = await openWatch();
    await client.subscribed([account]);
    await ok(sendStateChange({ account, action: "Login", eventTime: t + 10 }));
    await client.take(2);
    await ok(sendStateChange({ account, action: "Login", eventTime: t + 10 })); // duplicate
    await ok(sendStateChange({ account, action: "Logout", eventTime: t })); // stale
    // Calls from one user to one hub arrive in order: had the duplicate or the stale callback
    // sent anything, it would come before this change.
    await ok(sendStateChange({ account, action: "Logout", eventTime: t + 20 }));
    const next = await client.take(2);
    expect(next.map((m) => m.event.data.seq)).toEqual([4, 4]);
    client.close();
  });

  it("an applied change with no event (a login again on an online device) sends a fresh snapshot", async () => {
    const account = uniqueAccount("watch-silent");
    const t = Date.now() - 60_000;
    await ok(sendStateChange({ account, action: "Login", eventTime: t }));
    const client = await openWatch();
    const [before] = await client.subscribed([account]);
    await ok(sendStateChange({ account, action: "Login", eventTime: t + 5 }, { clientIp: "198.51.100.9" }));
    const refreshed = await client.next();
    expect(refreshed.type).toBe("snapshot");
    expect(refreshed.snapshot.version).toBe(before!.snapshot.version + 1);
    expect(refreshed.snapshot.platforms.iOS.clientIp).toBe("198.51.100.9");
    client.close();
  });

  it("subscribing again to a watched account resends its snapshot (the resync after a gap)", async () => {
    const account = uniqueAccount("watch-resync");
    const client = await openWatch();
    await client.subscribed([account]);
    await ok(sendStateChange({ account, action: "Login", eventTime: Date.now() }));
    await client.take(2);
    const [again] = await client.subscribed([account]);
    expect(again).toMatchObject({ type: "snapshot", snapshot: { status: "online", version: 1 } });
    expect(await registeredHubs(account)).toHaveLength(1);
    client.close();
  });

  it("unsubscribe stops the events and removes the registration", async () => {
    const account = uniqueAccount("watch-unsub");
    const sentinel = uniqueAccount("sentinel");
    const client = await openWatch();
    await client.subscribed([account, sentinel]);
    expect(await registeredHubs(account)).toHaveLength(1);
    client.send({ type: "unsubscribe", accounts: [account, "never-watched"] });
    // Messages are handled in order: once the sentinel's snapshot is back, the unsubscribe is done.
    await client.subscribed([sentinel]);
    expect(await registeredHubs(account)).toEqual([]);
    await ok(sendStateChange({ account, action: "Login", eventTime: Date.now() }));
    await ok(sendStateChange({ account: sentinel, action: "Login", eventTime: Date.now() }));
    const next = await client.take(2);
    expect(next.map((m) => m.event.data.account)).toEqual([sentinel, sentinel]);
    client.close();
  });

  it("two watchers of one user both get every event", async () => {
    const account = uniqueAccount("watch-two");
    const [a, b] = [await openWatch(), await openWatch()];
    await a.subscribed([account]);
    await b.subscribed([account]);
    expect(await registeredHubs(account)).toHaveLength(2);
    await ok(sendStateChange({ account, action: "Login", eventTime: Date.now() }));
    const [fromA, fromB] = [await a.take(2), await b.take(2)];
    expect(fromA).toEqual(fromB);
    a.close();
    b.close();
  });
});

describe("erasure of a watched user", () => {
  it("the watcher gets an unknown snapshot, and keeps getting the user's changes", async () => {
    const { apiFetch, userPath } = await import("../support/api");
    const account = uniqueAccount("watch-erased");
    const t = Date.now() - 60_000;
    await ok(sendStateChange({ account, action: "Login", eventTime: t }));
    const client = await openWatch();
    await client.subscribed([account]);
    expect((await apiFetch(userPath(account), { method: "DELETE" })).status).toBe(204);
    expect(await client.next()).toMatchObject({ type: "snapshot", snapshot: { status: "unknown", version: 0 } });
    expect(await registeredHubs(account)).toHaveLength(1);
    await ok(sendStateChange({ account, action: "Login", eventTime: t + 1 }));
    expect((await client.take(2)).map((m) => [m.event.data.seq, m.event.type])).toEqual([
      [1, "device.status_changed"],
      [1, "user.status_changed"],
    ]);
    client.close();
  });
});
