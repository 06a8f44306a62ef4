// Fuzz of POST /callback bodies behind a valid signature: well-formed callbacks in every
// spelling Tencent allows, each kind of schema violation, random JSON, deep nesting,
// unicode and NUL in ids, and sizes around the 64 KiB limit. Every accepted callback
// must be readable afterwards; nothing from a rejected one may be stored.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_APP } from "../support/bindings";
import { apiFetch, userPath } from "../support/api";
import { expectTencentReply, postCallback } from "../support/callback";
import { expectStorageOnlyFor, idOf } from "../support/storage";
import { silenceLogs } from "../support/logs";
import { MANY_REQUESTS_MS } from "../support/timeouts";
import { MAX_CALLBACK_BYTES } from "../../src/ingest/callback-route";

const MAX_BODY = MAX_CALLBACK_BYTES;
const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;

let counter = 0;
const accepted = new Set<string>();
const unique = () => `#${++counter}`;

/** Any character, NUL, URL and path syntax included; well-formed UTF-16. */
const idChar = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.constantFrom("\u0000", "/", "%", ".", " ", "?", "#", "+", "\\", "\u200b", "\ufeff", "😀", "é", ":"),
);
const accountStem = fc.oneof(
  fc.string({ unit: idChar, minLength: 0, maxLength: 24 }),
  // Exactly at the 128-byte limit once the unique suffix is added: ASCII or 3-byte characters.
  fc.constantFrom("ascii-128", "euro-128"),
);

function account(stem: string): string {
  const suffix = unique();
  if (stem === "ascii-128") return "a".repeat(128 - utf8(suffix)) + suffix;
  if (stem === "euro-128") {
    const room = 128 - utf8(suffix);
    return "€".repeat(Math.floor(room / 3)) + "a".repeat(room % 3) + suffix;
  }
  return stem + suffix;
}

const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((up) => [...word].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(""));

const REASONS: Record<string, string[]> = {
  Login: ["Register"],
  Logout: ["Unregister"],
  Disconnect: ["LinkClose", "TimeOut", "Timeout"],
  CustomStatusChange: ["SetCustomStatus"],
};

const validCallback = fc
  .record({
    stem: accountStem,
    action: fc
      .constantFrom("Login", "Logout", "Disconnect", "CustomStatusChange")
      .chain((a) => fc.tuple(fc.constant(a), anyCase(a))),
    reason: fc.oneof(fc.constant("known"), fc.constant("absent"), fc.string({ maxLength: 64 })),
    reasonCasing: fc.boolean(),
    age: fc.option(fc.oneof(fc.integer({ min: -4 * 60_000, max: 3_600_000 }), fc.constant(Number.NaN))),
    customStatus: fc.option(fc.tuple(fc.constantFrom("Info", "top"), fc.string({ unit: idChar, maxLength: 40 }))),
    kicked: fc.option(
      fc.array(
        fc.oneof(fc.constantFrom("iOS", "IOS", "Android", "Mac", "macOS", "Linux"), fc.string({ maxLength: 32 })),
        {
          maxLength: 16,
        },
      ),
    ),
    extra: fc.dictionary(
      fc.string({ maxLength: 10 }).filter((k) => !["Info", "EventTime", "CustomStatus", "KickedDevice"].includes(k)),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 3 },
    ),
    infoExtra: fc.dictionary(
      fc.string({ maxLength: 10 }).filter((k) => !["Action", "To_Account", "Reason", "CustomStatus"].includes(k)),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 2 },
    ),
  })
  .map((v) => {
    const [action, spelled] = v.action;
    const info: Record<string, unknown> = { ...v.infoExtra, Action: spelled, To_Account: account(v.stem) };
    if (v.reason === "known") {
      const r = REASONS[action]![0]!;
      info.Reason = v.reasonCasing ? r.toUpperCase() : r;
    } else if (v.reason !== "absent") info.Reason = v.reason;
    const body: Record<string, unknown> = { ...v.extra, CallbackCommand: "State.StateChange", Info: info };
    // NaN stands for "EventTime absent" (old payloads): the receive time is used.
    if (v.age !== null && !Number.isNaN(v.age)) body.EventTime = Math.max(0, Date.now() - v.age);
    if (v.customStatus !== null) {
      if (v.customStatus[0] === "Info") info.CustomStatus = v.customStatus[1];
      else body.CustomStatus = v.customStatus[1];
    }
    if (v.kicked !== null) body.KickedDevice = v.kicked.map((Platform) => ({ Platform }));
    return body;
  });

