// Subscriptions survive the eviction of either object while the connection is open: the hub
// hibernates (its socket stays open) and rebuilds from the attachment and its one row; the
// user's object reloads its registry of hubs. A hub that loses its socket is dropped.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sendStateChange } from "../support/callback";
import { stubFor, uniqueAccount } from "../support/storage";
import { drained, hubStub, openWatch, registeredHubs, usage } from "../support/watch";
import type { AccountId } from "../../src/presence/types";

const ok = async (res: Promise<Response>) => expect((await res).status).toBe(200);

describe("watch across evictions", () => {
  it("the hub hibernates and wakes for the next change with its subscriptions", async () => {
    const account = uniqueAccount("evict-hub");
    const other = uniqueAccount("evict-hub-other");
    const client = await openWatch();
    await client.subscribed([account, other]);
    const [hub] = await registeredHubs(account);
    const before = await runInDurableObject(hubStub(hub!), (instance) => instance);
    await evictDurableObject(hubStub(hub!));

    await ok(sendStateChange({ account, action: "Login", eventTime: Date.now() }));
    const events = await client.take(2);
    expect(events.map((m) => m.event.type)).toEqual(["device.status_changed", "user.status_changed"]);
    expect(await runInDurableObject(hubStub(hub!), (instance) => instance === before)).toBe(false);
    expect(client.closed).toBeNull();

    // The subscriptions were rebuilt whole: an unsubscribe and a later subscribe still work.
    await evictDurableObject(hubStub(hub!));
    client.send({ type: "unsubscribe", accounts: [account] });
    await client.subscribed([other]);
    expect(await registeredHubs(account)).toEqual([]);
    client.close();
  });

  it("an unsubscribe is kept across the hub's eviction: the hub no longer takes that account's changes", async () => {
    const a = uniqueAccount("evict-unsub-a");
    const b = uniqueAccount("evict-unsub-b");
    const client = await openWatch();
    await client.subscribed([a, b]);
    const [hub] = await registeredHubs(a);
    client.send({ type: "unsubscribe", accounts: [a] });
    await client.subscribed([b]); // messages are handled in order: the unsubscribe is done
    await evictDurableObject(hubStub(hub!));
    // What the rebuilt hub answers a user's object that delivers a change: false drops it.
    expect(await hubStub(hub!).deliver(a as AccountId, 99, ["{}"])).toBe(false);
    expect(await hubStub(hub!).deliver(b as AccountId, 99, ['{"type":"snapshot"}'])).toBe(true);
    client.close();
  });

  it("the user's object reloads its registry after eviction", async () => {
    const account = uniqueAccount("evict-user");
    const t = Date.now() - 10_000;
    await ok(sendStateChange({ account, action: "Login", eventTime: t }));
    const client = await openWatch();
    await client.subscribed([account]);
    await evictDurableObject(stubFor(account));

    await ok(sendStateChange({ account, action: "Logout", eventTime: t + 1 }));
    const events = await client.take(2);
    expect(events.map((m) => [m.event.data.seq, m.event.data.to])).toEqual([
      [2, "offline"],
      [2, "offline"],
    ]);
    client.close();
  });

  it("both evicted at once: still one snapshot, then the events", async () => {
    const account = uniqueAccount("evict-both");
    const client = await openWatch();
    await client.subscribed([account]);
    const [hub] = await registeredHubs(account);
    await evictDurableObject(hubStub(hub!));
    await evictDurableObject(stubFor(account));
    await ok(sendStateChange({ account, action: "Login", eventTime: Date.now() }));
    expect((await client.take(2)).map((m) => m.type)).toEqual(["event", "event"]);
    expect(client.untaken()).toEqual([]);
    client.close();
  });

  it("a hub whose socket was lost (aborted) is dropped from the registry at the next change", async () => {
    const account = uniqueAccount("evict-abort");
    const client = await openWatch();
    await client.subscribed([account]);
    const [hub] = await registeredHubs(account);
    await evictDurableObject(hubStub(hub!), { webSockets: "close" });
    await ok(sendStateChange({ account, action: "Login", eventTime: Date.now() }));
    await drained(account);
    expect(await registeredHubs(account)).toEqual([]);
    const calls = (await usage(account)).watchRequests;
    await ok(sendStateChange({ account, action: "Logout", eventTime: Date.now() }));
    expect((await usage(account)).watchRequests).toBe(calls);
  });
});
