// The local stand-in of Tencent's REST endpoint, in-process, driven by our own REST client:
// what the simulator, the reconcile tests and the bench rely on.
import { describe, expect, it } from "vitest";
import { createTencentStandin } from "../../scripts/lib/tencent-standin-core";
import type { AccountId } from "../../src/presence/types";
import { kickAccount, type KickOptions } from "../../src/tencent/rest/kick";
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
  const call = async () => ({
    baseUrl: BASE,
    sdkAppId: APP,
    identifier: ADMIN,
    userSig: await signUserSig(TEST_SECRET_KEY, APP, ADMIN, Math.floor(Date.now() / 1000), 86400),
    // As fetch does: an aborted call rejects at once, whatever the server is doing.
    fetcher: ((input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        standin.fetch(new Request(input, init)).then(resolve, reject);
      })) as typeof fetch,
  });
  const ask = async (accounts: string[], overrides: Partial<QueryOnlineStatusOptions> = {}) =>
    queryOnlineStatus({ ...(await call()), accounts: accounts as AccountId[], ...overrides });
  const kick = async (account: string, overrides: Partial<KickOptions> = {}) =>
    kickAccount({ ...(await call()), account: account as AccountId, ...overrides });
  return { standin, control, ask, kick };
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

describe("Tencent stand-in: kick", () => {
  const truthOf = async (control: ReturnType<typeof setup>["control"], account: string) =>
    (await control("GET", `/truth/${APP}/${account}`)).json();

  it("sets the account Offline on every platform and clears its custom status; others keep theirs", async () => {
    const { control, ask, kick, standin } = setup();
    await control("POST", `/truth/${APP}`, {
      accounts: {
        mallory: { platforms: { iOS: "Online", Windows: "PushOnline", Web: "Offline" }, customStatus: "lurking" },
        bob: { platforms: { Android: "Online" } },
      },
    });
    expect(await kick("mallory")).toStrictEqual({ ok: true });
    expect(await truthOf(control, "mallory")).toStrictEqual({
      platforms: { iOS: "Offline", Windows: "Offline", Web: "Offline" },
      customStatus: null,
      status: "offline",
    });
    expect(await ask(["mallory", "bob"])).toMatchObject({
      ok: true,
      results: new Map([
        ["mallory", { status: "offline", platforms: {}, customStatus: null }],
        ["bob", { status: "online", platforms: { Android: "online" }, customStatus: null }],
      ]),
    });
    // A kick of a never-set account is OK (it is Offline already) and sets nothing.
    expect(await kick("nobody")).toStrictEqual({ ok: true });
    expect((await control("GET", `/truth/${APP}/nobody`)).status).toBe(404);
    // Kicks are counted apart: the query's figures are the two asks' only.
    expect(standin.stats()).toMatchObject({
      calls: 1,
      answered: 1,
      kicks: { calls: 2, kicked: 2, failed: 0, byErrorCode: {}, byHttpStatus: {} },
    });
  });

  it("checks the UserSig and the admin as Tencent does, and a refused kick changes nothing", async () => {
    const { control, kick, standin } = setup();
    await control("PUT", `/truth/${APP}/mallory`, { platforms: { iOS: "Online" } });
    const now = Math.floor(Date.now() / 1000);
    const refusals: [Partial<KickOptions>, number][] = [
      [{ userSig: await signUserSig(OTHER_SECRET_KEY, APP, ADMIN, now, 86400) }, 70009],
      [{ userSig: await signUserSig(TEST_SECRET_KEY, APP, ADMIN, now - 100, 10) }, 70001],
      [{ userSig: "garbage" }, 70003],
      [{ identifier: "mallory", userSig: await signUserSig(TEST_SECRET_KEY, APP, "mallory", now, 86400) }, 60010],
      [{ userSig: await signUserSig(TEST_SECRET_KEY, APP, "mallory", now, 86400) }, 70013],
      [{ sdkAppId: "1400000999" }, 70020],
    ];
    for (const [overrides, errorCode] of refusals) {
      expect(await kick("mallory", overrides)).toMatchObject({ ok: false, reason: "refused", errorCode });
    }
    expect(await truthOf(control, "mallory")).toMatchObject({ platforms: { iOS: "Online" }, status: "online" });
    expect(standin.stats().kicks).toMatchObject({ calls: 6, kicked: 0, failed: 6 });
    expect(standin.stats().kicks.byErrorCode).toStrictEqual({
      "70009": 1,
      "70001": 1,
      "70003": 1,
      "60010": 1,
      "70013": 1,
      "70020": 1,
    });
  });

  it("refuses a body Tencent would: not JSON 60003, UserID not a string 60015, missing or invalid 70402; GET 405", async () => {
    const { standin } = setup();
    const userSig = await signUserSig(TEST_SECRET_KEY, APP, ADMIN, Math.floor(Date.now() / 1000), 86400);
    const url = `${BASE}/v4/im_open_login_svc/kick?sdkappid=${APP}&identifier=${ADMIN}&usersig=${userSig}&random=1&contenttype=json`;
    const post = async (body: string) =>
      (await standin.fetch(new Request(url, { method: "POST", body }))).json() as Promise<Record<string, unknown>>;
    expect(await post("{not json")).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 60003 });
    expect(await post('{"UserID":7}')).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 60015 });
    expect(await post("{}")).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 70402 });
    expect(await post('{"UserID":""}')).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 70402 });
    expect(await post(JSON.stringify({ UserID: "x".repeat(129) }))).toMatchObject({ ErrorCode: 70402 });
    expect(await post('{"UserID":"mallory"}')).toStrictEqual({ ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0 });
    const get = await standin.fetch(new Request(url, { method: "GET" }));
    expect(get.status).toBe(405);
    expect(await get.json()).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 60002 });
  });

  it("fails on request as the query does (an ErrorCode, an HTTP status, for N calls); 70107 for unknowns", async () => {
    const { control, kick, standin } = setup();
    await control("PUT", `/truth/${APP}/mallory`, { platforms: { iOS: "Online" } });
    await control("PUT", "/behaviour", { failWith: { errorCode: 70500 }, times: 1 });
    expect(await kick("mallory")).toMatchObject({ ok: false, reason: "refused", errorCode: 70500 });
    expect(await truthOf(control, "mallory")).toMatchObject({ status: "online" });
    await control("PUT", "/behaviour", { failWith: null, httpStatus: 503, times: 1 });
    expect(await kick("mallory")).toMatchObject({ ok: false, reason: "http", message: "HTTP 503 from Tencent" });
    await control("PUT", "/behaviour", { httpStatus: null, unknownAccounts: "missing" });
    expect(await kick("nobody")).toMatchObject({ ok: false, reason: "refused", errorCode: 70107 });
    expect(await kick("mallory")).toStrictEqual({ ok: true });
    expect(standin.stats().kicks).toStrictEqual({
      calls: 4,
      kicked: 1,
      failed: 3,
      byErrorCode: { "70500": 1, "70107": 1 },
      byHttpStatus: { "503": 1 },
    });
    expect(standin.stats()).toMatchObject({ calls: 0, failed: 0, byErrorCode: {}, byHttpStatus: {} });
    await control("DELETE", "/stats");
    expect(standin.stats().kicks.calls).toBe(0);
  });
});
