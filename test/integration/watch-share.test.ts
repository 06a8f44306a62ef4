// One credential cannot make a user unwatchable for everyone else: a watch token (or an API
// token) holds at most 100 of a user's 1 000 watching connections, and a refusal, at either
// limit, asks no hub and reads no row.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import { apiFetch } from "../support/api";
import { TEST_APP } from "../support/bindings";
import { countStatements, stubFor, uniqueAccount } from "../support/storage";
import { MANY_REQUESTS_MS } from "../support/timeouts";
import { openWatch, registeredHubs, usage, type WatchClient } from "../support/watch";

async function mint(accounts: string[]): Promise<string> {
  const res = await apiFetch(`/v1/apps/${TEST_APP}/watch-tokens`, {
    method: "POST",
    body: JSON.stringify({ accounts }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe("a user's watchers are shared out by credential", () => {
  // A hundred connections, each its own hub opened through the Worker: seconds on a loaded
  // machine, hence the budget for many requests.
  it(
    "one watch token gets 100 of the victim's watchers; others still get in",
    { timeout: MANY_REQUESTS_MS },
    async () => {
      const victim = uniqueAccount("victim");
      const abused = await mint([victim]);
      const held: WatchClient[] = [];
      for (let i = 0; i < 100; i++) {
        const client = await openWatch({ token: abused });
        expect((await client.subscribed([victim]))[0]!.type).toBe("snapshot");
        held.push(client);
      }
      const more = await openWatch({ token: abused });
      more.subscribe([victim]);
      expect(await more.next()).toEqual({
        type: "error",
        error: "unavailable",
        message: expect.stringMatching(/this credential already holds 100 of this user's watching connections/),
      });
      held.push(more);

      // Another browser's token, and a backend's API token, still watch the victim.
      const other = await openWatch({ token: await mint([victim]) });
      const backend = await openWatch();
      for (const client of [other, backend]) {
        expect((await client.subscribed([victim]))[0]).toMatchObject({ type: "snapshot" });
        held.push(client);
      }
      expect(await registeredHubs(victim)).toHaveLength(102);
      for (const client of held) client.close();
    },
  );

  it("at the user's 1 000, a refusal asks no hub and runs no statement", async () => {
    const user = uniqueAccount("crowded");
    const first = await openWatch();
    await first.subscribed([user]);
    // 999 more registrations (ten credentials' shares, all but one place), as if open elsewhere.
    await runInDurableObject(stubFor(user), (instance: UserPresence, state) => {
      for (let i = 0; i < 999; i++) {
        const hub = env.WATCH_HUB.newUniqueId().toString();
        state.storage.sql.exec("INSERT INTO watchers (hub, credential) VALUES (?, ?)", hub, `token:${i % 10}`);
      }
      (instance as unknown as { watchers: { hubs: null } }).watchers.hubs = null; // as after an eviction
    });
    const late = await openWatch();
    const refused = {
      type: "error",
      error: "unavailable",
      message: expect.stringMatching(/this user already has 1000 watching connections: share a connection/),
    };
    const calls = (await usage(user)).watchRequests;
    late.subscribe([user]);
    expect(await late.next()).toEqual(refused);
    expect((await usage(user)).watchRequests).toBe(calls); // no hub was asked anything

    // With the registry in memory (the first refusal read it), a refusal runs no statement at all.
    const statements = await countStatements(user);
    late.subscribe([user]);
    expect(await late.next()).toEqual(refused);
    expect(await statements()).toBe(0);
    expect(await registeredHubs(user)).toHaveLength(1000);
    first.close();
    late.close();
  });
});
