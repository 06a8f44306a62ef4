// When Tencent fails (HTTP errors, FAIL, a rejected key) or a user object cannot take its
// answer: nothing changes, the accounts are retried with backoff, and the failure is visible.
import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import type { Config } from "../../src/config";
import type { AccountId, AppId } from "../../src/presence/types";
import { RECONCILE_APP, RECONCILE_SECRET_KEY } from "../support/bindings";
import type { FakeTencent } from "../support/fake-tencent";
import {
  callback,
  HOUR,
  installFakeTencent,
  nextSecond,
  reconciler,
  report,
  retriesDueNow,
  runReconciler,
  runUserAlarm,
  snapshot,
  userStub,
} from "../support/reconcile";
import { uniqueAccount } from "../support/storage";
import { injectedFault } from "../support/expected-output";

let fake: FakeTencent;
beforeEach(async () => {
  fake = await installFakeTencent();
});
afterEach(() => vi.restoreAllMocks());

const MINUTE = 60_000;
/** The user's staleness concern, opened up for time travel (its interval, its last check). */
const staleness = (instance: UserPresence) =>
  (instance as unknown as { staleness: { config: Config; lastCheckAt: number | null } }).staleness;
const retryOf = (account: string) =>
  runInDurableObject(reconciler(), (instance) => instance.queue.retryOf(account as AccountId));

async function ghost(prefix: string): Promise<string> {
  const account = uniqueAccount(prefix);
  await callback(account, 2 * HOUR);
  await runUserAlarm(account);
  return account;
}

describe("reconcile: failures", () => {
  it("Tencent down changes nothing; the ghost is healed when it is back", async () => {
    const account = await ghost("down");
    const before = await snapshot(account);
    const stats = await report();
    fake.failure = { kind: "http", status: 502 };
    const asked = Date.now();
    await runReconciler();
    expect(await snapshot(account)).toEqual(before);
    const after = await report();
    expect(after.errors - stats.errors).toBe(1);
    expect(after.lastError).toMatchObject({ message: "HTTP 502 from Tencent", errorCode: null });
    const retry = await retryOf(account);
    expect(retry?.failures).toBe(1);
    expect(retry!.dueAt - asked).toBeGreaterThanOrEqual(MINUTE);
    expect(retry!.dueAt - Date.now()).toBeLessThanOrEqual(MINUTE);

    fake.failure = null;
    await retriesDueNow([account]);
    await runReconciler();
    expect((await snapshot(account)).status).toBe("offline");
  });

  it("backs off 1 min, 5 min, 30 min, then leaves the user to its own alarm", async () => {
    const account = await ghost("backoff");
    fake.failure = { kind: "fail", code: 70500 };
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await nextSecond(); // each retry comes long after the last call: a fresh rate window
      const at = Date.now();
      await runReconciler();
      const retry = await retryOf(account);
      if (retry === undefined) break;
      delays.push(Math.round((retry.dueAt - at) / MINUTE));
      await retriesDueNow([account]);
    }
    expect(delays).toEqual([1, 5, 30]);
    expect(fake.calls).toHaveLength(4);
    expect((await report()).queueLength).toBe(0);
    // The user's own alarm is still set, an interval after it asked.
    const alarm = await runInDurableObject(userStub(account), (_i, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + HOUR - 5 * MINUTE);
    expect((await snapshot(account)).status).toBe("online");
  });

  it("the backoff holds when the user's own interval is shorter: its alarm waits for the retry", async () => {
    const account = await ghost("short");
    // RECONCILE_AFTER_SECONDS=3 for this user's staleness check (the Worker's is an hour).
    const SHORT = 3_000;
    await runInDurableObject(userStub(account), (instance: UserPresence) => {
      const check = staleness(instance);
      check.config = { ...check.config, reconcileAfterMs: SHORT };
    });
    fake.failure = { kind: "fail", code: 70500 };
    await runReconciler();
    expect(fake.calls).toHaveLength(1);
    const retry = await retryOf(account);
    expect(retry?.failures).toBe(1);

    // An interval passes (time travel: the user's last check moves 3 s back) and its alarm asks again.
    await runInDurableObject(userStub(account), (instance: UserPresence) => {
      staleness(instance).lastCheckAt = Date.now() - SHORT;
    });
    await runUserAlarm(account);
    await nextSecond();
    await runReconciler();
    expect(fake.calls).toHaveLength(1); // not asked again before its retry
    expect(await retryOf(account)).toEqual(retry);
    // The user was told when the retry is due and asks next an interval after it, not every 3 s.
    const alarm = await runInDurableObject(userStub(account), (_i, state) => state.storage.getAlarm());
    expect(alarm).toBe(retry!.dueAt + SHORT);

    // The retry itself still goes when due; on demand goes at once, keeping the failure count.
    await retriesDueNow([account]);
    await nextSecond();
    await runReconciler();
    expect(fake.calls).toHaveLength(2);
    expect((await retryOf(account))?.failures).toBe(2);
    await nextSecond();
    const verified = await reconciler().verifyNow(RECONCILE_APP as AppId, [account as AccountId]);
    expect(verified.ok).toBe(false);
    expect(fake.calls).toHaveLength(3);
    expect((await retryOf(account))?.failures).toBe(3);
    fake.failure = null;
    await nextSecond();
    expect(await reconciler().verifyNow(RECONCILE_APP as AppId, [account as AccountId])).toMatchObject({ ok: true });
    expect(await retryOf(account)).toBeUndefined(); // answered: no retry left behind
    expect((await snapshot(account)).status).toBe("offline");
  });

  it("a rejected key logs Tencent's code (never the key), shows on /healthz, and clears on success", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    const account = await ghost("key");
    fake.failure = { kind: "fail", code: 70009 };
    await nextSecond();
    await runReconciler();
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "reconcile failed");
    expect(failures, lines.join("\n")).toHaveLength(1);
    expect(failures[0]).toMatchObject({ app: RECONCILE_APP, errorCode: 70009, accounts: 1 });
    expect(lines.join("\n")).not.toContain(RECONCILE_SECRET_KEY);
    const health = await exports.default.fetch("https://presence.test/healthz");
    expect(health.status).toBe(503);
    const body = await health.text();
    expect(body).toContain("70009");
    expect(body).not.toContain(RECONCILE_APP);

    fake.failure = null;
    await retriesDueNow([account]);
    await runReconciler();
    expect((await exports.default.fetch("https://presence.test/healthz")).status).toBe(200);
  });

  it("a user object that cannot take its answer is retried alone; the others are healed", async () => {
    const broken = await ghost("broken");
    const fine = await ghost("fine");
    // The broken user's next storage write throws.
    await runInDurableObject(userStub(broken), (_instance: UserPresence, state) => {
      const sql = state.storage.sql as SqlStorage & { exec: SqlStorage["exec"] };
      sql.exec = (() => {
        delete (sql as Partial<typeof sql>).exec;
        throw injectedFault("storage fault");
      }) as SqlStorage["exec"];
    });
    await runReconciler();
    expect(fake.calls).toHaveLength(1);
    expect((await snapshot(fine)).status).toBe("offline");
    expect((await snapshot(broken)).status).toBe("online");
    expect((await retryOf(broken))?.failures).toBe(1);
    expect(await retryOf(fine)).toBeUndefined();
    await retriesDueNow([broken]);
    await runReconciler();
    expect((await snapshot(broken)).status).toBe("offline");
  });
});
