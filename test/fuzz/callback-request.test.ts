// Fuzz of POST /callback at the request level: methods, content types, query strings
// with any casing, duplicates and garbage, and every way to get the signature wrong.
// Each case knows the reply it must get; nothing from a rejected one may be stored.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { signCallback } from "../../src/tencent/signature";
import { OTHER_APP, OTHER_CALLBACK_TOKEN, TEST_APP, TEST_CALLBACK_TOKEN, UNSIGNED_APP } from "../support/bindings";
import { expectTencentReply, stateChangeBody } from "../support/callback";
import { expectStorageOnlyFor, idOf } from "../support/storage";
import { silenceLogs } from "../support/logs";
import { MANY_REQUESTS_MS } from "../support/timeouts";
import { setClock } from "../support/clock";

const TOKENS: Record<string, string[]> = {
  [TEST_APP]: [TEST_CALLBACK_TOKEN],
  [OTHER_APP]: [OTHER_CALLBACK_TOKEN, `second-${OTHER_CALLBACK_TOKEN}`],
};
const NAMES = ["sdkappid", "callbackcommand", "clientip", "optplatform", "requesttime", "sign"];

/** Any mix of upper and lower case of a parameter name. */
const casing = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""));

const SIGN_MODES = [
  "valid",
  "valid-uppercase",
  "valid-skewed",
  "expired",
  "wrong-token",
  "other-app-token",
  "wrong-length",
  "non-hex",
  "missing-sign",
  "missing-time",
  "missing-both",
  "bad-time",
] as const;
type SignMode = (typeof SIGN_MODES)[number];
const SIGN_PASSES: ReadonlySet<SignMode> = new Set(["valid", "valid-uppercase", "valid-skewed"]);

const requestCase = fc.record({
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constant("POST") },
    { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "PATCH", "DELETE", "OPTIONS", "post", "PROPFIND") },
  ),
  contentType: fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    null,
  ),
  appName: casing("SdkAppid"),
  app: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(TEST_APP, OTHER_APP) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(UNSIGNED_APP, null, "", "1400000009", ` ${TEST_APP}`, `${TEST_APP}\u0000`, "0x1"),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 24 }) },
  ),
  // A second SdkAppid in another casing, after the first: the first occurrence decides.
  shadowApp: fc.option(fc.tuple(casing("sdkappid"), fc.constantFrom(TEST_APP, OTHER_APP, "999"))),
  commandName: casing("CallbackCommand"),
  command: fc.oneof(
    { weight: 6, arbitrary: fc.constant("State.StateChange") },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        null,
        "",
        "state.statechange",
        "C2C.CallbackAfterSendMsg",
        "Group.CallbackAfterNewMember",
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  ),
  signMode: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<SignMode>("valid", "valid-uppercase", "valid-skewed") },
    { weight: 4, arbitrary: fc.constantFrom<SignMode>(...SIGN_MODES) },
  ),
  tokenIndex: fc.nat(),
  skew: fc.integer({ min: -60, max: 60 }),
  expiredBy: fc.oneof(fc.integer({ min: 61, max: 100_000 }), fc.integer({ min: -10_000_000, max: -61 })),
  timeName: casing("RequestTime"),
  signName: casing("Sign"),
  clientIp: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 100 }))),
  optPlatform: fc.option(
    fc.oneof(fc.constantFrom("IOS", "Android", "Windows", "macOS", "Web"), fc.string({ maxLength: 40 })),
  ),
  extras: fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 })), { maxLength: 4 }),
  // Raw query garbage with no letters, so it can never spell one of the parameters.
  rawTail: fc.string({ unit: fc.constantFrom(..."%&=+;?/ 09_.-~!*'()[]"), maxLength: 20 }),
  body: fc.constantFrom("valid", "valid", "valid", "oversize", "garbage"),
});
type Case = typeof requestCase extends fc.Arbitrary<infer T> ? T : never;

/** The SdkAppid the Worker must read: the first occurrence, in any casing. */
const effectiveApp = (c: Case) => c.app ?? c.shadowApp?.[1] ?? null;

function expectedStatus(c: Case, clientIp: string | null): number {
  const app = effectiveApp(c);
  if (c.method.toUpperCase() !== "POST") return 405;
  if (app === null || app === "") return 400;
  if (app !== TEST_APP && app !== OTHER_APP && app !== UNSIGNED_APP) return 403;
  if (app === UNSIGNED_APP) return 401; // no token and IM_ALLOW_UNSIGNED=false
  if (!SIGN_PASSES.has(c.signMode)) return 401;
  if (c.command === null || c.command === "") return 400;
  if (c.command !== "State.StateChange") return 200;
  if (c.body === "oversize") return 413;
  if (clientIp !== null && clientIp.length > 64) return 400;
  if (c.body === "garbage") return 400;
  return 200;
}