// The rules of SPEC §2 for a body, written out independently of the Worker's schema: the
// oracle of the random-JSON test, which must know which status each body calls for.
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const absentOr = (o: Record<string, unknown>, key: string, ok: (v: unknown) => boolean) => !(key in o) || ok(o[key]);
const textUpTo = (max: number) => (v: unknown) => typeof v === "string" && v.length <= max;
const ACTION_NAMES = ["login", "logout", "disconnect", "customstatuschange"];

function acceptable(body: unknown, now: number): boolean {
  if (!isObject(body)) return false;
  const info = body.Info;
  return (
    absentOr(body, "CallbackCommand", (c) => typeof c === "string" && c.toLowerCase() === "state.statechange") &&
    absentOr(body, "EventTime", (t) => Number.isSafeInteger(t) && (t as number) >= 1e12 && (t as number) <= now) &&
    absentOr(body, "CustomStatus", textUpTo(256)) &&
    absentOr(
      body,
      "KickedDevice",
      (k) => Array.isArray(k) && k.length <= 16 && k.every((d) => isObject(d) && textUpTo(32)(d.Platform)),
    ) &&
    isObject(info) &&
    typeof info.Action === "string" &&
    ACTION_NAMES.includes(info.Action.toLowerCase()) &&
    typeof info.To_Account === "string" &&
    info.To_Account.length > 0 &&
    info.To_Account.isWellFormed() &&
    utf8(info.To_Account) <= 128 &&
    absentOr(info, "Reason", textUpTo(64)) &&
    absentOr(info, "CustomStatus", textUpTo(256))
  );
}

const base = () => ({
  CallbackCommand: "State.StateChange",
  EventTime: Date.now() - 1000,
  Info: { Action: "Login", To_Account: `bad${unique()}`, Reason: "Register" },
});
type Mutation = (b: ReturnType<typeof base>) => unknown;
const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

