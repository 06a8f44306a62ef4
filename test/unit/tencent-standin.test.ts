// The local stand-in of Tencent's REST endpoint, in-process, driven by our own REST client:
// what the simulator, the reconcile tests and the bench rely on.
import { describe, expect, it } from "vitest";
import { createTencentStandin } from "../../scripts/lib/tencent-standin-core";
import type { AccountId } from "../../src/presence/types";
import { queryOnlineStatus, type QueryOnlineStatusOptions } from "../../src/tencent/rest/query-online-status";
import { signUserSig } from "../../src/tencent/rest/usersig";
import { OTHER_SECRET_KEY, TEST_SECRET_KEY } from "../support/usersig";

const APP = "1400000001";
const ADMIN = "administrator";
const BASE = "http://127.0.0.1:8790";

function setup() {
  const standin = createTencentStandin({ apps: new Map([[APP, TEST_SECRET_KEY]]), admin: ADMIN });
  const control = (method: string, path: string, body?: unknown) =>
    standin.fetch(new Request(`${BASE}${path}`, { method, body: body === undefined ? null : JSON.stringify(body) }));
  const ask = async (accounts: string[], overrides: Partial<QueryOnlineStatusOptions> = {}) =>
    queryOnlineStatus({
      baseUrl: BASE,
      sdkAppId: APP,
      identifier: ADMIN,
      userSig: await signUserSig(TEST_SECRET_KEY, APP, ADMIN, Math.floor(Date.now() / 1000), 86400),
      accounts: accounts as AccountId[],
      // As fetch does: an aborted call rejects at once, whatever the server is doing.
      fetcher: ((input: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
          standin.fetch(new Request(input, init)).then(resolve, reject);
        })) as typeof fetch,
      ...overrides,
    });
  return { standin, control, ask };
}

describe("Tencent stand-in", () => {
  it("answers from the truth table in Tencent's words; never-set accounts are Offline", async () => {
    const { control, ask } = setup();
    const put = await control("PUT", `/truth/${APP}/alice`, {
      platforms: { iPhone: "Online", Windows: "PushOnline" },
      customStatus: "busy",
    });
    expect(await put.json()).toStrictEqual({
      platforms: { iOS: "Online", Windows: "PushOnline" },
      customStatus: "busy",
      status: "online",
    });
    await control("POST", `/truth/${APP}`, { accounts: { bob: { platforms: { Android: "PushOnline" } } } });
    const result = await ask(["alice", "bob", "nobody"]);
    expect(result).toStrictEqual({
      ok: true,
      results: new Map([
        ["alice", { status: "online", platforms: { iOS: "online", Windows: "disconnected" }, customStatus: "busy" }],
        ["bob", { status: "disconnected", platforms: { Android: "disconnected" }, customStatus: null }],
        ["nobody", { status: "offline", platforms: {}, customStatus: null }],
      ]),
      missing: [],
      failed: [],
    });
    await control("DELETE", `/truth/${APP}/alice`);
    expect((await control("GET", `/truth/${APP}/alice`)).status).toBe(404);
  });

  it("checks the UserSig as Tencent does", async () => {
    const { ask } = setup();
    const wrongKey = await signUserSig(OTHER_SECRET_KEY, APP, ADMIN, Math.floor(Date.now() / 1000), 86400);
    expect(await ask(["a"], { userSig: wrongKey })).toMatchObject({ ok: false, errorCode: 70009 });
    const expired = await signUserSig(TEST_SECRET_KEY, APP, ADMIN, Math.floor(Date.now() / 1000) - 100, 10);
    expect(await ask(["a"], { userSig: expired })).toMatchObject({ ok: false, errorCode: 70001 });
    expect(await ask(["a"], { sdkAppId: "1400000999" })).toMatchObject({ ok: false, errorCode: 70020 });
  });

  it("fails on request: an ErrorCode, an HTTP status, malformed JSON, for N calls; 70107 for unknowns", async () => {
    const { control, ask, standin } = setup();
    await control("PUT", "/behaviour", { failWith: { errorCode: 70500 }, times: 1 });
    expect(await ask(["a"])).toMatchObject({ ok: false, errorCode: 70500 });
    expect(await ask(["a"])).toMatchObject({ ok: true });
    await control("PUT", "/behaviour", { failWith: null, httpStatus: 503, times: null });
    expect(await ask(["a"])).toMatchObject({ ok: false, error: "HTTP 503 from Tencent" });
    expect(await ask(["a"])).toMatchObject({ ok: false, error: "HTTP 503 from Tencent" });
    await control("PUT", "/behaviour", { httpStatus: null, malformed: true, times: 1 });
    expect(await ask(["a"])).toMatchObject({ ok: false, errorCode: null });
    await control("PUT", "/behaviour", { unknownAccounts: "missing" });
    expect(await ask(["a", "b"])).toMatchObject({ ok: true, missing: ["a", "b"] });
    expect(standin.stats()).toMatchObject({
      calls: 6,
      answered: 2,
      failed: 4,
      accountsAsked: 3,
      byErrorCode: { "70500": 1 },
      byHttpStatus: { "503": 2 },
    });
    await control("DELETE", "/stats");
    await control("DELETE", "/behaviour");
    expect(await ask(["a"])).toMatchObject({ ok: true, missing: [] });
    expect(standin.stats().calls).toBe(1);
  });

  it("counts, per app and account, the answered calls that asked for it", async () => {
    const { control, ask } = setup();
    const askedOf = async (account: string, app = APP) =>
      (await (await control("GET", `/stats/${app}/${account}`)).json()) as { asked: number };
    expect(await askedOf("alice")).toStrictEqual({ asked: 0 });
    await ask(["alice", "bob"]);
    await ask(["alice"]);
    await control("PUT", "/behaviour", { httpStatus: 503, times: 1 });
    await ask(["alice"]); // refused before the accounts were read: not an answer for alice
    expect(await askedOf("alice")).toStrictEqual({ asked: 2 });
    expect(await askedOf("bob")).toStrictEqual({ asked: 1 });
    expect(await askedOf("alice", "1400000999")).toStrictEqual({ asked: 0 });
    await control("DELETE", "/stats");
    expect(await askedOf("alice")).toStrictEqual({ asked: 0 });
  });

  it("delays on request, so a client timeout can be shown", async () => {
    const { control, ask } = setup();
    await control("PUT", "/behaviour", { delayMs: 2000 });
    expect(await ask(["a"], { timeoutMs: 10 })).toMatchObject({ ok: false, error: expect.stringMatching(/^timeout/) });
  });

  it("says what is wrong with a control request", async () => {
    const { control } = setup();
    const bad = await control("PUT", `/truth/${APP}/a`, { platforms: { Nokia: "Online" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toStrictEqual({ error: "platforms: unknown platform Nokia" });
    expect((await control("PUT", `/truth/${APP}/a`, { platforms: { iOS: "Away" } })).status).toBe(400);
    expect((await control("GET", "/nowhere")).status).toBe(404);
  });
});
