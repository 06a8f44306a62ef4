// Our client of Tencent's kick (v4/im_open_login_svc/kick), against an in-process fake Tencent:
// the request it sends, and each way Tencent or the network can answer.
import { describe, expect, it } from "vitest";
import type { AccountId, AppId } from "../../src/presence/types";
import { kickAccount, kickAccountFor, type KickOptions } from "../../src/tencent/rest/kick";
import { signUserSig } from "../../src/tencent/rest/usersig";
import { connectFails, neverAnswers, userSigRefusal } from "../support/rest-fetchers";
import { TEST_SECRET_KEY } from "../support/usersig";

const APP = "1400000001";
const ADMIN = "administrator";
const BASE = "https://adminapisgp.im.qcloud.com";
const OK = { ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0 };

interface Seen {
  method: string;
  url: URL;
  contentType: string | null;
  body: unknown;
}

/** A fake Tencent: records the request, checks the UserSig as Tencent does, then answers. */
function fakeTencent(answer: () => Response | Promise<Response>, seen: Seen[] = []): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    seen.push({
      method: request.method,
      url,
      contentType: request.headers.get("content-type"),
      body: JSON.parse(await request.text()),
    });
    const refusal = await userSigRefusal(url);
    if (refusal !== null) return refusal;
    return answer();
  }) as typeof fetch;
}

async function options(overrides: Partial<KickOptions> = {}): Promise<KickOptions> {
  return {
    baseUrl: BASE,
    sdkAppId: APP,
    identifier: ADMIN,
    userSig: await signUserSig(TEST_SECRET_KEY, APP, ADMIN, Math.floor(Date.now() / 1000), 86400),
    account: "mallory" as AccountId,
    ...overrides,
  };
}

describe("kick client", () => {
  it("sends Tencent's request: POST, the kick path, the admin's UserSig, a random, {UserID}", async () => {
    const seen: Seen[] = [];
    const base = await options({ random: 4294967295 });
    expect(await kickAccount({ ...base, fetcher: fakeTencent(() => Response.json(OK), seen) })).toStrictEqual({
      ok: true,
    });
    expect(seen).toHaveLength(1);
    const { method, url, contentType, body } = seen[0]!;
    expect(method).toBe("POST");
    expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/v4/im_open_login_svc/kick`);
    expect(Object.fromEntries(url.searchParams)).toStrictEqual({
      sdkappid: APP,
      identifier: ADMIN,
      usersig: base.userSig,
      random: "4294967295",
      contenttype: "json",
    });
    expect(contentType).toBe("application/json");
    expect(body).toStrictEqual({ UserID: "mallory" });
  });

  it("draws a fresh 32-bit random per call", async () => {
    const seen: Seen[] = [];
    const base = await options({ fetcher: fakeTencent(() => Response.json(OK), seen) });
    for (let i = 0; i < 5; i++) await kickAccount(base);
    const randoms = seen.map((s) => Number(s.url.searchParams.get("random")));
    for (const r of randoms) expect(Number.isInteger(r) && r >= 0 && r <= 0xffffffff).toBe(true);
    expect(new Set(randoms).size).toBeGreaterThan(1);
  });

  it("returns Tencent's refusal with its ErrorCode and ErrorInfo: FAIL, or a non-zero code", async () => {
    const fail = await kickAccount({
      ...(await options()),
      fetcher: fakeTencent(() =>
        Response.json({ ActionStatus: "FAIL", ErrorInfo: "account not found", ErrorCode: 70107 }),
      ),
    });
    expect(fail).toStrictEqual({
      ok: false,
      reason: "refused",
      errorCode: 70107,
      errorInfo: "account not found",
      message: "Tencent ErrorCode 70107: account not found",
    });
    // OK with a non-zero ErrorCode is no success either.
    const odd = await kickAccount({
      ...(await options()),
      fetcher: fakeTencent(() => Response.json({ ActionStatus: "OK", ErrorInfo: "busy", ErrorCode: 70169 })),
    });
    expect(odd).toMatchObject({ ok: false, reason: "refused", errorCode: 70169, errorInfo: "busy" });
    // A UserSig Tencent rejects (here: signed for another admin) is a refusal too.
    const other = await signUserSig(TEST_SECRET_KEY, APP, "someone", Math.floor(Date.now() / 1000), 86400);
    const rejected = await kickAccount({
      ...(await options({ userSig: other })),
      fetcher: fakeTencent(() => Response.json(OK)),
    });
    expect(rejected).toMatchObject({ ok: false, reason: "refused", errorCode: 70013 });
  });

  it("returns HTTP errors, network errors and malformed answers with a message, without the UserSig", async () => {
    const base = await options();
    const cases: [typeof fetch, string, RegExp][] = [
      [fakeTencent(() => new Response("oops", { status: 500 })), "http", /^HTTP 500 from Tencent$/],
      [fakeTencent(() => new Response("bad gateway", { status: 502 })), "http", /^HTTP 502/],
      [connectFails, "network", /^network error: connect failed/],
      [fakeTencent(() => new Response("<html>gateway</html>")), "malformed", /not JSON/],
      [fakeTencent(() => Response.json({ ActionStatus: "MAYBE", ErrorCode: 0 })), "malformed", /ActionStatus/],
    ];
    for (const [fetcher, reason, message] of cases) {
      const result = await kickAccount({ ...base, fetcher });
      expect(result).toMatchObject({ ok: false, reason, errorCode: null });
      expect(!result.ok && result.message).toMatch(message);
      // The network error's message quotes the URL, UserSig included: scrubbed.
      expect(JSON.stringify(result)).not.toContain(base.userSig);
    }
  });

  it("gives up after the timeout and says so", async () => {
    const result = await kickAccount({ ...(await options()), timeoutMs: 20, fetcher: neverAnswers });
    expect(result).toStrictEqual({
      ok: false,
      reason: "timeout",
      errorCode: null,
      message: "timeout: no answer within 0.02 s",
    });
  });
});

describe("kickAccountFor (what the operator's kick calls)", () => {
  const admin = { baseUrl: BASE, identifier: ADMIN, key: TEST_SECRET_KEY };

  it("signs with the app's key for the admin and calls the admin's REST domain", async () => {
    const seen: Seen[] = [];
    const result = await kickAccountFor(admin, APP as AppId, "mallory" as AccountId, Date.now(), {
      fetcher: fakeTencent(() => Response.json(OK), seen),
    });
    expect(result).toStrictEqual({ ok: true });
    expect(seen[0]?.url.origin).toBe(BASE);
    expect(seen[0]?.url.searchParams.get("identifier")).toBe(ADMIN);
    expect(seen[0]?.body).toStrictEqual({ UserID: "mallory" });
  });

  it("sends nothing for an app without a key: no_key, Tencent's 70016", async () => {
    const seen: Seen[] = [];
    const result = await kickAccountFor(
      { ...admin, key: undefined },
      APP as AppId,
      "mallory" as AccountId,
      Date.now(),
      {
        fetcher: fakeTencent(() => Response.json(OK), seen),
      },
    );
    expect(result).toMatchObject({ ok: false, reason: "no_key", errorCode: 70016 });
    expect(seen).toHaveLength(0);
  });
});
