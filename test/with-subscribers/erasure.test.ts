// A DELETE (data-subject erasure) that lands while the alarm is sending a delivery: the erased
// user's events stop at once, and the delivery loop that was in flight must not write its
// cursor over the one of a user re-created under the same id meanwhile.
import { afterEach, expect, it, vi } from "vitest";
import { apiFetch, userPath } from "../support/api";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";
import { deliveries, drain, fireAlarm, mockSubscribers, type Delivery } from "../support/webhooks";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

it("an erasure during an in-flight delivery sends nothing more of the erased user and keeps the new user's deliveries", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let inFlight!: () => void;
  const started = new Promise<void>((resolve) => (inFlight = resolve));
  const hooks = mockSubscribers(async (d: Delivery, index: number) => {
    if (index === 0) {
      inFlight();
      await gate; // the first delivery hangs until the erasure and the re-creation are done
    }
    return new Response(null, { status: 204 });
  });
  const account = uniqueAccount("erase-in-flight");
  const t = Date.now() - 60_000;
  // The erased life: iOS online, then Windows online too (several events queued).
  await sendStateChange({ account, action: "Login", eventTime: t }, { optPlatform: "IOS" });
  await sendStateChange({ account, action: "Login", eventTime: t + 1 }, { optPlatform: "Windows" });
  const run = fireAlarm(account);
  await started;

  expect((await apiFetch(userPath(account), { method: "DELETE" })).status).toBe(204);
  const erasedAt = hooks.received.length;
  // The new life under the same id: Android only.
  await sendStateChange({ account, action: "Login", eventTime: t + 10 }, { optPlatform: "Android" });
  release();
  await run;
  await drain(account);

  const afterErasure = hooks.received.slice(erasedAt);
  const platformsOf = (d: Delivery) => Object.keys(d.payload.data.snapshot.platforms).sort();
  // Nothing of the erased life goes out after the DELETE…
  expect(afterErasure.map(platformsOf)).toEqual(afterErasure.map(() => ["Android"]));
  // …and the new life's events all go out, to each subscriber its own, with nothing left over.
  const newLife = (subscriber: string) =>
    afterErasure.filter((d) => d.subscriber === subscriber).map((d) => [d.payload.type, d.payload.data.seq]);
  expect(newLife("all")).toEqual([
    ["device.status_changed", 1],
    ["user.status_changed", 1],
  ]);
  expect(newLife("status")).toEqual([["user.status_changed", 1]]);
  expect(await deliveries(account)).toEqual([]);
  expect(hooks.rejected).toEqual([]);
});
