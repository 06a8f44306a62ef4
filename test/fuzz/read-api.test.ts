// Fuzz of the read API: paths, methods, account ids around the 128-byte limit and in bad
// URL encodings, history paging parameters, batch bodies and Authorization headers.
// Each request knows the status it must get; errors are always {"error","message"} and a
// read never leaves storage behind.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_APP, ROTATED_API_TOKEN, TEST_API_TOKEN, TEST_APP, TEST_CALLBACK_TOKEN } from "../support/bindings";
import { expectStorageOnlyFor } from "../support/storage";
import { silenceLogs } from "../support/logs";
import { MANY_REQUESTS_MS } from "../support/timeouts";

const TOKENS = [TEST_API_TOKEN, ROTATED_API_TOKEN];
const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;
const validId = (s: string) => s.length > 0 && s.isWellFormed() && utf8(s) <= 128;

const headerText = fc.string({
  unit: fc.constantFrom(..."\t !\"#%&'()*+,-./0123456789:;<=>?@ABbeRr[]^_`{|}~tokenapi"),
  maxLength: 60,
});
const authorization = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.constantFrom(
      `Bearer ${TEST_API_TOKEN}`,
      `Bearer ${ROTATED_API_TOKEN}`,
      `bearer ${TEST_API_TOKEN}`,
      `BEARER\t${ROTATED_API_TOKEN}  `,
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      null,
      "",
      "Bearer",
      "Bearer ",
      `Basic ${btoa(`x:${TEST_API_TOKEN}`)}`,
      `Bearer ${TEST_API_TOKEN}x`,
      `Bearer ${TEST_API_TOKEN.slice(1)}`,
      `Bearer ${TEST_API_TOKEN.toUpperCase()}`,
      `Bearer ${TEST_API_TOKEN} ${TEST_API_TOKEN}`,
      `Bearer ${TEST_API_TOKEN},${ROTATED_API_TOKEN}`,
      `Token ${TEST_API_TOKEN}`,
      `Bearer ${TEST_CALLBACK_TOKEN}`,
      `${TEST_API_TOKEN}`,
    ),
  },
  { weight: 1, arbitrary: headerText },
);

function authorised(header: string | null): boolean {
  // Headers drop leading and trailing whitespace from a value.
  const m = /^Bearer\s+(\S+)\s*$/i.exec((header ?? "").trim());
  return m !== null && TOKENS.includes(m[1]!);
}

interface Segment {
  readonly raw: string;
  /** The account the segment decodes to, or null when it is not valid URL encoding. */
  readonly decoded: string | null;
}

const idChar = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.constantFrom("\u0000", "/", "%", "?", "#", " ", "+", "😀", "€", "é", ":", ";"),
);
const accountSegment: fc.Arbitrary<Segment> = fc
  .oneof(
    { weight: 4, arbitrary: fc.string({ unit: idChar, minLength: 1, maxLength: 40 }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom("a", "é", "€", "😀"), fc.constantFrom(127, 128, 129, 130, 400))
        .map(([c, bytes]) => {
          let s = "";
          while (utf8(s + c) <= bytes) s += c;
          return s + "a".repeat(bytes - utf8(s));
        }),
    },
  )
  // "." and ".." are path syntax: the URL parser removes them before any route sees them.
  .filter((s) => s !== "." && s !== "..")
  .map((s) => ({ raw: encodeURIComponent(s), decoded: s }))
  .chain((seg) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(seg) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom("%", "%zz", "%E0%A4", "%ED%A0%80", "%C0%AF", "%FF", "%F0%9F%98")
          .map((bad) => ({ raw: seg.raw + bad, decoded: null })),
      },
    ),
  );

const numberParam = fc.option(
  fc.oneof(
    fc.integer({ min: -5, max: 1_200 }).map(String),
    fc.constantFrom("", " 5 ", "1e3", "0x10", "1.5", "NaN", "Infinity", "-0", "9007199254740993", "abc", "5;6"),
    fc.string({ maxLength: 6 }),
  ),
);

// `limit` and `before` are plain decimal digits: no sign, space, exponent or hex.
const wholeIn = (v: string, max: number) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= max;
const limitOk = (v: string | null) => v === null || wholeIn(v, 1000);
const beforeOk = (v: string | null) => v === null || wholeIn(v, Number.MAX_SAFE_INTEGER);

