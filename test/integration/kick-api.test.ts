// POST /v1/apps/{app}/users/{account}/kick (SPEC §13) against the in-process fake Tencent: the
// kick, the verification right after it applied as a reconcile answer, each way Tencent can
// fail (nothing changes), the kick that worked but could not be verified, and the log line.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { kickResponse } from "../../src/api/post-kick";
import { apiErrorSchema } from "../../src/api/schemas";
import type { Reconciler } from "../../src/durable/reconciler";
import type { AccountId, AppId } from "../../src/presence/types";
import { apiFetch, userPath } from "../support/api";
import { RECONCILE_APP, RECONCILE_SECRET_KEY, TEST_APP, TEST_RECONCILE_MAX_RPS } from "../support/bindings";
import type { FakeTencent, KickFailure } from "../support/fake-tencent";
import { captureLogs, silenceLogs } from "../support/logs";
import { callback, installFakeTencent, reconciler, snapshot, userStub } from "../support/reconcile";
import { uniqueAccount } from "../support/storage";

let fake: FakeTencent;
beforeEach(async () => {
  silenceLogs(); // every kick logs a line; the tests that read them capture them
  // A fresh fake and an empty rate window (installFakeTencent empties it).
  fake = await installFakeTencent();
});
afterEach(() => vi.restoreAllMocks());

const kick = (account: string, app = RECONCILE_APP, token?: string | null) =>
  apiFetch(`${userPath(account, app)}/kick`, { method: "POST" }, token);
const history = (account: string) => userStub(account).history(20, null);
const kickLines = (lines: string[]) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l["msg"] === "kick");

/** A user online on iOS since a minute ago, as presence-edge and Tencent both see it. */
async function onlineUser(name: string): Promise<string> {
  const account = uniqueAccount(name);
  await callback(account, 60_000);
  fake.set(account, { iOS: "online" });
  expect((await snapshot(account)).status).toBe("online");
  return account;
}

