// A user nobody watches pays nothing extra per callback: no row written, no request. A watched
// user pays one call per watching connection per applied change and no row; the registry is
// written on subscribe and unsubscribe only.
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sendStateChange } from "../support/callback";
import { countStatements, storedTables, stubFor, uniqueAccount } from "../support/storage";
import { drained, openWatch, registeredHubs, usage } from "../support/watch";

async function costOf(account: string, send: () => Promise<Response>) {
  const before = await usage(account);
  expect((await send()).status).toBe(200);
  await drained(account);
  const after = await usage(account);
  return { rows: after.rowsWritten - before.rowsWritten, requests: after.watchRequests - before.watchRequests };
}

describe("watch cost per callback", () => {
  it("an unwatched user loaded after eviction: the load query and the write, no query for the registry", async () => {
    const account = uniqueAccount("unwatched-cold");
    const t = Date.now() - 100_000;
    await sendStateChange({ account, action: "Login", eventTime: t });
    await evictDurableObject(stubFor(account));
    const statements = await countStatements(account);
    expect((await sendStateChange({ account, action: "Logout", eventTime: t + 1 })).status).toBe(200);
    expect(await statements()).toBe(2);
  });

  it("a user watched before its first callback is still published to after eviction", async () => {
    const account = uniqueAccount("watched-cold");
    const t = Date.now() - 100_000;
    const w = await openWatch();
    await w.subscribed([account]);
    await evictDurableObject(stubFor(account));
    const cost = await costOf(account, () => sendStateChange({ account, action: "Login", eventTime: t }));
    // A first touch: creating the history table (the runtime counts its schema rows) and its first row.
    expect(cost).toEqual({ rows: 3, requests: 1 });
    w.close();
  });

  it("an unwatched user: the same one row per callback as without watch, no request, no registry", async () => {
    const account = uniqueAccount("unwatched");
    const t = Date.now() - 100_000;
    await sendStateChange({ account, action: "Login", eventTime: t });
    for (let i = 1; i <= 5; i++) {
      const cost = await costOf(account, () =>
        sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: t + i }),
      );
      expect(cost).toEqual({ rows: 1, requests: 0 });
    }
    const repeat = { account, action: "Logout", eventTime: t + 5 };
    expect(await costOf(account, () => sendStateChange(repeat))).toEqual({ rows: 1, requests: 0 });
    expect((await usage(account)).watchRequests).toBe(0);
    expect(await storedTables(account)).not.toContain("watchers");
  });

  it("a watched user: no extra row; one call per watching connection per applied change, none for a duplicate", async () => {
    const account = uniqueAccount("watched");
    const t = Date.now() - 100_000;
    await sendStateChange({ account, action: "Login", eventTime: t });
    const [a, b] = [await openWatch(), await openWatch()];
    const before = await usage(account);
    await a.subscribed([account]);
    const first = (await usage(account)).rowsWritten - before.rowsWritten;
    await b.subscribed([account]);
    const second = (await usage(account)).rowsWritten - before.rowsWritten - first;
    // One registry row per connection; the first also creates the registry table (a one-off).
    expect([first, second]).toEqual([3, 1]);
    await a.subscribed([account]); // a resync writes nothing
    expect((await usage(account)).rowsWritten - before.rowsWritten).toBe(4);

    for (let i = 1; i <= 4; i++) {
      const cost = await costOf(account, () =>
        sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: t + i }),
      );
      expect(cost).toEqual({ rows: 1, requests: 2 });
    }
    const repeat = { account, action: "Login", eventTime: t + 4 };
    expect(await costOf(account, () => sendStateChange(repeat))).toEqual({ rows: 1, requests: 0 });
    expect(await registeredHubs(account)).toHaveLength(2);
    a.close();
    b.close();
  });

  it("watching a never-seen user creates only its registry; a read still creates nothing", async () => {
    const watched = uniqueAccount("watched-new");
    const client = await openWatch();
    await client.subscribed([watched]);
    expect(await storedTables(watched)).toEqual(["watchers"]);
    client.close();
  });
});
