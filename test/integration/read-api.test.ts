// Every read endpoint and its errors, through the Worker's fetch handler (SPEC §4).
import { env, exports } from "cloudflare:workers";
import worker from "../../src/index";
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

  // Every other test runs with API_TOKENS set: this one sends requests to the Worker's fetch
  // handler with the variable removed (or empty), as a deployment that forgot it would run.
  it.each([
    ["unset", undefined],
    ["empty", ""],
    ["only commas", " , "],
  ])("401 on every read route when API_TOKENS is %s: the read API is never open", async (_name, value) => {
    const { API_TOKENS: _configured, ...rest } = env;
    const without = (value === undefined ? rest : { ...rest, API_TOKENS: value }) as Env;
    const routes: [string, string][] = [
      ["GET", userPath("a")],
      ["DELETE", userPath("a")],
      ["GET", `${userPath("a")}/events`],
      ["GET", `${userPath("a")}/deliveries`],
      ["POST", `${userPath("a")}/deliveries/redeliver`],
      ["POST", `/v1/apps/${TEST_APP}/presence/query`],
    ];
    for (const [method, path] of routes) {
      for (const authorization of [null, "Bearer ", "Bearer undefined", `Bearer ${ROTATED_API_TOKEN}`]) {
        const headers: Record<string, string> = authorization === null ? {} : { authorization };
        const body = method === "POST" ? JSON.stringify({ accounts: ["a"] }) : null;
        const request = new Request(`https://presence.test${path}`, { method, headers, body });
        const res = await worker.fetch(request as Parameters<typeof worker.fetch>[0], without);
        expect(res.status, `${method} ${path} with ${authorization}`).toBe(401);
        expect(((await res.json()) as { message: string }).message).toContain("API_TOKENS");
      }
    }
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

  it("a user seen only through CustomStatusChange is unknown, with its custom status and version 1", async () => {
    const account = uniqueAccount();
    const t = Date.now() - 10_000;
    await sendStateChange({ account, action: "CustomStatusChange", eventTime: t, customStatus: "busy" });
    const snap = await getSnapshot(account);
    expect(snap).toMatchObject({ status: "unknown", customStatus: "busy", version: 1, platforms: {} });
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

  // The limit counts accounts as listed; 50 distinct ones among them keep the test to 50 object
  // calls, so it proves the same on a busy machine as 500 distinct ones would.
  it("takes 500 accounts and refuses 501", async () => {
    const accounts = Array.from({ length: 500 }, (_, i) => `batch-${i % 50}`);
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
  // What bare `npx wrangler dev` serves: wrangler.toml's empty IM_SDKAPPIDS, no demo.env.
  it("GET /healthz is 503 with the fix when IM_SDKAPPIDS is empty", async () => {
    const res = await worker.fetch(new Request("https://presence.test/healthz") as Parameters<typeof worker.fetch>[0], {
      ...env,
      IM_SDKAPPIDS: "",
    });
    expect(res.status).toBe(503);
    const { ok, error } = (await res.json()) as { ok: boolean; error: string };
    expect(ok).toBe(false);
    expect(error).toMatch(/^IM_SDKAPPIDS: /);
    expect(error).toContain("wrangler.toml [vars]");
    expect(error).toContain("`npm start`");
  });

  it("GET /healthz is 200 without auth", async () => {
    const res = await exports.default.fetch("https://presence.test/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("404 JSON for an unknown path", async () => {
    await expectApiError(await exports.default.fetch("https://presence.test/nope"), 404, "not_found");
  });
});