async function signatureParams(c: Case): Promise<[string, string][]> {
  const tokens = TOKENS[effectiveApp(c) ?? ""] ?? [TEST_CALLBACK_TOKEN];
  const token = tokens[c.tokenIndex % tokens.length]!;
  const now = Math.floor(Date.now() / 1000);
  const time = c.signMode === "valid-skewed" ? now + c.skew : c.signMode === "expired" ? now + c.expiredBy : now;
  const signWith =
    c.signMode === "wrong-token" ? `${token}x` : c.signMode === "other-app-token" ? otherAppToken(c) : token;
  let sign = await signCallback(signWith, time);
  if (c.signMode === "valid-uppercase") sign = sign.toUpperCase();
  if (c.signMode === "wrong-length") sign = sign.slice(0, 63);
  if (c.signMode === "non-hex") sign = `${sign.slice(0, 63)}g`;
  const timeParam: [string, string] = [c.timeName, c.signMode === "bad-time" ? `${time}.0` : String(time)];
  const signParam: [string, string] = [c.signName, sign];
  if (c.signMode === "missing-both") return [];
  if (c.signMode === "missing-sign") return [timeParam];
  if (c.signMode === "missing-time") return [signParam];
  return [timeParam, signParam];
}

function otherAppToken(c: Case): string {
  return effectiveApp(c) === OTHER_APP ? TEST_CALLBACK_TOKEN : OTHER_CALLBACK_TOKEN;
}

let counter = 0;
const accepted = new Set<string>();

describe("fuzz: POST /callback requests", () => {
  beforeAll(silenceLogs);
  afterEach(() => vi.useRealTimers());
  afterAll(async () => {
    expect(accepted.size, "the generator must also produce accepted callbacks").toBeGreaterThan(100);
    await expectStorageOnlyFor(accepted);
    // Reads the tables of every Durable Object this file touched: hundreds of them.
  }, MANY_REQUESTS_MS);

  it(
    "every request gets the Tencent reply its query, signature and method call for",
    async () => {
      await fc.assert(
        fc.asyncProperty(requestCase, async (c) => {
          // The Worker checks RequestTime against the very second the case signs with, so the
          // ±60 s boundary is exact however long a case takes.
          setClock(Date.now());
          const account = `rq-${++counter}`;
          const params: [string, string][] = [];
          if (c.app !== null) params.push([c.appName, c.app]);
          if (c.shadowApp !== null) params.push(c.shadowApp);
          if (c.command !== null) params.push([c.commandName, c.command]);
          params.push(["contenttype", "json"]);
          if (c.clientIp !== null) params.push(["ClientIP", c.clientIp]);
          if (c.optPlatform !== null) params.push(["OptPlatform", c.optPlatform]);
          params.push(...(await signatureParams(c)));
          for (const [k, v] of c.extras) if (!NAMES.includes(k.toLowerCase())) params.push([k, v]);
          const url = `https://presence.test/callback?${new URLSearchParams(params)}&${c.rawTail}`;

          const body =
            c.body === "oversize"
              ? JSON.stringify({ ...stateChangeBody({ account, action: "Login" }), pad: "x".repeat(64 * 1024) })
              : c.body === "garbage"
                ? `{"Info": {"Action": "Login", "To_Account": "${account}"`
                : JSON.stringify(stateChangeBody({ account, action: "Login", eventTime: Date.now() - 1000 }));
          const headers: Record<string, string> = c.contentType === null ? {} : { "content-type": c.contentType };
          const hasBody = !["GET", "HEAD"].includes(c.method.toUpperCase());
          const res = await exports.default.fetch(url, { method: c.method, headers, body: hasBody ? body : null });

          const status = expectedStatus(c, c.clientIp);
          await expectTencentReply(res, status);
          if (status === 405) expectAllow(res);
          if (status === 200 && c.command === "State.StateChange") accepted.add(idOf(effectiveApp(c)!, account));
        }),
        { numRuns: 1200 },
      );
      // 1200 requests.
    },
    MANY_REQUESTS_MS,
  );

  it("HEAD gets a 405 with Allow: POST", async () => {
    const res = await exports.default.fetch(`https://presence.test/callback?SdkAppid=${TEST_APP}`, { method: "HEAD" });
    expect(res.status).toBe(405);
    expectAllow(res);
  });
});

function expectAllow(res: Response): void {
  expect(res.headers.get("allow")).toBe("POST");
}
