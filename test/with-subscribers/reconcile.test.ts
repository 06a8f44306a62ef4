// A reconcile correction publishes the usual webhook events, with data.source "reconcile";
// the callback's own events carry "callback". Verified with standardwebhooks (mockSubscribers).
import { afterEach, describe, expect, it, vi } from "vitest";
import { callback, HOUR, installFakeTencent, runReconciler, runUserAlarm } from "../support/reconcile";
import { uniqueAccount } from "../support/storage";
import { mockSubscribers, typesOf } from "../support/webhooks";

afterEach(() => vi.restoreAllMocks());

describe("reconcile: webhooks", () => {
  it("a healed ghost publishes user and device status changes with source reconcile", async () => {
    const hooks = mockSubscribers();
    await installFakeTencent();
    const account = uniqueAccount("hook");
    await callback(account, 2 * HOUR);
    await runUserAlarm(account); // delivers the Login's events and finds the user stale
    const fromCallback = hooks.of("all").filter((d) => d.payload.data.account === account);
    expect(fromCallback.length).toBeGreaterThan(0);
    expect(fromCallback.every((d) => d.payload.data.source === "callback")).toBe(true);

    await runReconciler();
    await runUserAlarm(account); // delivers the correction's events
    const fromReconcile = hooks
      .of("all")
      .filter((d) => d.payload.data.account === account && d.payload.data.source === "reconcile");
    expect(typesOf(fromReconcile)).toEqual(["device.status_changed", "user.status_changed"]);
    expect(fromReconcile[0]!.payload.data).toMatchObject({
      platform: "iOS",
      from: "online",
      to: "offline",
      reason: "Reconciled",
    });
    expect(fromReconcile[1]!.payload.data).toMatchObject({ from: "online", to: "offline" });
    expect(fromReconcile[1]!.payload.data.snapshot.status).toBe("offline");
    const statusOnly = hooks.of("status").filter((d) => d.payload.data.source === "reconcile");
    expect(typesOf(statusOnly.filter((d) => d.payload.data.account === account))).toEqual(["user.status_changed"]);
    expect(hooks.rejected).toEqual([]);
  });
});
