// Re-subscribing is how a client resynchronises, but snapshot reads are not free: a connection
// gets 3 000 at once and 3 000 a minute, past which a subscribe is refused with rate_limited.
// The budget rides in the socket's attachment, so going idle (hibernation) does not reset it.
import { evictDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { uniqueAccount } from "../support/storage";
import { MANY_REQUESTS_MS } from "../support/timeouts";
import { hubStub, openWatch, registeredHubs } from "../support/watch";

afterEach(() => vi.useRealTimers());

describe("a connection's snapshot budget", () => {
  // Five subscribes of 1 000 accounts: 4 000 calls to 1 000 users' objects, seconds on a loaded
  // machine, hence the budget for many requests.
  it(
    "1 000 accounts three times, then rate_limited, also after hibernation, until time gives some back",
    { timeout: MANY_REQUESTS_MS },
    async () => {
      // Only Date is faked, and it stands still unless moved: however slow the machine, the
      // budget sees exactly the time the test gives it. The hub shares this isolate's clock.
      vi.useFakeTimers({ toFake: ["Date"] });
      const start = Date.now();
      const prefix = uniqueAccount("budget");
      const accounts = Array.from({ length: 1000 }, (_, i) => `${prefix}-${i}`);
      const client = await openWatch();
      for (let round = 0; round < 3; round++) {
        const snapshots = await client.subscribed(accounts);
        expect(snapshots.every((m) => m.type === "snapshot")).toBe(true);
      }
      const limited = (left: number, seconds: number) => ({
        type: "error",
        error: "rate_limited",
        message: `this subscribe needs 1000 snapshots and this connection has ${left} left (3000 a minute): send it again in ${seconds} s, and re-subscribe only the accounts whose version jumped`,
      });
      client.subscribe(accounts);
      expect(await client.next()).toEqual(limited(0, 20));

      // Idle long enough to hibernate: the hub leaves memory, the budget stays with the socket.
      const [hub] = await registeredHubs(accounts[0]!);
      await evictDurableObject(hubStub(hub!));
      vi.setSystemTime(start + 1000);
      client.subscribe(accounts);
      expect(await client.next()).toEqual(limited(50, 19));
      const [resync] = await client.subscribed(accounts.slice(0, 50)); // what came back is spent by resyncs
      expect(resync).toMatchObject({ type: "snapshot" });

      vi.setSystemTime(start + 61_000);
      expect((await client.subscribed(accounts)).every((m) => m.type === "snapshot")).toBe(true);
      client.close();
    },
  );
});
