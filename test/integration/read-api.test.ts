// Every read endpoint and its errors, through the Worker's fetch handler (SPEC §4).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { ROTATED_API_TOKEN, TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { storedTables, uniqueAccount } from "../support/storage";

const query = (accounts: unknown, token?: string) =>
  apiFetch(
    `/v1/apps/${TEST_APP}/presence/query`,
    { method: "POST", body: typeof accounts === "string" ? accounts : JSON.stringify({ accounts }) },
    token,
  );

async function expectApiError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: string; message: string };
  expect(body.error).toBe(error);
  expect(typeof body.message).toBe("string");
}

describe("authentication", () => {
  it("401 without a token, with a wrong one, or a malformed header", async () => {
    await expectApiError(await apiFetch(userPath("a"), {}, null), 401, "unauthorized");
    await expectApiError(await apiFetch(userPath("a"), {}, "wrong"), 401, "unauthorized");
    const basic = await exports.default.fetch(`https://presence.test${userPath("a")}`, {
      headers: { authorization: "Basic abc" },
    });
    await expectApiError(basic, 401, "unauthorized");
  });

  it("accepts every token of API_TOKENS (rotation)", async () => {
    expect((await apiFetch(userPath("a"))).status).toBe(200);
    expect((await apiFetch(userPath("a"), {}, ROTATED_API_TOKEN)).status).toBe(200);
  });

  it("checks the token before the app, so unauthenticated callers cannot probe app ids", async () => {
    await expectApiError(await apiFetch("/v1/apps/999/users/a", {}, null), 401, "unauthorized");
    await expectApiError(await apiFetch("/v1/apps/999/users/a"), 404, "not_found");
  });
});

describe("GET /v1/apps/{app}/users/{account}", () => {
  it("returns the snapshot of SPEC §4", async () => {
    const account = uniqueAccount();
    const t = Date.now() - 60_000;
    await sendStateChange({ account, action: "Login", eventTime: t - 1000 }, { optPlatform: "Windows" });
    await sendStateChange(
      { account, action: "Login", eventTime: t, kicked: ["Windows"] },
      { optPlatform: "IOS", clientIp: "1.2.3.4" },
    );
    const snap = await getSnapshot(account);
    expect(snap).toEqual({
      app: TEST_APP,
      account,
      status: "online",
      customStatus: null,
      onlineSince: t, // the earliest since among the platforms online now (iOS)
      lastSeen: t, // the kick of Windows is a leave
      updatedAt: t,
      version: 2,
      platforms: {
        iOS: { status: "online", reason: "Register", since: t, clientIp: "1.2.3.4" },
        Windows: { status: "offline", reason: "Kicked", since: t, clientIp: null },
      },
      kicks: [{ platform: "Windows", at: t, by: "iOS" }],
    });
  });

  it("a never-seen user is 200 unknown, and the lookup stores nothing", async () => {
    const account = uniqueAccount();
    const snap = await getSnapshot(account);
    expect(snap.status).toBe("unknown");
    expect(snap.version).toBe(0);
    expect(snap.platforms).toEqual({});
    expect(await storedTables(account)).toEqual([]);
  });

  it("URL-decodes account ids with any characters", async () => {
    const account = `weird/id ?#%é-${uniqueAccount()}`;
    await sendStateChange({ account, action: "Login" });
    const snap = await getSnapshot(account);
    expect(snap.account).toBe(account);
    expect(snap.status).toBe("online");
  });

  it("400 for an account over 128 bytes or bad URL encoding; 404 for an unknown app", async () => {
    await expectApiError(await apiFetch(userPath("x".repeat(129))), 400, "bad_request");
    await expectApiError(await apiFetch(`/v1/apps/${TEST_APP}/users/%E0%A4%A`), 400, "bad_request");
    await expectApiError(await apiFetch(userPath("a", "1")), 404, "not_found");
  });

  it("405 for other methods on a user", async () => {
    await expectApiError(await apiFetch(userPath("a"), { method: "PUT" }), 405, "method_not_allowed");
  });
});

describe("POST /v1/apps/{app}/presence/query", () => {
  it("answers in request order, repeats included, unknown users as unknown", async () => {
    const [a, b] = [uniqueAccount(), uniqueAccount()];
    await sendStateChange({ account: a, action: "Login" });
    await sendStateChange({ account: b, action: "Login" });
    await sendStateChange({ account: b, action: "Logout", eventTime: Date.now() + 1000 });
    const res = await query([b, "nobody-" + a, a, b]);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { account: string; status: string }[] };
    expect(results.map((r) => [r.account, r.status])).toEqual([
      [b, "offline"],
      ["nobody-" + a, "unknown"],
      [a, "online"],
      [b, "offline"],
    ]);
  });

  it("takes 500 accounts and refuses 501", async () => {
    const accounts = Array.from({ length: 500 }, (_, i) => `batch-${i}`);
    const res = await query(accounts);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { account: string }[] };
    expect(results.map((r) => r.account)).toEqual(accounts);
    await expectApiError(await query([...accounts, "one-more"]), 400, "bad_request");
  });

  it.each([
    ["an empty list", []],
    ["a non-string", ["a", 7]],
    ["an empty account", [""]],
    ["a missing list", undefined],
    ["malformed JSON", "{"],
  ])("400 for %s", async (_name, accounts) => {
    await expectApiError(await query(accounts), 400, "bad_request");
  });

  it("405 for GET", async () => {
    await expectApiError(await apiFetch(`/v1/apps/${TEST_APP}/presence/query`), 405, "method_not_allowed");
  });
});