const poolAccount = fc.nat({ max: 300 }).map((n) => `pool-${n}`);
const batchBody: fc.Arbitrary<{ text: string; status: number; accounts: string[] | null }> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(fc.oneof(poolAccount, fc.string({ unit: idChar, minLength: 1, maxLength: 10 })), {
        minLength: 1,
        maxLength: 30,
      })
      .chain((accounts) =>
        // Duplicates are answered once per occurrence, in request order.
        fc.constant(accounts.concat(accounts.slice(0, 3))),
      )
      .map((accounts) => ({ text: JSON.stringify({ accounts }), status: 200, accounts })),
  },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constant({ accounts: [] }),
        fc.constant({ accounts: "alice" }),
        fc.constant({ account: ["alice"] }),
        fc.constant({ accounts: ["alice", 7] }),
        fc.constant({ accounts: ["alice", null] }),
        fc.constant({ accounts: [["alice"]] }),
        fc.constant({ accounts: [""] }),
        fc.constant({ accounts: ["a".repeat(129)] }),
        fc.constant({ accounts: ["ok", "\ud800"] }),
        fc.constant({ accounts: Array.from({ length: 501 }, (_, i) => `pool-${i % 300}`) }),
        fc.constant(null),
        fc.constant([]),
        fc.jsonValue().filter((v) => !(typeof v === "object" && v !== null && "accounts" in v)),
      )
      .map((v) => ({ text: JSON.stringify(v), status: 400, accounts: null })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("", "{", '{"accounts":["a"]', "accounts=a", "\u0000", '{"accounts":["a"]}x')
      .map((text) => ({ text, status: 400, accounts: null })),
  },
);

const appSegment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(TEST_APP, OTHER_APP) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom("1400000009", "0", `${TEST_APP}0`, `%31400000001`, `${TEST_APP}%00`, "%zz"),
      fc.string({ unit: idChar, minLength: 1, maxLength: 10 }).map(encodeURIComponent),
    ),
  },
);

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;
const apiCase = fc.record({
  auth: authorization,
  app: appSegment,
  route: fc.constantFrom("user", "user", "events", "events", "query", "query", "unknown"),
  method: fc.oneof(
    { weight: 4, arbitrary: fc.constant("natural") },
    { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
  ),
  account: accountSegment,
  limit: numberParam,
  before: numberParam,
  batch: batchBody,
  trailingSlash: fc.boolean(),
});
type ApiCase = typeof apiCase extends fc.Arbitrary<infer T> ? T : never;

const NATURAL = { user: "GET", events: "GET", query: "POST", unknown: "GET" } as const;
const ALLOWED: Record<string, string[]> = { user: ["GET", "HEAD", "DELETE"], events: ["GET", "HEAD"], query: ["POST"] };

function request(c: ApiCase): { path: string; method: string; body: string | null } {
  const method = c.method === "natural" ? NATURAL[c.route as keyof typeof NATURAL] : c.method;
  const base = `/v1/apps/${c.app}`;
  let path: string;
  if (c.route === "user") path = `${base}/users/${c.account.raw}`;
  else if (c.route === "events") {
    const q = new URLSearchParams();
    if (c.limit !== null) q.set("limit", c.limit);
    if (c.before !== null) q.set("before", c.before);
    path = `${base}/users/${c.account.raw}/events${c.trailingSlash ? "/" : ""}?${q}`;
  } else if (c.route === "query") path = `${base}/presence/query`;
  else path = `${base}/users/${c.account.raw}/nope`;
  if (c.trailingSlash && c.route !== "events") path += "/";
  const body = method === "GET" || method === "HEAD" ? null : c.route === "query" ? c.batch.text : null;
  return { path, method, body };
}

function expectedStatus(c: ApiCase, method: string): number {
  if (!authorised(c.auth)) return 401;
  if (c.app !== TEST_APP && c.app !== OTHER_APP) return 404;
  if (c.route === "unknown") return 404;
  if (!ALLOWED[c.route]!.includes(method)) return 405;
  if (c.route === "query") return c.batch.status;
  if (c.account.decoded === null || !validId(c.account.decoded)) return 400;
  if (c.route === "events" && !(limitOk(c.limit) && beforeOk(c.before))) return 400;
  return method === "DELETE" ? 204 : 200;
}

async function expectApiError(res: Response, status: number): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["error", "message"]);
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
  for (const token of [...TOKENS, TEST_CALLBACK_TOKEN]) expect(text).not.toContain(token);
  if (status === 401) expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
  if (status === 405) expect(res.headers.get("allow")).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
}

