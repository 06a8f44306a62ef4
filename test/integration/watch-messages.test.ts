// A bad client message gets an error message that names the field and the fix, and the
// connection stays open and usable. At most 1 000 accounts per connection.
import { describe, expect, it } from "vitest";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";
import { openWatch, registeredHubs } from "../support/watch";

describe("bad watch messages", () => {
  it("answers each bad message with an error and keeps the connection", async () => {
    const client = await openWatch();
    const cases: [unknown, RegExp][] = [
      ["not json", /^message is not JSON/],
      [{ type: "publish", accounts: ["a"] }, /^type: must be "subscribe" or "unsubscribe"$/],
      [{ accounts: ["a"] }, /^type: must be "subscribe" or "unsubscribe"$/],
      [[], /^message: expected object$/],
      [{ type: "subscribe" }, /^message: name what to watch: "accounts":\["alice",…\], "counts":true, or both/],
      [{ type: "subscribe", counts: "yes" }, /^counts: must be true \(leave it out/],
      [{ type: "subscribe", accounts: [] }, /^accounts: must hold at least one account$/],
      [{ type: "subscribe", accounts: ["ok", ""] }, /^accounts\.1: must be 1 to 128 bytes of UTF-8$/],
      [{ type: "subscribe", accounts: ["\ud800"] }, /^accounts\.0: must be 1 to 128 bytes of UTF-8$/],
      [{ type: "subscribe", accounts: [7] }, /^accounts\.0: expected string$/],
      [{ type: "unsubscribe", accounts: "alice" }, /^accounts: expected array$/],
    ];
    for (const [message] of cases) client.send(typeof message === "string" ? message : JSON.stringify(message));
    client.socket.send(new Uint8Array([1, 2, 3]));
    const errors = await client.take(cases.length + 1);
    cases.forEach(([, expected], i) => {
      expect(errors[i]).toEqual({ type: "error", error: "bad_message", message: expect.stringMatching(expected) });
    });
    expect(errors.at(-1)).toMatchObject({ type: "error", error: "bad_message", message: /binary/ });

    const account = uniqueAccount("after-errors");
    const [snapshot] = await client.subscribed([account]);
    expect(snapshot!.type).toBe("snapshot");
    expect(client.closed).toBeNull();
    client.close();
  });

  it("a ping is answered by a pong", async () => {
    const client = await openWatch();
    client.send('{"type":"ping"}');
    expect(await client.next()).toEqual({ type: "pong" });
    client.close();
  });

  it("more than 1 000 accounts in a message, or on the connection, is refused whole", async () => {
    const client = await openWatch();
    client.subscribe(Array.from({ length: 1001 }, (_, i) => `too-many-${i}`));
    expect(await client.next()).toMatchObject({
      error: "bad_message",
      message: "accounts: must hold at most 1000 accounts",
    });
    const first = uniqueAccount("first");
    await client.subscribed([first]);
    const thousand = Array.from({ length: 1000 }, (_, i) => `${first}-${i}`);
    client.subscribe(thousand);
    expect(await client.next()).toEqual({
      type: "error",
      error: "too_many_accounts",
      message:
        "this would watch 1001 accounts, at most 1000 per connection: unsubscribe some or open another connection",
    });
    expect(await registeredHubs(thousand[0]!)).toEqual([]);
    client.close();
  });
});

describe("a thousand accounts on one connection", () => {
  // A thousand users' objects are created and each writes its registry row: inherently the
  // slowest test here (seconds on a shared machine), hence the generous timeout.
  it("sends 1 000 snapshots, then the events of any of them", { timeout: 120_000 }, async () => {
    const prefix = uniqueAccount("many");
    const accounts = Array.from({ length: 1000 }, (_, i) => `${prefix}-${i}`);
    const client = await openWatch();
    const snapshots = await client.subscribed(accounts);
    expect(new Set(snapshots.map((m) => m.snapshot.account))).toEqual(new Set(accounts));
    expect(snapshots.every((m) => m.type === "snapshot" && m.snapshot.status === "unknown")).toBe(true);
    for (const account of [accounts[0]!, accounts[999]!]) {
      expect((await sendStateChange({ account, action: "Login", eventTime: Date.now() })).status).toBe(200);
      expect((await client.take(2)).map((m) => m.event.data.account)).toEqual([account, account]);
    }
    client.close();
  });
});
