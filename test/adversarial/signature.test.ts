// Callback authentication under attack: forged signs, replayed URLs and token rotation.
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handleCallback } from "../../src/ingest/callback-route";
import { signCallback } from "../../src/tencent/signature";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { OTHER_APP, OTHER_CALLBACK_TOKEN, TEST_APP, TEST_CALLBACK_TOKEN } from "../support/bindings";
import { callbackUrl, postCallback, stateChangeBody } from "../support/callback";

const login = (account: string) => stateChangeBody({ account, action: "Login", eventTime: Date.now() - 1000 });

async function reply(res: Response) {
  return { status: res.status, body: (await res.json()) as { ActionStatus: string; ErrorInfo: string } };
}

function withSign(url: string, sign: string): string {
  const u = new URL(url);
  u.searchParams.set("Sign", sign);
  return u.toString();
}

async function post(url: string, body: unknown, envOverride?: typeof env): Promise<Response> {
  const request = new Request(url, { method: "POST", body: JSON.stringify(body) });
  return envOverride === undefined ? exports.default.fetch(request) : handleCallback(request, envOverride);
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("signature: forged signs", () => {
  it("a wrong sign of the right length and one of a wrong length are both 401, and nothing is stored", async () => {
    const url = await callbackUrl();
    const good = new URL(url).searchParams.get("Sign")!;
    const flipped = good.slice(0, -1) + (good.endsWith("0") ? "1" : "0");
    for (const sign of [flipped, good.slice(0, 63), `${good}0`, "", "0".repeat(64), good.replace(/[0-9]/g, "z")]) {
      const { status, body } = await reply(await post(withSign(url, sign), login("forged")));
      expect(status, sign).toBe(401);
      expect(body.ActionStatus).toBe("FAIL");
    }
    expect((await getSnapshot("forged")).status).toBe("unknown");
  });

  it("compares against every token of a rotation list with timingSafeEqual, even after a match", async () => {
    const compare = vi.spyOn(crypto.subtle, "timingSafeEqual");
    // OTHER_APP has two tokens: sign with the first, which matches on the first comparison.
    const res = await post(await callbackUrl({ app: OTHER_APP, token: OTHER_CALLBACK_TOKEN }), login("rot-1"));
    expect(res.status).toBe(200);
    expect(compare).toHaveBeenCalledTimes(2);
    compare.mockClear();
    const wrong = await post(await callbackUrl({ app: OTHER_APP, token: "not-a-token" }), login("rot-2"));
    expect(wrong.status).toBe(401);
    expect(compare).toHaveBeenCalledTimes(2);
  });

  it("a sign made with another app's token is rejected", async () => {
    const res = await post(await callbackUrl({ app: OTHER_APP, token: TEST_CALLBACK_TOKEN }), login("cross-app"));
    expect(res.status).toBe(401);
    const back = await post(await callbackUrl({ app: TEST_APP, token: OTHER_CALLBACK_TOKEN }), login("cross-app"));
    expect(back.status).toBe(401);
  });

  it("a sign for one RequestTime does not verify another", async () => {
    const now = Math.floor(Date.now() / 1000);
    const u = new URL(await callbackUrl({ requestTime: now }));
    u.searchParams.set("RequestTime", String(now - 1));
    expect((await post(u.toString(), login("time-swap"))).status).toBe(401);
  });
});

describe("signature: replay", () => {
  it("a captured signed URL replayed within 60 s is only a duplicate; after 61 s it is a 401", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const url = await callbackUrl();
    const body = login("replayed");
    expect((await post(url, body)).status).toBe(200);

    vi.setSystemTime(start + 30_000);
    expect((await post(url, body)).status).toBe(200);
    const events = (await (await apiFetch(`${userPath("replayed")}/events`)).json()) as {
      events: { outcome: string }[];
    };
    expect(events.events.map((e) => e.outcome)).toEqual(["duplicate", "applied"]);

    vi.setSystemTime(start + 61_000 + 999);
    const late = await reply(await post(url, body));
    expect(late.status).toBe(401);
    expect(late.body.ErrorInfo).toMatch(/60 seconds/);
    // Nor can the captured URL carry another body once it has expired.
    const swapped = await post(url, stateChangeBody({ account: "replayed", action: "Logout", eventTime: start + 1 }));
    expect(swapped.status).toBe(401);
    expect((await getSnapshot("replayed")).status).toBe("online");
  });

  it("a RequestTime 61 s in the future is rejected as well", async () => {
    vi.useFakeTimers({ toFake: ["Date"] }); // the Worker checks against the second signed with
    const url = await callbackUrl({ requestTime: Math.floor(Date.now() / 1000) + 61 });
    expect((await post(url, login("future-sign"))).status).toBe(401);
  });
});

describe("signature: token rotation", () => {
  const rotationEnv = (tokens: string) => ({ ...env, IM_CALLBACK_TOKEN: tokens });

  it("IM_CALLBACK_TOKEN with old and new comma-separated verifies both, then only the new one", async () => {
    const step1 = rotationEnv("old-token");
    const step2 = rotationEnv(" old-token , new-token ");
    const step3 = rotationEnv("new-token");
    const signed = (token: string, account: string) => callbackUrl({ token }).then((u) => [u, login(account)] as const);

    expect((await post(...(await signed("old-token", "r1")), step1)).status).toBe(200);
    expect((await post(...(await signed("new-token", "r2")), step1)).status).toBe(401);
    expect((await post(...(await signed("old-token", "r3")), step2)).status).toBe(200);
    expect((await post(...(await signed("new-token", "r4")), step2)).status).toBe(200);
    expect((await post(...(await signed("old-token", "r5")), step3)).status).toBe(401);
    expect((await post(...(await signed("new-token", "r6")), step3)).status).toBe(200);
  });

  it("a per-app IM_CALLBACK_TOKEN_<app> list replaces the global token for that app", async () => {
    for (const token of [OTHER_CALLBACK_TOKEN, `second-${OTHER_CALLBACK_TOKEN}`]) {
      const res = await postCallback(login(`per-app-${token}`), { app: OTHER_APP, token });
      expect(res.status).toBe(200);
    }
    expect((await postCallback(login("per-app-global"), { app: OTHER_APP, token: TEST_CALLBACK_TOKEN })).status).toBe(
      401,
    );
  });

  it("the sign uses the token as configured: tokens are never trimmed into another token", async () => {
    const sign = await signCallback("new-token ", Math.floor(Date.now() / 1000));
    const url = withSign(await callbackUrl({ token: "new-token" }), sign);
    expect((await post(url, login("trim"), rotationEnv("new-token"))).status).toBe(401);
  });
});
