// The Tencent-compatible query_online_status endpoint, driven as an app backend drives Tencent:
// a UserSig from tls-sig-api-v2, Tencent's URL and body, only the base URL changed.
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tencentQueryOnlineStatus } from "../../src/api/tencent-query-online-status";
import type { AccountId } from "../../src/presence/types";
import { queryOnlineStatus } from "../../src/tencent/rest/query-online-status";
import { queryOnlineStatusResponse } from "../../src/tencent/rest/query-online-status-wire";
import { OTHER_APP, RECONCILE_APP, TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { captureLogs } from "../support/logs";
import { storedTables, stubFor, uniqueAccount } from "../support/storage";
import { inflateUserSig, officialUserSig, deflateUserSig, OTHER_SECRET_KEY, TEST_SECRET_KEY } from "../support/usersig";

const BASE_URL = "https://presence.test";
/** The test app with a secret key (IM_SECRET_KEY_<app>); TEST_APP has none. */
const APP = RECONCILE_APP;
const ADMIN = "administrator";
const now = () => Math.floor(Date.now() / 1000);

afterEach(() => vi.restoreAllMocks());

interface Call {
  app?: string;
  identifier?: string;
  userSig?: string;
  query?: Record<string, string>;
  method?: string;
}

/** What an app backend sends to Tencent, with presence-edge's base URL. */
function tencentUrl(c: Call = {}): string {
  const params = new URLSearchParams({
    sdkappid: c.app ?? APP,
    identifier: c.identifier ?? ADMIN,
    usersig: c.userSig ?? officialUserSig(TEST_SECRET_KEY, c.app ?? APP, c.identifier ?? ADMIN, 86400),
    random: String(Math.floor(Math.random() * 4294967295)),
    contenttype: "json",
    ...c.query,
  });
  return `${BASE_URL}/v4/openim/query_online_status?${params}`;
}

async function post(body: unknown, c: Call = {}): Promise<{ status: number; json: Record<string, any> }> {
  const res = await exports.default.fetch(tencentUrl(c), {
    method: c.method ?? "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  expect(res.headers.get("content-type")).toBe("application/json");
  return { status: res.status, json: await res.json() };
}

async function expectFail(reply: Promise<{ status: number; json: Record<string, any> }>, errorCode: number) {
  const { status, json } = await reply;
  expect(status).toBe(200);
  expect(json).toStrictEqual({ ActionStatus: "FAIL", ErrorInfo: expect.any(String), ErrorCode: errorCode });
  expect(json.ErrorInfo.length).toBeGreaterThan(10);
  expect(JSON.stringify(json)).not.toContain(TEST_SECRET_KEY);
  return json.ErrorInfo as string;
}

describe("answers Tencent's request from the store", () => {
  it("gives Tencent's status words, platform names, Detail, CustomStatus; never-seen is Offline", async () => {
    const [alice, bob, carol] = [uniqueAccount("alice"), uniqueAccount("bob"), uniqueAccount("carol")];
    const t = Date.now() - 10_000;
    expect(
      (await sendStateChange({ account: alice, action: "Login", eventTime: t }, { app: APP, optPlatform: "IOS" }))
        .status,
    ).toBe(200);
    await sendStateChange({ account: alice, action: "Login", eventTime: t + 1 }, { app: APP, optPlatform: "Windows" });
    await sendStateChange(
      {
        account: alice,
        action: "CustomStatusChange",
        customStatus: "in a meeting",
        eventTime: t + 2,
      },
      { app: APP },
    );
    await sendStateChange({ account: bob, action: "Login", eventTime: t }, { app: APP, optPlatform: "Android" });
    await sendStateChange(
      { account: bob, action: "Disconnect", eventTime: t + 1 },
      { app: APP, optPlatform: "Android" },
    );
    await sendStateChange({ account: bob, action: "Login", eventTime: t + 2 }, { app: APP, optPlatform: "Web" });
    await sendStateChange({ account: bob, action: "Logout", eventTime: t + 3 }, { app: APP, optPlatform: "Web" });

    const detailed = await post({ To_Account: [alice, bob, carol], IsNeedDetail: 1, IsReturnCustomStatus: 1 });
    expect(detailed.status).toBe(200);
    expect(detailed.json).toStrictEqual({
      ActionStatus: "OK",
      ErrorInfo: "",
      ErrorCode: 0,
      QueryResult: [
        {
          To_Account: alice,
          Status: "Online",
          Detail: [
            { Platform: "iPhone", Status: "Online" },
            { Platform: "PC", Status: "Online" },
          ],
          CustomStatus: "in a meeting",
        },
        { To_Account: bob, Status: "PushOnline", Detail: [{ Platform: "Android", Status: "PushOnline" }] },
        { To_Account: carol, Status: "Offline" },
      ],
      ErrorList: [],
    });

    // Tencent's minimal request: statuses only.
    const plain = await post({ To_Account: [carol, alice, alice] });
    expect(plain.json.QueryResult).toStrictEqual([
      { To_Account: carol, Status: "Offline" },
      { To_Account: alice, Status: "Online" },
      { To_Account: alice, Status: "Online" },
    ]);
    // IsReturnInstid is accepted; instance ids are not tracked, so none is returned.
    const instid = await post({ To_Account: [alice], IsNeedDetail: 1, IsReturnInstid: 1 });
    expect(instid.json.QueryResult[0].Detail).toHaveLength(2);
  });

  it("has Tencent's field names and types exactly", async () => {
    const account = uniqueAccount("typed");
    await sendStateChange({ account, action: "Login" }, { app: APP, optPlatform: "Mac" });
    const { json } = await post({
      To_Account: [account, uniqueAccount("never")],
      IsNeedDetail: 1,
      IsReturnCustomStatus: 1,
    });
    expect(Object.keys(json)).toStrictEqual(["ActionStatus", "ErrorInfo", "ErrorCode", "QueryResult", "ErrorList"]);
    expect(queryOnlineStatusResponse.safeParse(json).success).toBe(true);
    expect(typeof json.ErrorCode).toBe("number");
    for (const entry of json.QueryResult) {
      expect(Object.keys(entry).every((k) => ["To_Account", "Status", "Detail", "CustomStatus"].includes(k))).toBe(
        true,
      );
      for (const d of entry.Detail ?? []) expect(Object.keys(d)).toStrictEqual(["Platform", "Status"]);
    }
    expect(json.QueryResult[0].Detail).toStrictEqual([{ Platform: "Mac", Status: "Online" }]);
  });

  it("is read by our own Tencent REST client exactly as it reads Tencent", async () => {
    const account = uniqueAccount("roundtrip") as AccountId;
    await sendStateChange({ account, action: "Login" }, { app: APP, optPlatform: "iPad" });
    await sendStateChange({ account, action: "Disconnect" }, { app: APP, optPlatform: "iPad" });
    const result = await queryOnlineStatus({
      baseUrl: BASE_URL,
      sdkAppId: APP,
      identifier: ADMIN,
      userSig: officialUserSig(TEST_SECRET_KEY, APP, ADMIN, 86400),
      accounts: [account],
      fetcher: ((input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(input, init)) as typeof fetch,
    });
    expect(result).toStrictEqual({
      ok: true,
      results: new Map([
        [account, { status: "disconnected", platforms: { iPad: "disconnected" }, customStatus: null }],
      ]),
      missing: [],
      failed: [],
    });
  });

  it("takes 500 accounts and refuses 501 the Tencent way (70402)", async () => {
    const accounts = Array.from({ length: 500 }, (_, i) => `tq-batch-${i}`);
    const ok = await post({ To_Account: accounts });
    expect(ok.json.ActionStatus).toBe("OK");
    expect(ok.json.QueryResult).toHaveLength(500);
    expect(ok.json.QueryResult[499]).toStrictEqual({ To_Account: "tq-batch-499", Status: "Offline" });
    const info = await expectFail(post({ To_Account: [...accounts, "one-more"] }), 70402);
    expect(info).toMatch(/To_Account.*500/);
  }, 60_000);

  it("writes nothing: never-seen accounts get no storage, seen ones no row", async () => {
    const seen = uniqueAccount("seen");
    const never = uniqueAccount("never");
    await sendStateChange({ account: seen, action: "Login" }, { app: APP });
    const before = await stubFor(seen, APP).storageUsage();
    await post({ To_Account: [seen, never], IsNeedDetail: 1, IsReturnCustomStatus: 1 });
    const after = await stubFor(seen, APP).storageUsage();
    expect(after.rowsWritten).toBe(before.rowsWritten);
    expect(after.alarmsSet).toBe(before.alarmsSet);
    expect(await storedTables(never, APP)).toStrictEqual([]);
  });
});

describe("refuses as Tencent does: HTTP 200, ActionStatus FAIL, Tencent's ErrorCode", () => {
  const body = { To_Account: ["someone"] };

  it("UserSig: expired 70001, tampered 70009, wrong key 70009, garbage 70003", async () => {
    const expired = officialUserSig(TEST_SECRET_KEY, APP, ADMIN, 3600, now() - 7200);
    expect(await expectFail(post(body, { userSig: expired }), 70001)).toMatch(/expired/);
    const doc = inflateUserSig(expired);
    const extended = deflateUserSig({ ...doc, "TLS.expire": 86400 });
    await expectFail(post(body, { userSig: extended }), 70009);
    await expectFail(post(body, { userSig: officialUserSig(OTHER_SECRET_KEY, APP, ADMIN, 86400) }), 70009);
    await expectFail(post(body, { userSig: "AAAA" }), 70003);
  });

  it("identifier: another than the ticket's 70013, not the admin 60010; app: another 70014, unknown 70020, missing 60012", async () => {
    const forAlice = officialUserSig(TEST_SECRET_KEY, APP, "alice", 86400);
    await expectFail(post(body, { userSig: forAlice }), 70013);
    expect(await expectFail(post(body, { identifier: "alice", userSig: forAlice }), 60010)).toMatch(/admin/);
    const otherApp = officialUserSig(TEST_SECRET_KEY, OTHER_APP, ADMIN, 86400);
    await expectFail(post(body, { userSig: otherApp }), 70014);
    await expectFail(post(body, { app: "1499999999", userSig: otherApp }), 70020);
    await expectFail(post(body, { query: { sdkappid: "" } }), 60012);
    await expectFail(post(body, { query: { usersig: "" } }), 60004);
  });

  it("body: bad JSON 60003, a non-string account 60015, empty or malformed fields 70402", async () => {
    await expectFail(post("{not json"), 60003);
    const latin1 = new Uint8Array([
      ...new TextEncoder().encode('{"To_Account":["caf'),
      0xe9,
      ...new TextEncoder().encode('"]}'),
    ]);
    const res = await exports.default.fetch(tencentUrl(), { method: "POST", body: latin1 });
    expect(await res.json()).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 60003 });
    await expectFail(post({ To_Account: ["a", 7] }), 60015);
    await expectFail(post({ To_Account: [] }), 70402);
    await expectFail(post({}), 70402);
    await expectFail(post({ To_Account: ["a"], IsNeedDetail: "yes" }), 70402);
    await expectFail(post({ To_Account: ["x".repeat(129)] }), 70402);
  });

  it("a user's UserSig re-packed into an admin one (#23): 70003, while genuine admin tickets pass", async () => {
    // An app backend that signs for an account id its user picked signs this id; its HMAC
    // covers the same text as a ten-year admin ticket whose userbuf swallows the real lines.
    const t = now();
    const expire = 315_360_000;
    const picked = `${ADMIN}\nTLS.sdkappid:${APP}\nTLS.time:${t}\nTLS.expire:${expire}\nTLS.userbuf:x`;
    const minted = inflateUserSig(officialUserSig(TEST_SECRET_KEY, APP, picked, 86400, t));
    const repacked = deflateUserSig({
      "TLS.ver": "2.0",
      "TLS.identifier": ADMIN,
      "TLS.sdkappid": Number(APP),
      "TLS.time": t,
      "TLS.expire": expire,
      "TLS.sig": minted["TLS.sig"],
      "TLS.userbuf": `x\nTLS.sdkappid:${APP}\nTLS.time:${t}\nTLS.expire:86400`,
    });
    expect(await expectFail(post(body, { userSig: repacked }), 70003)).toMatch(/parsed/);
    // The minted ticket itself, under the id it was made for, is refused the same way.
    await expectFail(
      post(body, { identifier: picked, userSig: officialUserSig(TEST_SECRET_KEY, APP, picked, 86400) }),
      70003,
    );

    expect((await post(body)).json.ActionStatus).toBe("OK");
    const TLSSigAPIv2 = (await import("tls-sig-api-v2")).default;
    const withUserBuf = new TLSSigAPIv2.Api(Number(APP), TEST_SECRET_KEY).genPrivateMapKey(ADMIN, 86400, 1234, 255);
    expect(inflateUserSig(withUserBuf)).toHaveProperty("TLS.userbuf");
    expect((await post(body, { userSig: withUserBuf })).json.ActionStatus).toBe("OK");
  });

  it("compares the admin identifier exactly: Administrator is not administrator (60010)", async () => {
    const upper = "Administrator";
    const userSig = officialUserSig(TEST_SECRET_KEY, APP, upper, 86400);
    expect(await expectFail(post(body, { identifier: upper, userSig }), 60010)).toMatch(/admin/);
  });

  it("no secret key configured for the app: 70016 naming IM_SECRET_KEY", async () => {
    const info = await expectFail(post(body, { app: TEST_APP }), 70016);
    expect(info).toMatch(/IM_SECRET_KEY is not set/);
  });

  it("logs each refusal in one line (reason, ErrorCode, app), never the UserSig or a key; an answer in none", async () => {
    const lines = captureLogs();
    const otherKey = officialUserSig(OTHER_SECRET_KEY, APP, ADMIN, 86400);
    const forAlice = officialUserSig(TEST_SECRET_KEY, APP, "alice", 86400);
    await expectFail(post(body, { userSig: otherKey }), 70009);
    await expectFail(post(body, { identifier: "alice", userSig: forAlice }), 60010);
    await expectFail(post(body, { query: { sdkappid: "14<script>" } }), 70020);
    expect((await post(body)).json.ActionStatus).toBe("OK");
    expect((await exports.default.fetch(tencentUrl(), { method: "PUT" })).status).toBe(405);

    expect(lines.map((line) => JSON.parse(line))).toStrictEqual([
      {
        msg: "tencent query",
        app: APP,
        rejected: "verificationFailed",
        errorCode: 70009,
        reason: expect.stringMatching(/verification failed/),
        http: 200,
      },
      {
        msg: "tencent query",
        app: APP,
        rejected: "adminRequired",
        errorCode: 60010,
        reason: expect.stringMatching(/App admin/),
        http: 200,
      },
      {
        msg: "tencent query",
        app: "(invalid)",
        rejected: "sdkAppIdUnknown",
        errorCode: 70020,
        reason: expect.any(String),
        http: 200,
      },
      {
        msg: "tencent query",
        app: APP,
        rejected: "httpParse",
        errorCode: 60002,
        reason: "use POST for query_online_status",
        http: 405,
      },
    ]);
    for (const line of lines) {
      for (const secret of [otherKey, forAlice, TEST_SECRET_KEY, OTHER_SECRET_KEY]) expect(line).not.toContain(secret);
      expect(line).not.toContain("usersig=");
    }
  });

  it("a storage failure or a throw is 70500 with HTTP 200, never a 5xx", async () => {
    const broken = {
      ...env,
      USER_PRESENCE: {
        getByName() {
          throw new Error("storage is down");
        },
      },
    } as unknown as Env;
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const res = await tencentQueryOnlineStatus(
      new Request(tencentUrl(), { method: "POST", body: JSON.stringify(body) }),
      broken,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 70500 });
    // One log line says what failed; neither it nor the reply holds the key or the UserSig.
    const lines = logged.mock.calls.map((args) => String(args[0]));
    logged.mockRestore();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "tencent query error", error: "Error: storage is down" });
    expect(lines[0]).not.toContain(TEST_SECRET_KEY);
    expect(lines[0]).not.toContain("usersig");
  });

  it("an invalid configuration is 70500 naming the variable, never its value", async () => {
    const misconfigured = { ...env, HISTORY_LIMIT: "lots" } as Env;
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const res = await tencentQueryOnlineStatus(
      new Request(tencentUrl(), { method: "POST", body: JSON.stringify(body) }),
      misconfigured,
    );
    logged.mockRestore();
    expect(res.status).toBe(200);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 70500 });
    expect(json.ErrorInfo).toMatch(/HISTORY_LIMIT/);
    expect(json.ErrorInfo).not.toMatch(/lots/);
  });

  it("another method: 405 with Allow: POST and Tencent's envelope", async () => {
    const res = await exports.default.fetch(tencentUrl(), { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await res.json()).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 60002 });
  });
});
