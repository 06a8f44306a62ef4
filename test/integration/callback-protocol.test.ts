// Every row of SPEC §2's reply table, through the Worker's fetch handler.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_CALLBACK_BYTES } from "../../src/ingest/callback-route";
import { getSnapshot } from "../support/api";
import { OTHER_APP, OTHER_CALLBACK_TOKEN, UNSIGNED_APP } from "../support/bindings";
import { callbackUrl, postCallback, sendStateChange, stateChangeBody } from "../support/callback";
import { setClock } from "../support/clock";
import { storedTables, stubFor, uniqueAccount } from "../support/storage";
import { exports } from "cloudflare:workers";
import { injectedFault } from "../support/expected-output";

afterEach(() => vi.useRealTimers());

const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

async function expectFail(res: Response, status: number, infoIncludes: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["ActionStatus", "ErrorCode", "ErrorInfo"]);
  expect(body.ActionStatus).toBe("FAIL");
  expect(body.ErrorCode).toBe(1);
  expect(String(body.ErrorInfo)).toContain(infoIncludes);
}

describe("POST /callback replies", () => {
  it("200 OK for an applied event, then for its duplicate and a stale one", async () => {
    const account = uniqueAccount();
    const t = Date.now() - 10_000;
    for (const res of [
      await sendStateChange({ account, action: "Login", eventTime: t }),
      await sendStateChange({ account, action: "Login", eventTime: t }),
      await sendStateChange({ account, action: "Logout", eventTime: t - 1 }),
    ]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(OK);
    }
    expect((await getSnapshot(account)).version).toBe(1);
  });

  it("200 OK for another CallbackCommand, storing nothing", async () => {
    const account = uniqueAccount();
    const res = await postCallback(
      { CallbackCommand: "C2C.CallbackAfterSendMsg", From_Account: account, To_Account: account },
      { command: "C2C.CallbackAfterSendMsg" },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(OK);
    expect(await storedTables(account)).toEqual([]);
  });

  it("matches query parameter names case-insensitively", async () => {
    const account = uniqueAccount();
    const url = new URL(await callbackUrl());
    const renamed = new URLSearchParams();
    for (const [k, v] of url.searchParams) renamed.set(k === "SdkAppid" ? "SDKAppID" : k.toLowerCase(), v);
    const res = await exports.default.fetch(`https://presence.test/callback?${renamed}`, {
      method: "POST",
      body: JSON.stringify(stateChangeBody({ account, action: "Login" })),
    });
    expect(res.status).toBe(200);
    expect((await getSnapshot(account)).platforms.iOS.status).toBe("online");
  });

  it("reads the first of duplicate query parameters, whatever their casing", async () => {
    const account = uniqueAccount();
    const body = JSON.stringify(stateChangeBody({ account, action: "Login" }));
    const signed = new URL(await callbackUrl({ optPlatform: "Android" }));
    const withDuplicates = (extra: string) => `${signed}&${extra}`;
    // SdkAppid: the configured app first, an unknown one after → accepted for the first.
    const first = await exports.default.fetch(withDuplicates("sdkappid=999&OPTPLATFORM=IOS"), { method: "POST", body });
    expect(first.status).toBe(200);
    expect(Object.keys((await getSnapshot(account)).platforms)).toEqual(["Android"]);
    // The unknown app first → refused, though the configured one follows.
    const reordered = new URL(signed);
    reordered.searchParams.delete("SdkAppid");
    const unknownFirst = `https://presence.test/callback?SDKAPPID=999&${reordered.searchParams}&SdkAppid=${signed.searchParams.get("SdkAppid")}`;
    await expectFail(await exports.default.fetch(unknownFirst, { method: "POST", body }), 403, "SdkAppid");
  });

  it.each([
    ["malformed JSON", "{not json", "body"],
    ["a schema error", { Info: { Action: "Fly", To_Account: "x" } }, "Info.Action"],
    [
      "an EventTime over 5 minutes ahead",
      { EventTime: Date.now() + 3_600_000, Info: { Action: "Login", To_Account: "x" } },
      "EventTime",
    ],
    [
      "an EventTime in seconds",
      { EventTime: Math.floor(Date.now() / 1000), Info: { Action: "Login", To_Account: "x" } },
      "EventTime: must be milliseconds",
    ],
    [
      "a body CallbackCommand naming another command than the query's",
      { CallbackCommand: "C2C.CallbackAfterSendMsg", Info: { Action: "Login", To_Account: "x" } },
      "CallbackCommand",
    ],
  ])("400 for %s, naming the field", async (_name, body, field) => {
    await expectFail(await postCallback(body), 400, field);
  });

  it("400 for a missing SdkAppid or CallbackCommand", async () => {
    const body = JSON.stringify(stateChangeBody({ account: "x", action: "Login" }));
    await expectFail(
      await exports.default.fetch("https://presence.test/callback", { method: "POST", body }),
      400,
      "SdkAppid",
    );
    const noCommand = new URL(await callbackUrl());
    noCommand.searchParams.delete("CallbackCommand");
    await expectFail(await exports.default.fetch(noCommand, { method: "POST", body }), 400, "CallbackCommand");
  });

  it("401 for a missing Sign, a wrong Sign, another app's token, and a RequestTime outside ±60 s", async () => {
    const body = stateChangeBody({ account: "x", action: "Login" });
    await expectFail(await postCallback(body, { token: null }), 401, "Sign");
    await expectFail(await postCallback(body, { token: "wrong" }), 401, "Sign");
    await expectFail(await postCallback(body, { token: OTHER_CALLBACK_TOKEN }), 401, "Sign");
    // The clock stands still, so the Worker checks against the very second the test signs with.
    setClock(Date.now());
    const now = Math.floor(Date.now() / 1000);
    await expectFail(await postCallback(body, { requestTime: now - 61 }), 401, "RequestTime");
    await expectFail(await postCallback(body, { requestTime: now + 61 }), 401, "RequestTime");
    expect((await postCallback(body, { requestTime: now - 60 })).status).toBe(200);
    expect((await postCallback(body, { requestTime: now + 60 })).status).toBe(200);
  });

  it("uses the per-app token, any of a rotation list", async () => {
    const body = stateChangeBody({ account: uniqueAccount(), action: "Login" });
    expect((await postCallback(body, { app: OTHER_APP, token: OTHER_CALLBACK_TOKEN })).status).toBe(200);
    expect((await postCallback(body, { app: OTHER_APP, token: `second-${OTHER_CALLBACK_TOKEN}` })).status).toBe(200);
    await expectFail(await postCallback(body, { app: OTHER_APP }), 401, "Sign");
  });

  it("401 for an app with no token unless IM_ALLOW_UNSIGNED (secure by default)", async () => {
    await expectFail(
      await postCallback(stateChangeBody({ account: "x", action: "Login" }), { app: UNSIGNED_APP, token: null }),
      401,
      "no callback token",
    );
  });

  it("403 for an SdkAppid that is not configured", async () => {
    await expectFail(
      await postCallback(stateChangeBody({ account: "x", action: "Login" }), { app: "1234" }),
      403,
      "SdkAppid",
    );
  });

  it.each(["GET", "PUT", "DELETE", "PATCH"])("405 for %s", async (method) => {
    const res = await postCallback(stateChangeBody({ account: "x", action: "Login" }), { method });
    await expectFail(res, 405, "POST");
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("413 for a body over 64 KiB; exactly 64 KiB is read", async () => {
    const account = uniqueAccount();
    const base = JSON.stringify(stateChangeBody({ account, action: "Login" }));
    const exact = base.slice(0, -1) + `,"pad":"${"x".repeat(MAX_CALLBACK_BYTES - base.length - 9)}"}`;
    expect(new TextEncoder().encode(exact).byteLength).toBe(MAX_CALLBACK_BYTES);
    expect((await postCallback(exact)).status).toBe(200);
    const over = exact.slice(0, -2) + `x"}`;
    await expectFail(await postCallback(over), 413, "64");
  });

  it("500 (never OK) when storage fails, and nothing is kept", async () => {
    const account = uniqueAccount();
    expect((await sendStateChange({ account, action: "Login", eventTime: Date.now() - 5000 })).status).toBe(200);
    await runInDurableObject(stubFor(account), (instance, state) => {
      const exec = state.storage.sql.exec.bind(state.storage.sql);
      (instance as unknown as { sql: unknown }).sql = Object.assign(
        (strings: TemplateStringsArray, ...values: unknown[]) => {
          const query = strings.join("?");
          if (query.startsWith("INSERT INTO history")) throw injectedFault("disk full");
          return exec(query, ...(values as never[])).toArray();
        },
        { usage: { rowsRead: 0, rowsWritten: 0 } },
      );
    });
    await expectFail(
      await sendStateChange({ account, action: "Logout", eventTime: Date.now() - 1000 }),
      500,
      "storage",
    );
    const snap = await getSnapshot(account);
    expect(snap.status).toBe("online");
    expect(snap.version).toBe(1);
  });

  it("never echoes the token or signature in a reply", async () => {
    const res = await postCallback({ Info: { Action: "Nope", To_Account: "x" } }, { token: "leaky-token-value" });
    const text = await res.text();
    expect(text).not.toContain("leaky-token-value");
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe("nothing is stored from a rejected request", () => {
  it.each([
    ["bad signature", 401, { token: "wrong" }, {}],
    ["expired RequestTime", 401, { requestTime: Math.floor(Date.now() / 1000) - 3600 }, {}],
    ["future EventTime", 400, {}, { eventTime: Date.now() + 3_600_000 }],
    ["EventTime in seconds", 400, {}, { eventTime: Math.floor(Date.now() / 1000) }],
    ["bad method", 405, { method: "PUT" }, {}],
    ["unknown app", 403, { app: "999" }, {}],
  ])("%s (%d)", async (_name, status, options, fields) => {
    const account = uniqueAccount();
    const res = await sendStateChange({ account, action: "Login", ...fields }, options);
    expect(res.status).toBe(status);
    expect(await storedTables(account)).toEqual([]);
  });
});
