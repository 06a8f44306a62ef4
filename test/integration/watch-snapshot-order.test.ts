// A change that reaches a watching hub while the account's snapshot is still on its way (the hub
// is registered at the user's object before the snapshot comes back) must not go out before
// that snapshot, nor twice when the snapshot already includes it (src/watch/sequencer.ts; its
// unit tests cover the other orders). The race is made certain, not waited for: the user's
// object registers the hub, commits a change, waits until the hub has it, and only then
// answers the hub's watch call.
import { describe, expect, it } from "vitest";
import { UserPresence } from "../../src/durable/user-presence";
import type { AccountId, AppId } from "../../src/presence/types";
import { sendStateChange } from "../support/callback";
import { ev } from "../support/events";
import { uniqueAccount } from "../support/storage";
import { openWatch } from "../support/watch";

const ok = async (res: Promise<Response>) => expect((await res).status).toBe(200);

interface Inside {
  watchers: { drained(): Promise<void> };
  load(): { seq: number } | null;
}

/**
 * The user's next watch call registers the hub, then a Logout is committed and delivered to
 * that hub, and only then is the call answered, with a snapshot that includes the Logout. RPC
 * looks methods up on the class, so the class's `watch` is wrapped, for one call.
 */
function changeWhileRegistering(eventTime: number) {
  const proto = UserPresence.prototype;
  const original = proto.watch;
  proto.watch = async function (this: UserPresence, app: AppId, who: AccountId, hub: string, credential: string) {
    proto.watch = original; // once
    const registered = original.call(this, app, who, hub, credential);
    if (!registered.ok) return registered;
    await this.ingest(app, who, ev({ action: "Logout", reason: "Unregister", eventTime }));
    const inside = this as unknown as Inside;
    await inside.watchers.drained(); // the hub has the change before it has the snapshot
    return { ok: true, snapshot: this.snapshotJson(app, who), seq: inside.load()?.seq ?? 0 };
  } as unknown as typeof original;
}

describe("live watch: the snapshot of an account comes before any change of it", () => {
  it("a change that reaches the hub while the snapshot is on its way is not sent before it, nor twice", async () => {
    const account = uniqueAccount("watch-order");
    const t = Date.now() - 60_000;
    await ok(sendStateChange({ account, action: "Login", eventTime: t }));
    changeWhileRegistering(t + 10);
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
