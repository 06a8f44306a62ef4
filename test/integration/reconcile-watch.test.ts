// A reconcile correction reaches live watchers like any change, with data.source "reconcile";
// a confirmation sends them nothing.
import { describe, expect, it } from "vitest";
import { RECONCILE_APP } from "../support/bindings";
import {
  callback,
  HOUR,
  installFakeTencent,
  runReconciler,
  runUserAlarm,
  snapshot,
  userStub,
} from "../support/reconcile";
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

  it("a late callback hidden by the correction is recorded stale: no version, nothing sent (SPEC §3)", async () => {
    await installFakeTencent();
    const ghost = uniqueAccount("watch-hidden");
    await callback(ghost, 2 * HOUR);
    const client = await openWatch({ app: RECONCILE_APP });
    await client.subscribed([ghost]);
    await runUserAlarm(ghost);
    await runReconciler();
    await drained(ghost, RECONCILE_APP);
    await client.take(2); // the correction's device and user events
    const healed = await snapshot(ghost);
    expect(healed.status).toBe("offline");

    // A Login from before Q arrives late: Tencent's answer at Q is newer and keeps the user offline.
    expect(await callback(ghost, HOUR)).toBe("stale");
    const [entry] = await userStub(ghost).history(1, null);
    expect(entry).toMatchObject({ action: "Login", outcome: "stale", status: "offline" });
    expect(await snapshot(ghost)).toEqual(healed);

    // The next change the watcher gets is the next one shown, one version on: nothing came between.
    expect(await callback(ghost, 0)).toBe("applied");
    await drained(ghost, RECONCILE_APP);
    const [next] = await client.take(1);
    expect(next!.event).toMatchObject({ type: "device.status_changed", data: { account: ghost, source: "callback" } });
    expect(next!.event.data.snapshot.version).toBe(healed.version + 1);
    client.close();
  });
});