describe("fuzz: read API", () => {
  beforeAll(silenceLogs);
  afterAll(async () => {
    // Only reads and erasures ran in this file: no Durable Object may hold any table.
    await expectStorageOnlyFor(new Set());
    // Reads the tables of every Durable Object this file touched: hundreds of them.
  }, MANY_REQUESTS_MS);

  it(
    "every request gets the status its auth, path, method and body call for",
    async () => {
      let served = 0;
      await fc.assert(
        fc.asyncProperty(apiCase, async (c) => {
          const { path, method, body } = request(c);
          const headers = new Headers();
          if (c.auth !== null) headers.set("authorization", c.auth);
          if (body !== null) headers.set("content-type", "application/json");
          const res = await exports.default.fetch(`https://presence.test${path}`, { method, headers, body });
          const status = expectedStatus(c, method);
          if (method === "HEAD") {
            // The GET's status and headers without a body.
            expect(res.status).toBe(status);
            expect(await res.text()).toBe("");
            if (status === 405) expect(res.headers.get("allow")).toBe(ALLOWED[c.route]!.join(", "));
            return;
          }
          if (status >= 400) {
            await expectApiError(res, status);
            return;
          }
          served += 1;
          expect(res.status, await res.clone().text()).toBe(status);
          if (status === 204) {
            expect(await res.text()).toBe("");
            return;
          }
          const json = (await res.json()) as Record<string, any>;
          if (c.route === "user")
            expect(json).toMatchObject({ account: c.account.decoded, status: "unknown", version: 0 });
          if (c.route === "events") expect(json).toEqual({ events: [] });
          if (c.route === "query") {
            expect(json.results.map((r: { account: string }) => r.account)).toEqual(c.batch.accounts);
            for (const r of json.results) expect(r).toMatchObject({ app: c.app, status: "unknown" });
          }
        }),
        { numRuns: 1000 },
      );
      expect(served, "the generator must also produce requests that are served").toBeGreaterThan(150);
      // 1000 requests, batches of up to 33 accounts among them.
    },
    MANY_REQUESTS_MS,
  );

  it("a batch of exactly 500 accounts, duplicates included, is answered in request order; 501 is a 400", async () => {
    // 500 listed, 25 distinct: the limit counts accounts as listed, and 25 object calls prove the
    // order and the duplicates as well as 250 did, in a tenth of the time.
    const accounts = Array.from({ length: 500 }, (_, i) => `pool-${i % 25}`);
    const ok = await exports.default.fetch(`https://presence.test/v1/apps/${TEST_APP}/presence/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      body: JSON.stringify({ accounts }),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).results.map((r: any) => r.account)).toEqual(accounts);
    const over = await exports.default.fetch(`https://presence.test/v1/apps/${TEST_APP}/presence/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      body: JSON.stringify({ accounts: [...accounts, "one-more"] }),
    });
    await expectApiError(over, 400);
  });

  it("a batch body over 256 KiB is a 413, whatever its Content-Length says", async () => {
    const body = JSON.stringify({ accounts: ["a"], pad: "x".repeat(256 * 1024) });
    const res = await exports.default.fetch(`https://presence.test/v1/apps/${TEST_APP}/presence/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      body: new Blob([body]).stream(),
    });
    await expectApiError(res, 413);
  });

  it("an unauthenticated caller learns nothing about which apps exist", async () => {
    for (const app of [TEST_APP, "1400000009"]) {
      const res = await exports.default.fetch(`https://presence.test/v1/apps/${app}/users/alice`);
      expect(await res.clone().text()).not.toContain(app);
      await expectApiError(res, 401);
    }
  });
});