/** Each mutation breaks exactly one rule of SPEC §2 and must give a 400. */
const MUTATIONS: Record<string, fc.Arbitrary<Mutation>> = {
  "account empty": fc.constant((b) => ({ ...b, Info: { ...b.Info, To_Account: "" } })),
  "account 129 bytes": fc.constantFrom("a", "é", "€", "😀").map((c) => (b: ReturnType<typeof base>) => {
    let id = b.Info.To_Account;
    while (utf8(id) <= 128) id = c + id;
    return { ...b, Info: { ...b.Info, To_Account: id } };
  }),
  "account not a string": fc
    .oneof(fc.integer(), fc.constant(null), fc.array(fc.string()), fc.object(), fc.boolean())
    .map((v) => (b: ReturnType<typeof base>) => ({ ...b, Info: { ...b.Info, To_Account: v } })),
  "account missing": fc.constant((b) => ({ ...b, Info: { Action: "Login", Reason: "Register" } })),
  "account with a lone surrogate": fc
    .integer({ min: 0xd800, max: 0xdfff })
    .map((u) => (b: ReturnType<typeof base>) => ({
      ...b,
      Info: { ...b.Info, To_Account: b.Info.To_Account + String.fromCharCode(u) },
    })),
  "action unknown": fc
    .string({ maxLength: 20 })
    .filter((a) => !["login", "logout", "disconnect", "customstatuschange"].includes(a.toLowerCase()))
    .map((a) => (b: ReturnType<typeof base>) => ({ ...b, Info: { ...b.Info, Action: a } })),
  "action not a string": fc
    .oneof(fc.integer(), fc.constant(null), fc.constant(["Login"]))
    .map((a) => (b: ReturnType<typeof base>) => ({ ...b, Info: { ...b.Info, Action: a } })),
  "EventTime invalid": fc
    .oneof(
      fc.integer({ max: -1 }),
      fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }),
      fc.constantFrom(2 ** 53, 1e308, -0.5, 1.5),
      fc.string(),
      fc.constant(null),
      fc.constant([1]),
    )
    .map((t) => (b: ReturnType<typeof base>) => ({ ...b, EventTime: t })),
  "EventTime in the future": fc
    .integer({ min: 5 * 60_000 + 5_000, max: 100 * 365 * 86_400_000 })
    .map((ahead) => (b: ReturnType<typeof base>) => ({ ...b, EventTime: Date.now() + ahead })),
  "Reason too long or not a string": fc
    .oneof(fc.string({ minLength: 65, maxLength: 200 }), fc.integer(), fc.object())
    .map((r) => (b: ReturnType<typeof base>) => ({ ...b, Info: { ...b.Info, Reason: r } })),
  "CustomStatus too long or not a string": fc
    .tuple(fc.oneof(fc.string({ minLength: 257, maxLength: 400 }), fc.integer(), fc.constant(null)), fc.boolean())
    .map(
      ([s, inInfo]) =>
        (b: ReturnType<typeof base>) =>
          inInfo ? { ...b, Info: { ...b.Info, CustomStatus: s } } : { ...b, CustomStatus: s },
    ),
  "KickedDevice invalid": fc
    .oneof(
      fc.constant({ Platform: "Windows" }),
      fc.constant("Windows"),
      fc.constant(Array.from({ length: 17 }, () => ({ Platform: "Web" }))),
      fc.constant([{ platform: "Web" }]),
      fc.constant([{ Platform: 3 }]),
      fc.constant(["Web"]),
      fc.string({ minLength: 33, maxLength: 80 }).map((p) => [{ Platform: p }]),
    )
    .map((k) => (b: ReturnType<typeof base>) => ({ ...b, KickedDevice: k })),
  "Info not an object": fc
    .oneof(fc.constant(null), fc.string(), fc.integer(), fc.constant([]), fc.constant(undefined))
    .map((i) => (b: ReturnType<typeof base>) => ({ ...b, Info: i })),
  "body not an object": fc
    .oneof(fc.constant(null), fc.string(), fc.double(), fc.array(fc.integer()))
    .map((v) => () => v),
  "deeply nested Info": fc
    .integer({ min: 10, max: 20_000 })
    .map((d) => (b: ReturnType<typeof base>) => `{"EventTime":${b.EventTime},"Info":${deep(d)}}`),
  "deeply nested account": fc
    .integer({ min: 10, max: 20_000 })
    .map((d) => () => `{"Info":{"Action":"Login","To_Account":${deep(d)}}}`),
  "malformed JSON": fc
    .oneof(
      fc.nat().map((n) => (s: string) => s.slice(0, n % s.length)),
      fc.constant((s: string) => `${s}}`),
      fc.constant((s: string) => `${s},`),
      fc.constant((s: string) => s.replace(/"/g, "'")),
      fc.constant(() => ""),
      fc.constant(() => "\u0000"),
      fc.constant((s: string) => `\ufeff\ufeff${s}`),
      fc.integer({ min: 100, max: 30_000 }).map((d) => () => "{".repeat(d)),
    )
    .map((breakIt) => (b: ReturnType<typeof base>) => breakIt(JSON.stringify(b))),
};

async function send(body: unknown): Promise<Response> {
  return postCallback(typeof body === "string" ? body : JSON.stringify(body));
}

describe("fuzz: POST /callback bodies", () => {
  beforeAll(silenceLogs);
  afterAll(async () => {
    expect(accepted.size).toBeGreaterThan(300);
    await expectStorageOnlyFor(accepted);
    // Reads the tables of every Durable Object this file touched: hundreds of them.
  }, MANY_REQUESTS_MS);

  it(
    "a well-formed callback in any of Tencent's spellings is stored and readable",
    async () => {
      await fc.assert(
        fc.asyncProperty(validCallback, async (body) => {
          const res = await send(body);
          await expectTencentReply(res, 200);
          const id = (body.Info as { To_Account: string }).To_Account;
          accepted.add(idOf(TEST_APP, id));
          const read = await apiFetch(userPath(id));
          expect(read.status).toBe(200);
          const snap = (await read.json()) as { account: string; version: number; platforms: object };
          expect(snap.account).toBe(id);
          expect(snap.version).toBe(1);
        }),
        { numRuns: 300 },
      );
      // 300 callbacks and 300 reads.
    },
    MANY_REQUESTS_MS,
  );

  for (const [name, mutation] of Object.entries(MUTATIONS)) {
    it(
      `${name}: 400 naming the field, nothing stored`,
      async () => {
        await fc.assert(
          fc.asyncProperty(mutation, async (mutate) => {
            const res = await send(mutate(base()));
            const reply = await expectTencentReply(res, 400);
            expect(reply.ErrorInfo).toMatch(/^(body|Info|EventTime|CustomStatus|KickedDevice)\b/);
          }),
          { numRuns: 60 },
        );
      },
      MANY_REQUESTS_MS,
    ); // 60 callbacks a mutation
  }

  it(
    "random JSON gets the 200 or the 400 that SPEC §2's rules call for",
    async () => {
      const randomInfo = fc.record(
        {
          Action: fc.oneof(fc.constantFrom("Login", "logout", "Disconnect", "CustomStatusChange"), fc.jsonValue()),
          To_Account: fc.oneof(fc.string({ unit: idChar, maxLength: 40 }), fc.jsonValue()),
          Reason: fc.jsonValue(),
          CustomStatus: fc.jsonValue(),
        },
        { requiredKeys: [] },
      );
      const randomBody = fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            CallbackCommand: fc.jsonValue(),
            EventTime: fc.oneof(
              fc.jsonValue(),
              fc.integer({ min: 0, max: Date.now() }),
              fc.integer({ min: 1e12, max: Date.now() }),
            ),
            Info: fc.oneof(randomInfo, fc.jsonValue()),
            CustomStatus: fc.jsonValue(),
            KickedDevice: fc.oneof(fc.jsonValue(), fc.array(fc.record({ Platform: fc.jsonValue() }))),
          },
          { requiredKeys: [] },
        ),
      );
      await fc.assert(
        fc.asyncProperty(randomBody, async (body) => {
          // Random accounts get a unique suffix so that each case has its own storage.
          const info = (body as { Info?: { To_Account?: unknown } } | null)?.Info;
          if (info !== null && typeof info === "object" && typeof info.To_Account === "string") {
            info.To_Account += unique();
          }
          const expected = acceptable(body, Date.now()) ? 200 : 400;
          const res = await send(body);
          await expectTencentReply(res, expected);
          if (expected === 200) accepted.add(idOf(TEST_APP, info!.To_Account as string));
        }),
        { numRuns: 800 },
      );
      // 800 callbacks.
    },
    MANY_REQUESTS_MS,
  );

  it("a body of exactly 64 KiB, or 1 byte less, is read; 1 byte more is a 413", async () => {
    for (const [size, status] of [
      [MAX_BODY - 1, 200],
      [MAX_BODY, 200],
      [MAX_BODY + 1, 413],
      [MAX_BODY * 16, 413],
    ] as const) {
      const id = `size${unique()}`;
      const body = { ...base(), Info: { Action: "Login", To_Account: id }, pad: "" };
      body.pad = "x".repeat(size - utf8(JSON.stringify(body)));
      const text = JSON.stringify(body);
      expect(utf8(text)).toBe(size);
      await expectTencentReply(await send(text), status);
      if (status === 200) accepted.add(idOf(TEST_APP, id));
    }
  });

  it("a multi-byte body over 64 KiB is a 413 even though it has fewer characters", async () => {
    const body = { ...base(), pad: "€".repeat(22_000) }; // 66 000 bytes, 22 000 characters
    await expectTencentReply(await send(body), 413);
  });

  it("a deeply nested unknown field is ignored, not parsed into a crash", async () => {
    const id = `deep${unique()}`;
    const text = `{"EventTime":${Date.now() - 1},"Info":{"Action":"Login","To_Account":"${id}"},"x":${deep(30_000)}}`;
    await expectTencentReply(await send(text), 200);
    accepted.add(idOf(TEST_APP, id));
  });
});