describe("GET /v1/apps/{app}/users/{account}/events", () => {
  it("lists history newest first with outcome and status after", async () => {
    const account = uniqueAccount();
    const t = Date.now() - 10_000;
    await sendStateChange({ account, action: "Login", eventTime: t, kicked: ["Web"] }, { clientIp: "9.9.9.9" });
    await sendStateChange({ account, action: "Login", eventTime: t, kicked: ["Web"] }, { clientIp: "9.9.9.9" });
    await sendStateChange({ account, action: "Logout", eventTime: t - 5 });
    await sendStateChange({ account, action: "Disconnect", reason: "Timeout", eventTime: t + 1 });
    const res = await apiFetch(`${userPath(account)}/events`);
    expect(res.status).toBe(200);
    const { events } = (await res.json()) as { events: Record<string, unknown>[] };
    expect(events.map((e) => [e.seq, e.action, e.reason, e.outcome, e.status])).toEqual([
      [4, "Disconnect", "TimeOut", "applied", "disconnected"],
      [3, "Logout", "Unregister", "stale", "online"],
      [2, "Login", "Register", "duplicate", "online"],
      [1, "Login", "Register", "applied", "online"],
    ]);
    expect(events[3]).toMatchObject({ eventTime: t, platform: "iOS", clientIp: "9.9.9.9", kicked: ["Web"] });
    expect(typeof events[3]?.receivedAt).toBe("number");
  });

  it("pages with limit and before", async () => {
    const account = uniqueAccount();
    for (let i = 0; i < 5; i++)
      await sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: Date.now() - 100 + i });
    const page1 = (await (await apiFetch(`${userPath(account)}/events?limit=2`)).json()) as {
      events: { seq: number }[];
    };
    expect(page1.events.map((e) => e.seq)).toEqual([5, 4]);
    const page2 = (await (await apiFetch(`${userPath(account)}/events?limit=2&before=4`)).json()) as {
      events: { seq: number }[];
    };
    expect(page2.events.map((e) => e.seq)).toEqual([3, 2]);
    const page3 = (await (await apiFetch(`${userPath(account)}/events?limit=2&before=2`)).json()) as {
      events: { seq: number }[];
    };
    expect(page3.events.map((e) => e.seq)).toEqual([1]);
  });

  it("keeps only HISTORY_LIMIT entries (20 in tests)", async () => {
    const account = uniqueAccount();
    for (let i = 0; i < 25; i++)
      await sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: Date.now() - 100 + i });
    const { events } = (await (await apiFetch(`${userPath(account)}/events?limit=100`)).json()) as {
      events: { seq: number }[];
    };
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 25 - i));
  });

  it("a never-seen user has no events and stays unstored", async () => {
    const account = uniqueAccount();
    expect(await (await apiFetch(`${userPath(account)}/events`)).json()).toEqual({ events: [] });
    expect(await storedTables(account)).toEqual([]);
  });

  it.each(["limit=0", "limit=1001", "limit=abc", "before=0", "before=-3", "before=x"])("400 for %s", async (q) => {
    await expectApiError(await apiFetch(`${userPath("a")}/events?${q}`), 400, "bad_request");
  });
});

describe("DELETE /v1/apps/{app}/users/{account}", () => {
  it("erases state and history: 204, then unknown with no events and no tables", async () => {
    const account = uniqueAccount();
    await sendStateChange({ account, action: "Login" });
    const res = await apiFetch(userPath(account), { method: "DELETE" });
    expect(res.status).toBe(204);
    expect((await getSnapshot(account)).status).toBe("unknown");
    expect(await (await apiFetch(`${userPath(account)}/events`)).json()).toEqual({ events: [] });
    expect(await storedTables(account)).toEqual([]);
    await sendStateChange({ account, action: "Login" });
    expect((await getSnapshot(account)).version).toBe(1);
  });
});

describe("other routes", () => {
  it("GET /healthz is 200 without auth", async () => {
    const res = await exports.default.fetch("https://presence.test/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("404 JSON for an unknown path", async () => {
    await expectApiError(await exports.default.fetch("https://presence.test/nope"), 404, "not_found");
  });
});
