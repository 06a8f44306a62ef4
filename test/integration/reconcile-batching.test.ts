// Many stale users: gathered into calls of up to 500 accounts, at most RECONCILE_MAX_RPS calls
// a second, each answer handed to its own user.
import { runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { Reconciler } from "../../src/durable/reconciler";
import type { AccountId, AppId } from "../../src/presence/types";
import { RECONCILE_APP, TEST_RECONCILE_MAX_RPS } from "../support/bindings";
import type { FakeTencent } from "../support/fake-tencent";
import {
  callback,
  HOUR,
  installFakeTencent,
  nextSecond,
  reconciler,
  report,
  runReconciler,
  runUserAlarm,
  snapshot,
} from "../support/reconcile";
import { uniqueAccount } from "../support/storage";

let fake: FakeTencent;

/** As if RECONCILE_MAX_RPS calls had just started; returns when. */
const spendThisSecond = () =>
  runInDurableObject(reconciler(), (instance: Reconciler) => {
    const now = Date.now();
    instance.starts = Array.from({ length: TEST_RECONCILE_MAX_RPS }, () => now);
    return now;
  });
const reconcilerAlarm = () => runInDurableObject(reconciler(), (_i, state) => state.storage.getAlarm());

beforeEach(async () => {
  fake = await installFakeTencent();
});

describe("reconcile: batching and pacing", () => {
  it("300 stale users are verified in one call, and every ghost among them is healed", async () => {
    const accounts = Array.from({ length: 300 }, () => uniqueAccount("many"));
    await Promise.all(accounts.map((a) => callback(a, 2 * HOUR)));
    // Half of them are really online; the other half are ghosts.
    accounts.slice(0, 150).forEach((a) => fake.set(a, { iOS: "online" }));
    for (const a of accounts) await runUserAlarm(a);
    const before = await report();
    expect(before.queueLength).toBe(300);
    await runReconciler();
    expect(fake.calls).toHaveLength(1);
    expect(new Set(fake.calls[0]!.accounts)).toEqual(new Set(accounts));
    const after = await report();
    expect(after.queueLength).toBe(0);
    expect(after.accountsVerified - before.accountsVerified).toBe(300);
    expect(after.corrections - before.corrections).toBe(150);
    const statuses = await Promise.all(accounts.map(async (a) => (await snapshot(a)).status));
    expect(statuses.slice(0, 150).every((s) => s === "online")).toBe(true);
    expect(statuses.slice(150).every((s) => s === "offline")).toBe(true);
  }, 120_000);

  it("sends at most 500 accounts a call and RECONCILE_MAX_RPS calls a second", async () => {
    // Answers without Detail are left alone, so this test makes no call to user objects.
    fake.withoutDetail = true;
    const accounts = Array.from({ length: 1100 }, (_, i) => `rate-${Date.now()}-${i}`) as AccountId[];
    await reconciler().enqueue(RECONCILE_APP as AppId, accounts);
    await runReconciler();
    expect(fake.calls.map((c) => c.accounts.length)).toEqual([500, 500]);
    expect(TEST_RECONCILE_MAX_RPS).toBe(2);
    // Two calls just started: the second's rate is spent, a run makes no call and comes back later.
    const spentAt = await spendThisSecond();
    await runReconciler();
    expect(fake.calls).toHaveLength(2);
    expect((await report()).queueLength).toBe(100);
    expect(await reconcilerAlarm()).toBeGreaterThanOrEqual(spentAt + 1000);
    await nextSecond();
    const rowsBefore = await reconciler().storageUsage();
    await runReconciler();
    expect(fake.calls.map((c) => c.accounts.length)).toEqual([500, 500, 100]);
    // The reconciler's own bill for a run: its one stats row (the queue is not stored).
    expect((await reconciler().storageUsage()).rowsWritten - rowsBefore.rowsWritten).toBe(1);
    expect(new Set(fake.calls.flatMap((c) => c.accounts)).size).toBe(1100);
  }, 120_000);

  it("an account asked for twice while queued is asked about once", async () => {
    const account = uniqueAccount("twice") as AccountId;
    await reconciler().enqueue(RECONCILE_APP as AppId, [account]);
    await reconciler().enqueue(RECONCILE_APP as AppId, [account]);
    await runReconciler();
    expect(fake.calls.map((c) => c.accounts)).toEqual([[account]]);
  });
});
