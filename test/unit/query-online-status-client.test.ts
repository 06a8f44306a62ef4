import { describe, expect, it } from "vitest";
import type { AccountId, AppId } from "../../src/presence/types";
import {
  queryOnlineStatus,
  queryOnlineStatusFor,
  type QueryOnlineStatusOptions,
} from "../../src/tencent/rest/query-online-status";
import { signUserSig } from "../../src/tencent/rest/usersig";
import { connectFails, neverAnswers, userSigRefusal } from "../support/rest-fetchers";
import { OTHER_SECRET_KEY, TEST_SECRET_KEY } from "../support/usersig";

const APP = "1400000001";
const ADMIN = "administrator";
const BASE = "https://adminapisgp.im.qcloud.com";
const accounts = (...ids: string[]) => ids as AccountId[];

interface Seen {
  url: URL;
  body: unknown;
}

/** A fake Tencent: checks method, path, query and the UserSig as Tencent does, then answers. */
function fakeTencent(answer: (seen: Seen) => Response | Promise<Response>, seen: Seen[] = []): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const entry = { url, body: JSON.parse(await request.text()) };
    seen.push(entry);
    if (request.method !== "POST" || url.pathname !== "/v4/openim/query_online_status") {
      return new Response("not found", { status: 404 });
    }
    const refusal = await userSigRefusal(url);
    if (refusal !== null) return refusal;
    return answer(entry);
  }) as typeof fetch;
}

async function options(overrides: Partial<QueryOnlineStatusOptions> = {}): Promise<QueryOnlineStatusOptions> {
  return {
    baseUrl: BASE,
    sdkAppId: APP,
    identifier: ADMIN,
    userSig: await signUserSig(TEST_SECRET_KEY, APP, ADMIN, Math.floor(Date.now() / 1000), 86400),
    accounts: accounts("alice", "bob", "carol"),
    ...overrides,
  };
}

const OK = {
  ActionStatus: "OK",
  ErrorInfo: "",
  ErrorCode: 0,
  QueryResult: [
    {
      To_Account: "alice",
      Status: "Online",
      Detail: [
        { Platform: "iPhone", Status: "PushOnline" },
        { Platform: "Web", Status: "Online" },
      ],
      CustomStatus: "in a meeting",
    },
    { To_Account: "bob", Status: "Offline", CustomStatus: "" },
  ],
  ErrorList: [{ To_Account: "carol", ErrorCode: 70107 }],
};

