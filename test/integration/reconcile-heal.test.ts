// Staleness checks end to end in workerd: a user's alarm asks the app's reconciler, which asks
// a fake Tencent and hands the answer back to the user object.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { UserPresence } from "../../src/durable/user-presence";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AccountId, AppId } from "../../src/presence/types";
import { RECONCILE_APP, RECONCILE_SECRET_KEY } from "../support/bindings";
import { captureLogs } from "../support/logs";
import type { FakeTencent } from "../support/fake-tencent";
import {
  callback,
  HOUR,
  installFakeTencent,
  reconciler,
  report,
  runReconciler,
  runUserAlarm,
  snapshot,
  usage,
  userStub,
} from "../support/reconcile";
import { uniqueAccount } from "../support/storage";

let fake: FakeTencent;
beforeEach(async () => {
  fake = await installFakeTencent();
});
afterEach(() => vi.restoreAllMocks());

const history = (account: string) => userStub(account).history(10, null);

/** The user's alarm finds it stale and asks; the reconciler runs once. */
async function verifyStale(account: string): Promise<void> {
  await runUserAlarm(account);
  await runReconciler();
}

describe("reconcile: healing from the user's own alarm", () => {
  it("a ghost whose Logout was lost is shown offline after one check, with one Reconcile entry", async () => {
    const account = uniqueAccount("ghost");
    await callback(account, 2 * HOUR, { clientIp: "1.2.3.4" });
    // Tencent knows the truth: the user logged out (the callback never arrived).
    const before = await usage(account);
    const asked = Date.now();
    await verifyStale(account);
    expect(fake.calls.map((c) => c.accounts)).toEqual([[account]]);
    const s = await snapshot(account);
    expect(s.status).toBe("offline");
    expect(s.platforms.iOS).toMatchObject({ status: "offline", reason: "Reconciled", clientIp: null });
    // Since Q: the Worker time the query was sent, at or before Tencent got it.
    expect(s.platforms.iOS.since).toBeGreaterThanOrEqual(asked);
    expect(s.platforms.iOS.since).toBeLessThanOrEqual(fake.calls[0]!.at);
    expect(s.lastSeen).toBe(s.platforms.iOS.since);
    const [newest, ...older] = await history(account);
    expect(newest).toMatchObject({
      action: "Reconcile",
      reason: "Reconciled",
      outcome: "applied",
      status: "offline",
      source: "reconcile",
    });
    expect(older.map((e) => e.action)).toEqual(["Login"]);
    // One correction is one row, as a callback: the history entry that carries the state.
    expect((await usage(account)).rowsWritten - before.rowsWritten).toBe(1);
  });

  it("a correction is one log line naming the app and the account, never the key", async () => {
    const lines = captureLogs();
    const account = uniqueAccount("logged");
    await callback(account, 2 * HOUR);
    await verifyStale(account);
    const corrections = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "reconcile correction");
    expect(corrections).toEqual([
      { msg: "reconcile correction", app: RECONCILE_APP, account, seq: 2, platform: "iOS", status: "offline" },
    ]);
    expect(lines.join("\n")).not.toContain(RECONCILE_SECRET_KEY);
  });

  it("a user Tencent confirms online is untouched: no history entry, no row written", async () => {
    const account = uniqueAccount("true");
    await callback(account, 2 * HOUR);
    fake.set(account, { iOS: "online" });
    const before = await usage(account);
    const snapBefore = await snapshot(account);
    const stats = await report();
    await verifyStale(account);
    expect(fake.calls).toHaveLength(1);
    expect(await snapshot(account)).toEqual(snapBefore);
    expect((await history(account)).map((e) => e.action)).toEqual(["Login"]);
    expect((await usage(account)).rowsWritten).toBe(before.rowsWritten);
    const after = await report();
    expect(after.accountsVerified - stats.accountsVerified).toBe(1);
    expect(after.corrections).toBe(stats.corrections);
  });

  it("a confirmation kept in memory is what the next write stores, even when that write is a duplicate", async () => {
    const account = uniqueAccount("confirmed-dup");
    const t = Date.now() - 2 * HOUR;
    expect(await callback(account, 2 * HOUR, { eventTime: t })).toBe("applied");
    fake.set(account, { iOS: "online" });
    await verifyStale(account);
    const inMemory = await runInDurableObject(userStub(account), (instance: UserPresence) =>
      JSON.stringify((instance as unknown as { user: { state: unknown } }).user.state),
    );
    expect(inMemory).toContain("observations");
    // The same Login again: a duplicate keeps the state it found, and writes its row.
    expect(await callback(account, 2 * HOUR - 1000, { eventTime: t })).toBe("duplicate");
    const stored = await runInDurableObject(
      userStub(account),
      (_i, state) =>
        state.storage.sql.exec<{ s: string }>("SELECT state_after AS s FROM history ORDER BY seq DESC LIMIT 1").one().s,
    );
    expect(stored).toBe(inMemory);
  });

  it("corrects platform by platform: PushOnline → disconnected, an unlisted platform → offline", async () => {
    const account = uniqueAccount("multi");
    await callback(account, 2 * HOUR, { platform: "iOS" });
    await callback(account, 2 * HOUR - 1000, { platform: "Web" });
    fake.set(account, { iOS: "disconnected", Android: "online" });
    await verifyStale(account);
    const s = await snapshot(account);
    expect(s.status).toBe("online");
    expect(s.platforms.iOS).toMatchObject({ status: "disconnected", reason: "Reconciled" });
    expect(s.platforms.Web).toMatchObject({ status: "offline", reason: "Reconciled" });
    expect(s.platforms.Android).toMatchObject({ status: "online", reason: "Reconciled" });
    expect((await history(account))[0]).toMatchObject({ action: "Reconcile" });
  });

  it("a disconnected user is checked too; Tencent's Offline takes it offline", async () => {
    const account = uniqueAccount("disc");
    await callback(account, 3 * HOUR);
    await callback(account, 2 * HOUR, { action: "Disconnect", reason: "TimeOut" });
    await verifyStale(account);
    expect(fake.calls.map((c) => c.accounts)).toEqual([[account]]);
    expect((await snapshot(account)).platforms.iOS).toMatchObject({ status: "offline", reason: "Reconciled" });
  });

  it("a callback newer than the query wins over the answer that raced it", async () => {
    const account = uniqueAccount("race");
    await callback(account, 2 * HOUR);
    fake.set(account, { iOS: "online" }); // true when Tencent was asked
    fake.during = async () => {
      // The user logs out while the query is in flight; its callback lands before the answer.
      await callback(account, 0, { action: "Logout", reason: "Unregister" });
    };
    await verifyStale(account);
    const s = await snapshot(account);
    expect(s.platforms.iOS).toMatchObject({ status: "offline", reason: "Unregister" });
    expect((await history(account)).map((e) => e.action)).toEqual(["Logout", "Login"]);
  });

  it("an offline user is never asked about, and a recently active one not yet", async () => {
    const offline = uniqueAccount("off");
    await callback(offline, 3 * HOUR);
    await callback(offline, 2 * HOUR, { action: "Logout", reason: "Unregister" });
    const recent = uniqueAccount("recent");
    await callback(recent, 10_000);
    await runUserAlarm(offline);
    await runUserAlarm(recent);
    await runReconciler();
    expect(fake.calls).toEqual([]);
  });

  it("a stale user is asked again every interval while it stays online", async () => {
    const account = uniqueAccount("again");
    await callback(account, 3 * HOUR);
    fake.set(account, { iOS: "online" });
    await verifyStale(account);
    // Right after a check the user is not due; its alarm is set an interval later.
    await runUserAlarm(account);
    await runReconciler();
    expect(fake.calls).toHaveLength(1);
    const alarm = await runInUser(account, (state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + HOUR - 60_000);
  });

  it("answers reach each user object directly (RPC), never through the callback path", async () => {
    const account = uniqueAccount("rpc");
    const r = await userStub(account).applyObservation(RECONCILE_APP as AppId, account as AccountId, {
      at: Date.now(),
      platforms: {},
    });
    // A never-seen user that Tencent shows offline: nothing to correct, nothing stored.
    expect(r.corrected).toBe(false);
    expect(JSON.parse(r.snapshot).status).toBe("unknown");
    expect(await env.USER_PRESENCE.getByName(`${RECONCILE_APP}:${account}`).history(5, null)).toEqual([]);
  });
});

async function runInUser<T>(account: string, fn: (state: DurableObjectState) => Promise<T>): Promise<T> {
  const { runInDurableObject } = await import("cloudflare:test");
  return runInDurableObject(userStub(account), (_instance, state) => fn(state));
}

describe("reconcile: an evicted reconciler", () => {
  it("loses its queue, not the users: each user's alarm asks again an interval later", async () => {
    const { evictDurableObject, runInDurableObject } = await import("cloudflare:test");
    const account = uniqueAccount("evicted");
    await callback(account, 2 * HOUR);
    await runUserAlarm(account);
    expect((await report()).queueLength).toBeGreaterThan(0);
    await evictDurableObject(reconciler());
    const after = await report();
    expect(after.queueLength).toBe(0);
    expect(after.calls).toBeGreaterThanOrEqual(0); // the counters are stored, the queue is not
    const alarm = await runInDurableObject(userStub(account), (_i, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + HOUR - 60_000);
    expect(alarm).toBeLessThanOrEqual(Date.now() + HOUR);
  });
});
