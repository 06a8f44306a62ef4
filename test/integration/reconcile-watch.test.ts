// A reconcile correction reaches live watchers like any change, with data.source "reconcile";
// a confirmation sends them nothing.
import { describe, expect, it } from "vitest";
import { RECONCILE_APP } from "../support/bindings";
import { callback, HOUR, installFakeTencent, runReconciler, runUserAlarm } from "../support/reconcile";
import { uniqueAccount } from "../support/storage";
import { drained, openWatch } from "../support/watch";

describe("reconcile: live watchers", () => {
  it("see a healed ghost's changes with source reconcile, and nothing for a confirmed user", async () => {
    const fake = await installFakeTencent();
    const ghost = uniqueAccount("watch-ghost");
    const real = uniqueAccount("watch-real");
    await callback(ghost, 2 * HOUR);
    await callback(real, 2 * HOUR);
    fake.set(real, { iOS: "online" });
    const client = await openWatch({ app: RECONCILE_APP });
    await client.subscribed([real, ghost]);
    await runUserAlarm(ghost);
    await runUserAlarm(real);
    await runReconciler();
    await drained(ghost, RECONCILE_APP);
    await drained(real, RECONCILE_APP);
    const [device, user] = await client.take(2);
    expect(device!.event).toMatchObject({
      type: "device.status_changed",
      data: { account: ghost, source: "reconcile", platform: "iOS", to: "offline", reason: "Reconciled" },
    });
    expect(user!.event).toMatchObject({ type: "user.status_changed", data: { account: ghost, source: "reconcile" } });
    expect(client.untaken()).toEqual([]);
    client.close();
  });
});