describe("POST /v1/apps/{app}/users/{account}/kick", () => {
  it("kicks through Tencent, verifies at once, and answers Tencent's truth: offline, one Reconcile entry", async () => {
    const account = await onlineUser("kick-ok");
    const lines = captureLogs();
    const res = await kick(account);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(kickResponse.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ kicked: true, verified: true, corrected: true });
    expect(body["snapshot"]).toMatchObject({ account, status: "offline" });
    expect(body["snapshot"].platforms.iOS).toMatchObject({ status: "offline", reason: "Reconciled" });
    // One kick with the account, signed as Tencent checks it (the fake refuses a bad UserSig), then one query.
    expect(fake.kicks.map((k) => [k.sdkAppId, k.account])).toEqual([[RECONCILE_APP, account]]);
    expect(fake.calls.map((c) => c.accounts)).toEqual([[account]]);
    expect(fake.truth.get(account)).toEqual({ iOS: "offline" });
    // Applied as any reconcile answer: stored, with its history entry and source.
    expect((await snapshot(account)).status).toBe("offline");
    const [latest] = await history(account);
    expect(latest).toMatchObject({ action: "Reconcile", source: "reconcile", status: "offline" });

    expect(kickLines(lines)).toEqual([
      { msg: "kick", app: RECONCILE_APP, account, outcome: "kicked", verified: true, corrected: true },
    ]);
    for (const line of lines) {
      expect(line).not.toContain(RECONCILE_SECRET_KEY);
      expect(line.toLowerCase()).not.toContain("usersig");
    }
  });

  it("a user presence-edge already shows offline is kicked and confirmed: corrected false, no entry", async () => {
    const account = uniqueAccount("kick-offline");
    await callback(account, 60_000, { action: "Logout", reason: "Unregister" });
    const before = await history(account);
    const res = await kick(account);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kicked: true, verified: true, corrected: false });
    expect(await history(account)).toEqual(before);
  });

  const failures: [string, KickFailure, number | null, RegExp][] = [
    ["a refusal with Tencent's code", { kind: "fail", code: 70500 }, 70500, /^Tencent refused the kick: .*70500/],
    ["HTTP 500", { kind: "http", status: 500 }, null, /^the kick failed: HTTP 500 from Tencent; nothing was changed/],
    ["a network error", { kind: "network" }, null, /^Tencent did not answer the kick \(network error: .*may still/],
  ];

  it.each(failures)("%s is a 502 tencent_error, and nothing changes", async (_name, failure, errorCode, message) => {
    const account = await onlineUser("kick-fail");
    const before = await snapshot(account);
    const entries = await history(account);
    fake.kickFailure = failure;
    const lines = captureLogs();
    const res = await kick(account);
    expect(res.status).toBe(502);
    const body = (await res.json()) as Record<string, unknown>;
    expect(apiErrorSchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ error: "tencent_error", errorCode });
    expect(body["message"]).toMatch(message);
    expect(fake.kicks).toHaveLength(1);
    expect(fake.calls).toEqual([]); // no verification after a failed kick
    expect(await snapshot(account)).toEqual(before);
    expect(await history(account)).toEqual(entries);
    expect(kickLines(lines)).toEqual([
      expect.objectContaining({ app: RECONCILE_APP, account, outcome: "tencent_error", errorCode }),
    ]);
  });

  it("an account Tencent never imported is its refusal (70107), passed on", async () => {
    const account = uniqueAccount("kick-unknown");
    fake.unknown.add(account);
    const res = await kick(account);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: "tencent_error", errorCode: 70107 });
    expect((await snapshot(account)).status).toBe("unknown");
  });

  // Slow by nature: the REST client's own 5 s timeout has to run out (the fake never answers).
  it("no answer within the timeout is a 502 that says the kick may still have been done", async () => {
    const account = await onlineUser("kick-timeout");
    const before = await snapshot(account);
    fake.kickFailure = { kind: "timeout" };
    const res = await kick(account);
    expect(res.status).toBe(502);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: "tencent_error", errorCode: null });
    expect(body["message"]).toMatch(/^Tencent did not answer the kick \(timeout: no answer within 5 s\); it may still/);
    expect(fake.calls).toEqual([]);
    expect(await snapshot(account)).toEqual(before);
  }, 30_000);

  it("a kick done but not verified is a 200 that says so, with the held snapshot, retried later", async () => {
    const account = await onlineUser("kick-unverified");
    fake.failure = { kind: "http", status: 503 }; // the query right after the kick fails
    const lines = captureLogs();
    const res = await kick(account);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(kickResponse.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ kicked: true, verified: false, corrected: false, errorCode: null });
    expect(body["snapshot"]).toMatchObject({ account, status: "online" });
    expect(body["message"]).toMatch(
      /^kicked, but verifying the user right after it failed: HTTP 503.*Do not kick again\.$/,
    );
    expect(fake.kicks).toHaveLength(1);
    expect(fake.truth.get(account)).toEqual({ iOS: "offline" });
    // The account waits for its retry in the reconciler, like any failed verification.
    const retry = await runInDurableObject(reconciler(), (instance: Reconciler) =>
      instance.queue.retryOf(account as AccountId),
    );
    expect(retry).toBeDefined();
    expect(kickLines(lines)).toEqual([
      expect.objectContaining({ account, outcome: "kicked", verified: false, errorCode: null }),
    ]);
  });

  it("shares the app's RECONCILE_MAX_RPS window: the kick and its query each take a slot", async () => {
    const account = await onlineUser("kick-rate");
    // The window is full: RECONCILE_MAX_RPS calls just started.
    const spentAt = await runInDurableObject(reconciler(), (instance: Reconciler) => {
      const now = Date.now();
      instance.starts = Array.from({ length: TEST_RECONCILE_MAX_RPS }, () => now);
      return now;
    });
    expect((await kick(account)).status).toBe(200);
    expect(fake.kicks[0]!.at).toBeGreaterThanOrEqual(spentAt + 1000);
    const starts = await runInDurableObject(reconciler(), (instance: Reconciler) => instance.starts);
    expect(starts.filter((t) => t >= spentAt + 1000)).toHaveLength(2); // the kick, then the query
  });

  it("an app without a secret key is a 409 naming the variable; nothing is sent", async () => {
    const lines = captureLogs();
    const res = await kick("alice", TEST_APP);
    expect(res.status).toBe(409);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body["error"]).toBe("not_configured");
    expect(body["message"]).toContain(`IM_SECRET_KEY_${TEST_APP}`);
    expect(fake.kicks).toEqual([]);
    expect(kickLines(lines)).toEqual([{ msg: "kick", app: TEST_APP, account: "alice", outcome: "not_configured" }]);
  });

  it("needs the bearer token, a valid account and POST", async () => {
    expect((await kick("alice", RECONCILE_APP, null)).status).toBe(401);
    expect((await kick("alice", RECONCILE_APP, "wrong-token")).status).toBe(401);
    const long = await kick("x".repeat(129));
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ error: "bad_request", message: expect.stringMatching(/^account: /) });
    expect((await apiFetch(`/v1/apps/${RECONCILE_APP}/users/%E0%A4%A/kick`, { method: "POST" })).status).toBe(400);
    const get = await apiFetch(`${userPath("alice", RECONCILE_APP)}/kick`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(fake.kicks).toEqual([]);
  });
});

// The reconciler's method, for what the endpoint cannot reach: an app without a key sends nothing and takes no slot.
it("Reconciler.kick without a key: no_key, nothing sent, no slot taken", async () => {
  const stub = env.RECONCILER.getByName(TEST_APP);
  const outcome = await stub.kick(TEST_APP as AppId, "alice" as AccountId);
  expect(outcome).toMatchObject({ kicked: false, failure: { reason: "no_key", errorCode: 70016 } });
  expect(fake.kicks).toEqual([]);
  expect(await runInDurableObject(stub, (instance: Reconciler) => instance.starts)).toEqual([]);
});
