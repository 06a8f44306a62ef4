// POST /v1/apps/{app}/reconcile (verify now) and GET /v1/apps/{app}/reconcile (stats).
import { beforeEach, describe, expect, it } from "vitest";
import { reconcileStatsResponse } from "../../src/api/get-reconcile";
import { apiFetch } from "../support/api";
import { RECONCILE_APP, TEST_APP } from "../support/bindings";
import type { FakeTencent } from "../support/fake-tencent";
import { callback, HOUR, installFakeTencent, nextSecond, snapshot, usage, userStub } from "../support/reconcile";
import { uniqueAccount } from "../support/storage";

let fake: FakeTencent;
beforeEach(async () => {
  fake = await installFakeTencent();
  await nextSecond();
});

const path = (app = RECONCILE_APP) => `/v1/apps/${app}/reconcile`;
const verify = (accounts: unknown, app = RECONCILE_APP) =>
  apiFetch(path(app), { method: "POST", body: JSON.stringify({ accounts }) });

describe("POST /v1/apps/{app}/reconcile", () => {
  it("verifies now: a ghost corrected, a true user not, in request order with snapshots", async () => {
    const ghost = uniqueAccount("api-ghost");
    const real = uniqueAccount("api-real");
    await callback(ghost, 60_000);
    await callback(real, 60_000);
    fake.set(real, { iOS: "online" });
    const res = await verify([real, ghost, real]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { account: string; corrected: boolean; snapshot: any }[] };
    expect(body.results.map((r) => [r.account, r.corrected, r.snapshot.status])).toEqual([
      [real, false, "online"],
      [ghost, true, "offline"],
      [real, false, "online"],
    ]);
    expect(body.results[1]!.snapshot.platforms.iOS.reason).toBe("Reconciled");
    expect(fake.calls.map((c) => c.accounts)).toEqual([[real, ghost]]);
    const events = await userStub(ghost).history(5, null);
    expect(events[0]).toMatchObject({ action: "Reconcile" });
  });

  it("a user that is not stale is verified too (on demand does not wait for the interval)", async () => {
    const account = uniqueAccount("api-fresh");
    await callback(account, 0);
    const res = await verify([account]);
    expect(((await res.json()) as any).results[0].corrected).toBe(true);
  });

  it("Tencent failing is a 502 with its ErrorCode, and nothing changes", async () => {
    const account = uniqueAccount("api-down");
    await callback(account, 2 * HOUR);
    fake.failure = { kind: "fail", code: 70500 };
    const res = await verify([account]);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: "bad_gateway", errorCode: 70500 });
    expect(JSON.parse(await userStub(account).snapshotJson(RECONCILE_APP as never, account as never)).status).toBe(
      "online",
    );
  });

  it("an answer that agrees with what is shown writes nothing, also after the object was evicted", async () => {
    // The repro of issue #19: Login → Disconnect → healed offline → Login → Logout → verify.
    const { evictDurableObject } = await import("cloudflare:test");
    const account = uniqueAccount("api-agree");
    await callback(account, 10 * 60_000);
    await callback(account, 9 * 60_000, { action: "Disconnect", reason: "LinkClose" });
    const healed = (await (await verify([account])).json()) as { results: { corrected: boolean }[] };
    expect(healed.results[0]!.corrected).toBe(true);
    await callback(account, 0);
    await callback(account, 0, { action: "Logout", reason: "Unregister", eventTime: Date.now() + 1 });
    const entries = (await userStub(account).history(20, null)).length;
    const shown = await snapshot(account);
    expect(shown.platforms.iOS).toMatchObject({ status: "offline", reason: "Unregister" });
    // The "wait" of the repro: the object is evicted, and loads its state from storage again.
    await evictDurableObject(userStub(account));
    await nextSecond();
    const before = await usage(account);
    const res = await verify([account]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { corrected: boolean; snapshot: unknown }[] };
    expect(body.results[0]).toMatchObject({ corrected: false, snapshot: shown });
    expect(await userStub(account).history(20, null)).toHaveLength(entries);
    expect((await usage(account)).rowsWritten - before.rowsWritten).toBe(0);
  });

  it("takes 1 to 500 accounts, valid ids only; an app with no secret key is a 409 naming the variable", async () => {
    expect((await verify([])).status).toBe(400);
    const tooMany = await verify(Array.from({ length: 501 }, (_, i) => `u${i}`));
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as any).message).toMatch(/^accounts: .*at most 500/);
    expect((await verify([""])).status).toBe(400);
    expect((await apiFetch(path(), { method: "POST", body: "{" })).status).toBe(400);
    const noKey = await verify(["alice"], TEST_APP);
    expect(noKey.status).toBe(409);
    expect(((await noKey.json()) as any).message).toContain(`IM_SECRET_KEY_${TEST_APP}`);
    expect(fake.calls).toEqual([]);
  });

  it("needs the bearer token", async () => {
    const res = await apiFetch(path(), { method: "POST", body: JSON.stringify({ accounts: ["a"] }) }, null);
    expect(res.status).toBe(401);
  });
});

describe("GET /v1/apps/{app}/reconcile", () => {
  it("reports calls, accounts verified, corrections, errors, last error, last run and queue length", async () => {
    const before = (await (await apiFetch(path())).json()) as Record<string, any>;
    const account = uniqueAccount("api-stats");
    await callback(account, 60_000);
    await verify([account]);
    const res = await apiFetch(path());
    expect(res.status).toBe(200);
    const stats = (await res.json()) as Record<string, any>;
    expect(reconcileStatsResponse.safeParse(stats).success).toBe(true);
    expect(stats).toMatchObject({ enabled: true, staleAfterSeconds: 3600, maxRps: 2 });
    expect(stats.queueLength).toBe(before.queueLength); // on demand never queues
    expect(stats.calls - before.calls).toBe(1);
    expect(stats.accountsVerified - before.accountsVerified).toBe(1);
    expect(stats.corrections - before.corrections).toBe(1);
    expect(typeof stats.lastRunAt).toBe("number");
    expect(stats).toHaveProperty("errors");
    expect(stats).toHaveProperty("lastError");
  });

  it("an app without a key reports itself disabled", async () => {
    const stats = (await (await apiFetch(path(TEST_APP))).json()) as Record<string, any>;
    expect(stats).toMatchObject({ enabled: false, calls: 0 });
    expect((await apiFetch(path(), { method: "DELETE" })).status).toBe(405);
  });
});