describe("query_online_status client", () => {
  it("sends Tencent's request and reads Detail, CustomStatus and ErrorList", async () => {
    const seen: Seen[] = [];
    const result = await queryOnlineStatus({
      ...(await options()),
      random: 4294967295,
      fetcher: fakeTencent(() => Response.json(OK), seen),
    });
    expect(seen).toHaveLength(1);
    const { url, body } = seen[0]!;
    expect(url.origin).toBe(BASE);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      sdkappid: APP,
      identifier: ADMIN,
      random: "4294967295",
      contenttype: "json",
    });
    expect(body).toStrictEqual({ To_Account: ["alice", "bob", "carol"], IsNeedDetail: 1, IsReturnCustomStatus: 1 });
    expect(result).toStrictEqual({
      ok: true,
      results: new Map([
        [
          "alice",
          { status: "online", platforms: { iOS: "disconnected", Web: "online" }, customStatus: "in a meeting" },
        ],
        ["bob", { status: "offline", platforms: {}, customStatus: null }],
      ]),
      missing: ["carol"],
      failed: [],
    });
  });

  it("draws a fresh 32-bit random per call", async () => {
    const seen: Seen[] = [];
    const fetcher = fakeTencent(() => Response.json(OK), seen);
    const base = await options();
    for (let i = 0; i < 5; i++) await queryOnlineStatus({ ...base, fetcher });
    const randoms = seen.map((s) => Number(s.url.searchParams.get("random")));
    for (const r of randoms) expect(Number.isInteger(r) && r >= 0 && r <= 0xffffffff).toBe(true);
    expect(new Set(randoms).size).toBeGreaterThan(1);
  });

  it("reads `State` where Tencent's English page spells the field so", async () => {
    const answer = { ...OK, QueryResult: [{ To_Account: "alice", State: "PushOnline" }], ErrorList: [] };
    const result = await queryOnlineStatus({ ...(await options()), fetcher: fakeTencent(() => Response.json(answer)) });
    expect(result.ok && result.results.get("alice" as AccountId)?.status).toBe("disconnected");
  });

  it("keeps other ErrorList codes apart and ignores answers about accounts it did not ask for", async () => {
    const answer = {
      ...OK,
      QueryResult: [...OK.QueryResult, { To_Account: "mallory", Status: "Online" }],
      ErrorList: [
        { To_Account: "carol", ErrorCode: 70500 },
        { To_Account: "trent", ErrorCode: 70107 },
      ],
    };
    const result = await queryOnlineStatus({ ...(await options()), fetcher: fakeTencent(() => Response.json(answer)) });
    expect(result.ok && [...result.results.keys()]).toStrictEqual(["alice", "bob"]);
    expect(result.ok && result.missing).toStrictEqual([]);
    expect(result.ok && result.failed).toStrictEqual([{ account: "carol", errorCode: 70500 }]);
  });

  it("returns Tencent's FAIL with its ErrorCode, and a UserSig Tencent rejects, as data", async () => {
    const fail = await queryOnlineStatus({
      ...(await options()),
      fetcher: fakeTencent(() => Response.json({ ActionStatus: "FAIL", ErrorCode: 70402, ErrorInfo: "bad param" })),
    });
    expect(fail).toStrictEqual({ ok: false, error: "Tencent ErrorCode 70402: bad param", errorCode: 70402 });

    const wrongKey = await signUserSig(OTHER_SECRET_KEY, APP, ADMIN, Math.floor(Date.now() / 1000), 86400);
    const rejected = await queryOnlineStatus({
      ...(await options({ userSig: wrongKey })),
      fetcher: fakeTencent(() => Response.json(OK)),
    });
    expect(rejected).toMatchObject({ ok: false, errorCode: 70009 });
    expect(JSON.stringify(rejected)).not.toContain(wrongKey);
  });

  it("returns HTTP errors, malformed answers and network errors as data without the UserSig", async () => {
    const base = await options();
    const cases: [typeof fetch, RegExp][] = [
      [fakeTencent(() => new Response("oops", { status: 500 })), /^HTTP 500/],
      [fakeTencent(() => new Response("<html>gateway</html>")), /not JSON/],
      [
        fakeTencent(() => Response.json({ ActionStatus: "OK", ErrorCode: 0, QueryResult: [{ To_Account: 1 }] })),
        /malformed answer.*QueryResult\.0/,
      ],
      [
        fakeTencent(() =>
          Response.json({ ActionStatus: "OK", ErrorCode: 0, QueryResult: [{ To_Account: "a", Status: "Away" }] }),
        ),
        /malformed/,
      ],
      [connectFails, /^network error/],
    ];
    for (const [fetcher, message] of cases) {
      const result = await queryOnlineStatus({ ...base, fetcher });
      expect(result).toMatchObject({ ok: false, errorCode: null });
      expect(!result.ok && result.error).toMatch(message);
      expect(JSON.stringify(result)).not.toContain(base.userSig);
    }
  });

  it("gives up after the timeout and says so", async () => {
    const result = await queryOnlineStatus({ ...(await options()), timeoutMs: 20, fetcher: neverAnswers });
    expect(result).toStrictEqual({ ok: false, error: "timeout: no answer within 0.02 s", errorCode: null });
  });

  it("refuses an empty batch or more than 500 accounts without calling Tencent", async () => {
    const seen: Seen[] = [];
    const fetcher = fakeTencent(() => Response.json(OK), seen);
    const many = accounts(...Array.from({ length: 501 }, (_, i) => `u${i}`));
    expect(await queryOnlineStatus({ ...(await options({ accounts: [] })), fetcher })).toMatchObject({ ok: false });
    expect(await queryOnlineStatus({ ...(await options({ accounts: many })), fetcher })).toMatchObject({ ok: false });
    expect(seen).toHaveLength(0);
    const five = accounts(...many.slice(0, 500));
    expect(await queryOnlineStatus({ ...(await options({ accounts: five })), fetcher })).toMatchObject({ ok: true });
  });
});

describe("queryOnlineStatusFor (what reconciliation calls)", () => {
  const admin = { baseUrl: BASE, identifier: ADMIN, key: TEST_SECRET_KEY };

  it("signs with the app's key for the configured admin and calls the configured domain", async () => {
    const seen: Seen[] = [];
    const result = await queryOnlineStatusFor(admin, APP as AppId, accounts("alice"), Date.now(), {
      fetcher: fakeTencent(() => Response.json(OK), seen),
    });
    expect(result.ok).toBe(true);
    expect(seen[0]?.url.origin).toBe(BASE);
    expect(seen[0]?.url.searchParams.get("identifier")).toBe(ADMIN);
  });

  it("is a 70016 failure, not a throw, for an app without a key", async () => {
    const result = await queryOnlineStatusFor(
      { ...admin, key: undefined },
      APP as AppId,
      accounts("alice"),
      Date.now(),
    );
    expect(result).toMatchObject({ ok: false, errorCode: 70016 });
  });
});
