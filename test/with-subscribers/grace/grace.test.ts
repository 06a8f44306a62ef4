// OFFLINE_GRACE_SECONDS = 60 in this project ("webhooks-grace"): a user-level drop from online
// is held for 60 s; a return within it cancels both changes. Device-level events are not held.
import { afterEach, describe, expect, it, vi } from "vitest";
import { getSnapshot } from "../../support/api";
import { sendStateChange } from "../../support/callback";
import { uniqueAccount } from "../../support/storage";
import { GRACE_SECONDS } from "../../support/webhook-config";
import { alarmAt, deliveries, drain, fireAlarm, mockSubscribers, typesOf } from "../../support/webhooks";
import { setClock } from "../../support/clock";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const G = GRACE_SECONDS * 1000;

describe("grace period", () => {
  it("drops both changes when the user is back online within the window; device events still flow", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const at = Date.now() - 1000;
    setClock(at + 1000);
    await sendStateChange({ account, action: "Login", eventTime: at });
    await drain(account);
    const dropArrived = at + 2000;
    setClock(dropArrived);
    await sendStateChange({ account, action: "Logout", eventTime: at + 10 });
    await drain(account);
    // the device went offline at once; the user-level drop is held
    expect(typesOf(hooks.of("all"))).toEqual(["device.status_changed", "user.status_changed", "device.status_changed"]);
    expect(hooks.of("status")).toHaveLength(1);
    const held = (await deliveries(account)).filter((d) => d.type === "user.status_changed");
    expect(held.map((d) => [d.subscriber, d.seq])).toEqual([
      ["all", 2],
      ["status", 2],
    ]);
    const deadline = held[0].nextAttemptAt;
    expect(deadline).toBe(dropArrived + G);
    expect(await alarmAt(account)).toBe(deadline);

    setClock(dropArrived + 20_000);
    await sendStateChange({ account, action: "Login", eventTime: Date.now() - 5 });
    await drain(account);
    setClock(deadline + 1000);
    await drain(account);
    expect(typesOf(hooks.of("all"))).toEqual([
      "device.status_changed",
      "user.status_changed",
      "device.status_changed",
      "device.status_changed",
    ]);
    expect(hooks.of("status").map((d) => d.payload.data.to)).toEqual(["online"]);
    expect(await deliveries(account)).toEqual([]);
    expect(hooks.rejected).toEqual([]);
  });

  // Callbacks arrive late: the window runs from the drop's arrival, not from its EventTime,
  // so a drop that took longer than the grace to arrive is still held for the whole window.
  it("counts the window from the drop's arrival, not from its EventTime", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const arrived = Date.now();
    setClock(arrived);
    const eventTime = arrived - 4 * 60_000; // four minutes late, longer than the 60 s grace
    await sendStateChange({ account, action: "Login", eventTime: eventTime - 1000 });
    await sendStateChange({ account, action: "Logout", eventTime });
    await drain(account);
    expect(hooks.of("status").map((d) => d.payload.data.to)).toEqual(["online"]);
    const held = (await deliveries(account)).filter((d) => d.type === "user.status_changed");
    expect(held.map((d) => [d.subscriber, d.nextAttemptAt])).toEqual([
      ["all", arrived + G],
      ["status", arrived + G],
    ]);
    // A return that arrives within the window cancels both, though its EventTime is long past it.
    setClock(arrived + G - 1);
    await sendStateChange({ account, action: "Login", eventTime: eventTime + 1000 });
    setClock(arrived + G + 1);
    await drain(account);
    expect(hooks.of("status").map((d) => d.payload.data.to)).toEqual(["online"]);
    expect(await deliveries(account)).toEqual([]);
  });

  it("sends the drop once the window passes without a return, with the snapshot of its own change", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const at = Date.now() - 1000;
    await sendStateChange({ account, action: "Login", eventTime: at });
    await drain(account);
    await sendStateChange({ account, action: "Disconnect", eventTime: at + 10 });
    await drain(account);
    await sendStateChange({ account, action: "Logout", eventTime: at + 20 });
    await drain(account);
    expect(hooks.of("status")).toHaveLength(1);
    expect(await fireAlarm(account)).toBe(true); // moves the clock to the grace deadline
    const status = hooks.of("status").map((d) => [d.payload.data.seq, d.payload.data.from, d.payload.data.to]);
    // the held drop, then the change queued behind it, in order
    expect(status).toEqual([
      [1, "unknown", "online"],
      [2, "online", "disconnected"],
      [3, "disconnected", "offline"],
    ]);
    const drop = hooks.of("status")[1]!.payload.data;
    expect(drop.snapshot.version).toBe(2);
    expect(drop.snapshot.status).toBe("disconnected");
    expect((await getSnapshot(account)).status).toBe("offline");
  });

  it("a return after the window is sent, and so is the drop", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const at = Date.now() - 1000;
    await sendStateChange({ account, action: "Login", eventTime: at });
    await drain(account);
    await sendStateChange({ account, action: "Logout", eventTime: at + 10 });
    setClock(Date.now() + G + 1000);
    await sendStateChange({ account, action: "Login", eventTime: Date.now() - 5 });
    await drain(account);
    expect(hooks.of("status").map((d) => d.payload.data.to)).toEqual(["online", "offline", "online"]);
  });
});
