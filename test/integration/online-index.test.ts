// Who is online (SPEC §12) follows what the users' objects say: counts and list after logins on
// several devices, kicks, Disconnect, Logout, custom status, reconcile corrections and DELETE.
import { describe, expect, it } from "vitest";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { RECONCILE_APP, TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { listAll, listed, onlineCounts, settle, shardUsage, userUsage, type OnlineCountsBody } from "../support/online";
import { userStub } from "../support/reconcile";
import { uniqueAccount } from "../support/storage";
import type { AccountId, AppId } from "../../src/presence/types";

/** What changed in the counts between two answers: only the non-zero differences. */
function delta(before: OnlineCountsBody, after: OnlineCountsBody): Record<string, number> {
  const out: Record<string, number> = {};
  if (after.online !== before.online) out.online = after.online - before.online;
  if (after.disconnected !== before.disconnected) out.disconnected = after.disconnected - before.disconnected;
  for (const [p, n] of Object.entries(after.platforms)) {
    const d = n - before.platforms[p as keyof typeof before.platforms];
    if (d !== 0) out[p] = d;
  }
  return out;
}

async function send(account: string, action: string, eventTime: number, optPlatform = "IOS", kicked?: string[]) {
  const res = await sendStateChange({ account, action, eventTime, ...(kicked ? { kicked } : {}) }, { optPlatform });
  expect(res.status).toBe(200);
  await settle(account);
}

describe("who is online follows the callbacks", () => {
  it("devices come and go: online with its platforms, then disconnected, then gone", async () => {
    const account = uniqueAccount("multi");
    const t = Date.now() - 60_000;
    const start = await onlineCounts();

    await send(account, "Login", t, "IOS");
    expect(await listed(account)).toEqual({ account, status: "online", platforms: ["iOS"], since: t });
    expect(delta(start, await onlineCounts())).toEqual({ online: 1, iOS: 1 });

    await send(account, "Login", t + 10, "Android");
    expect(await listed(account)).toMatchObject({ status: "online", platforms: ["iOS", "Android"], since: t });
    expect(delta(start, await onlineCounts())).toEqual({ online: 1, iOS: 1, Android: 1 });

    await send(account, "Disconnect", t + 20, "IOS");
    expect(await listed(account)).toMatchObject({ status: "online", platforms: ["Android"] });
    expect(delta(start, await onlineCounts())).toEqual({ online: 1, Android: 1 });

    await send(account, "Logout", t + 30, "Android");
    // iOS dropped, Android left: disconnected since it was last seen (the Android logout).
    expect(await listed(account)).toEqual({ account, status: "disconnected", platforms: [], since: t + 30 });
    expect(delta(start, await onlineCounts())).toEqual({ disconnected: 1 });
    expect((await listAll({ status: "disconnected" })).map((u) => u.account)).toContain(account);
    expect((await listAll()).map((u) => u.account)).not.toContain(account);

    await send(account, "Logout", t + 40, "IOS");
    expect(await listed(account)).toBeUndefined();
    expect(delta(start, await onlineCounts())).toEqual({});
  });

  it("a kick: the kicked platform leaves, the kicker is listed since its login", async () => {
    const account = uniqueAccount("kick");
    const t = Date.now() - 60_000;
    await send(account, "Login", t, "Windows");
    await send(account, "Login", t + 5, "Mac", ["Windows"]);
    expect(await listed(account)).toEqual({ account, status: "online", platforms: ["Mac"], since: t + 5 });
    expect((await listAll({ platform: "Windows" })).map((u) => u.account)).not.toContain(account);
    expect((await listAll({ platform: "Mac" })).map((u) => u.account)).toContain(account);
  });

  it("a custom status, a duplicate and a stale callback change nothing: no request, no row", async () => {
    const account = uniqueAccount("quiet");
    const t = Date.now() - 60_000;
    await send(account, "Login", t, "Web");
    const requests = (await userUsage(account)).indexRequests;
    const rows = (await shardUsage(account)).rowsWritten;
    await send(account, "CustomStatusChange", t + 1, "Web");
    await send(account, "Login", t, "Web"); // duplicate
    await send(account, "Logout", t - 1, "Web"); // stale
    expect((await userUsage(account)).indexRequests).toBe(requests);
    expect((await shardUsage(account)).rowsWritten).toBe(rows);
    expect(await listed(account)).toMatchObject({ status: "online", platforms: ["Web"] });
  });

  it("reconcile: a correction updates the index like a callback; a confirmation sends nothing", async () => {
    const account = uniqueAccount("ghost");
    const app = RECONCILE_APP as AppId;
    const t = Date.now() - 7_200_000;
    const stub = userStub(account);
    await stub.ingest(app, account as AccountId, {
      action: "Login",
      reason: "Register",
      platform: "iOS",
      eventTime: t,
      receivedAt: t,
      clientIp: null,
      kicked: [],
      customStatus: null,
    });
    await settle(account, RECONCILE_APP);
    expect(await listed(account, RECONCILE_APP)).toMatchObject({ status: "online", platforms: ["iOS"] });
    const requests = (await userUsage(account, RECONCILE_APP)).indexRequests;

    // Tencent confirms: nothing changes, nothing is sent.
    expect(
      (await stub.applyObservation(app, account as AccountId, { at: t + 1, platforms: { iOS: "online" } })).corrected,
    ).toBe(false);
    await settle(account, RECONCILE_APP);
    expect((await userUsage(account, RECONCILE_APP)).indexRequests).toBe(requests);

    // Tencent says Android is online and iOS is gone: a correction.
    const q = Date.now();
    const answer = await stub.applyObservation(app, account as AccountId, { at: q, platforms: { Android: "online" } });
    expect(answer.corrected).toBe(true);
    await settle(account, RECONCILE_APP);
    expect(await listed(account, RECONCILE_APP)).toEqual({
      account,
      status: "online",
      platforms: ["Android"],
      since: q,
    });
    expect((await userUsage(account, RECONCILE_APP)).indexRequests).toBe(requests + 1);

    // The ghost healed: Tencent knows of no device.
    await stub.applyObservation(app, account as AccountId, { at: q + 1, platforms: {} });
    await settle(account, RECONCILE_APP);
    expect(await listed(account, RECONCILE_APP)).toBeUndefined();
  });

  it("DELETE removes the user from the index before its storage goes", async () => {
    const account = uniqueAccount("erased");
    const t = Date.now() - 60_000;
    await send(account, "Login", t, "iPad");
    const start = await onlineCounts();
    expect((await apiFetch(userPath(account), { method: "DELETE" })).status).toBe(204);
    expect(await listed(account)).toBeUndefined();
    expect(delta(start, await onlineCounts())).toEqual({ online: -1, iPad: -1 });
    expect((await getSnapshot(account)).status).toBe("unknown");

    // The user comes back: its seq starts again at 1, and the shard takes it.
    await send(account, "Login", t + 100, "Linux");
    expect(await listed(account)).toEqual({ account, status: "online", platforms: ["Linux"], since: t + 100 });
    expect(delta(start, await onlineCounts())).toEqual({ iPad: -1, Linux: 1 });
  });

  it("GET /online lists every platform and the app; asOf is when it was gathered", async () => {
    const before = Date.now();
    const body = await onlineCounts();
    expect(body.app).toBe(TEST_APP);
    expect(Object.keys(body.platforms)).toEqual([
      "iOS",
      "Android",
      "Web",
      "Windows",
      "Mac",
      "iPad",
      "Linux",
      "RESTAPI",
      "Unknown",
    ]);
    expect(body.asOf).toBeGreaterThanOrEqual(before);
  });
});
