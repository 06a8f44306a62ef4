// A watch is a read: once its connection is gone, nothing it caused remains. The hub
// unregisters from every user it watched, then deletes its own storage; a user never seen is
// left with no storage at all, a seen user with no registration of it. A connection lost
// without a close event is found and released by the hub's alarm.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_API_TOKEN } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { storedTables, stubFor, uniqueAccount } from "../support/storage";
import { hubHolds, hubStub, openWatch, registeredHubs, released, watchPath } from "../support/watch";

/** What a user's object holds: every table (the runtime's own too) and its alarm. */
const leftIn = (account: string) =>
  runInDurableObject(stubFor(account), async (_instance, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((r) => r.name),
    alarm: await state.storage.getAlarm(),
  }));

const nothingIn = async (accounts: string[]) => {
  for (const account of accounts) expect(await leftIn(account), account).toEqual({ tables: [], alarm: null });
};

describe("what a closed connection leaves behind", () => {
  it("a WebSocket's never-seen users hold nothing after unsubscribe or close, nor does its hub", async () => {
    const prefix = uniqueAccount("never-seen");
    const accounts = Array.from({ length: 20 }, (_, i) => `${prefix}-${i}`);
    const client = await openWatch();
    await client.subscribed(accounts);
    const [hub] = await registeredHubs(accounts[0]!);
    expect(await storedTables(accounts[0]!)).toEqual(["watchers"]); // while watched: the registry

    client.send({ type: "unsubscribe", accounts: accounts.slice(0, 10) });
    await client.subscribed([accounts[19]!]); // messages are handled in order: the unsubscribe is done
    await nothingIn(accounts.slice(0, 10));

    client.close();
    await released(hub!);
    await nothingIn(accounts);
  });

  it("an SSE stream's too", async () => {
    const prefix = uniqueAccount("never-seen-sse");
    const accounts = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);
    const res = await exports.default.fetch(`https://presence.test${watchPath()}?accounts=${accounts.join(",")}`, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    const reader = res.body!.getReader();
    let text = "";
    while ((text.match(/^event: snapshot$/gm) ?? []).length < accounts.length) {
      text += new TextDecoder().decode((await reader.read()).value);
    }
    const [hub] = await registeredHubs(accounts[0]!);
    expect(await hubHolds(hub!)).toBe(true);
    await reader.cancel();
    await released(hub!);
    await nothingIn(accounts);
  });

  it("a seen user keeps its state and loses the registration, and the registry once empty", async () => {
    const account = uniqueAccount("seen");
    expect((await sendStateChange({ account, action: "Login", eventTime: Date.now() })).status).toBe(200);
    const [a, b] = [await openWatch(), await openWatch()];
    await a.subscribed([account]);
    const [hubA] = await registeredHubs(account);
    await b.subscribed([account]);
    const hubB = (await registeredHubs(account)).find((hub) => hub !== hubA);
    a.close();
    await released(hubA!);
    expect(await registeredHubs(account)).toEqual([hubB]);
    b.close();
    await released(hubB!);
    expect(await storedTables(account)).toEqual(["history"]);
  });

  it("a connection lost without a close event is released by the hub's alarm", async () => {
    const prefix = uniqueAccount("lost");
    const accounts = Array.from({ length: 3 }, (_, i) => `${prefix}-${i}`);
    const client = await openWatch();
    await client.subscribed(accounts);
    const [hub] = await registeredHubs(accounts[0]!);
    // The hub loses its socket and its memory at once, as in a restart: no webSocketClose runs.
    await evictDurableObject(hubStub(hub!), { webSockets: "close" });
    expect(await registeredHubs(accounts[0]!)).toEqual([hub]);
    expect(await hubHolds(hub!)).toBe(true);

    expect(await runDurableObjectAlarm(hubStub(hub!))).toBe(true);
    expect(await hubHolds(hub!)).toBe(false);
    await nothingIn(accounts);
  });

  it("while the connection lasts, the alarm only looks again later", async () => {
    const account = uniqueAccount("kept");
    const client = await openWatch();
    await client.subscribed([account]);
    const [hub] = await registeredHubs(account);
    await evictDurableObject(hubStub(hub!)); // hibernated, socket open
    expect(await runDurableObjectAlarm(hubStub(hub!))).toBe(true);
    expect(await hubHolds(hub!)).toBe(true);
    expect(await registeredHubs(account)).toEqual([hub]);
    expect((await sendStateChange({ account, action: "Login", eventTime: Date.now() })).status).toBe(200);
    expect((await client.take(2)).map((m) => m.type)).toEqual(["event", "event"]);
    client.close();
    await released(hub!);
  });
});
