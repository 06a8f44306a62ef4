// A change that reaches a watching hub while the account's snapshot is still on its way (the hub
// is registered at the user's object before the snapshot comes back) must not go out before
// that snapshot, nor twice when the snapshot already includes it (src/watch/sequencer.ts; its
// unit tests cover the other orders). The race is made certain, not waited for: the user's
// object registers the hub, commits a change, waits until the hub has it, and only then
// answers the hub's watch call.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import type { AccountId, AppId } from "../../src/presence/types";
import { TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { ev } from "../support/events";
import { stubFor, uniqueAccount } from "../support/storage";
import { openWatch } from "../support/watch";

const ok = async (res: Promise<Response>) => expect((await res).status).toBe(200);

interface WatchersInside {
  add(hub: string, account: AccountId): Promise<unknown>;
  drained(): Promise<void>;
}

/** The user's next registration of a hub is followed by a Logout delivered to that hub. */
function changeWhileRegistering(account: string, eventTime: number) {
  return runInDurableObject(stubFor(account), (instance: UserPresence) => {
    const watchers = (instance as unknown as { watchers: WatchersInside }).watchers;
    const add = watchers.add.bind(watchers);
    watchers.add = async (hub, who) => {
      watchers.add = add; // once
      const registered = await add(hub, who);
      await instance.ingest(TEST_APP as AppId, who, ev({ action: "Logout", reason: "Unregister", eventTime }));
      await watchers.drained(); // the hub has the change before it has the snapshot
      return registered;
    };
  });
}

describe("live watch: the snapshot of an account comes before any change of it", () => {
  it("a change that reaches the hub while the snapshot is on its way is not sent before it, nor twice", async () => {
    const account = uniqueAccount("watch-order");
    const t = Date.now() - 60_000;
    await ok(sendStateChange({ account, action: "Login", eventTime: t }));
    await changeWhileRegistering(account, t + 10);
    const client = await openWatch();
    const [first] = await client.subscribed([account]);
    expect(first).toMatchObject({ type: "snapshot", snapshot: { account, status: "offline", version: 2 } });
    // The next message is the next change: the Logout, already in the snapshot, did not follow it.
    await ok(sendStateChange({ account, action: "Login", eventTime: t + 20 }));
    const [next] = await client.take(1);
    expect(next!.event).toMatchObject({ type: "device.status_changed", data: { account, seq: 3, to: "online" } });
    client.close();
  });
});
