// The list cursor: what we hand out comes back as the same position; anything else is refused
// with a message saying what to do, and no input makes decoding throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, MAX_CURSOR_CHARS, STATUS_FILTERS, type Listing } from "../../src/online/cursor";
import { validAccount } from "../../src/presence/account";
import { PLATFORMS, type AccountId, type AppId } from "../../src/presence/types";

const listing: Listing = { app: "1400000000" as AppId, shards: 16, status: "online", platform: null };
const b64url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const raw = (fields: Record<string, unknown>) =>
  b64url(
    JSON.stringify({
      v: 1,
      app: "1400000000",
      n: 16,
      status: "online",
      platform: null,
      shard: 0,
      after: null,
      ...fields,
    }),
  );

// The JSON of a valid cursor whose account holds a byte that is not UTF-8.
const utf8Broken = btoa(
  '{"v":1,"app":"1400000000","n":16,"status":"online","platform":null,"shard":0,"after":"a\xffb"}',
)
  .replace(/\+/g, "-")
  .replace(/\//g, "_")
  .replace(/=+$/, "");
const account = fc
  .string({ unit: "binary", minLength: 1, maxLength: 40 })
  .filter(validAccount) as fc.Arbitrary<AccountId>;
const listingArb: fc.Arbitrary<Listing> = fc.record({
  app: fc.stringMatching(/^\d{1,20}$/).map((a) => a as AppId),
  shards: fc.integer({ min: 1, max: 256 }),
  status: fc.constantFrom(...STATUS_FILTERS),
  platform: fc.constantFrom(null, ...PLATFORMS),
});

describe("list cursor", () => {
  it("round trip: a cursor we made decodes to its position, and is URL-safe text", () => {
    fc.assert(
      fc.property(
        listingArb.chain((l) =>
          fc.tuple(fc.constant(l), fc.integer({ min: 0, max: l.shards - 1 }), fc.option(account, { nil: null })),
        ),
        ([l, shard, after]) => {
          const text = encodeCursor(l, { shard, after });
          expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(text.length).toBeLessThanOrEqual(MAX_CURSOR_CHARS);
          expect(decodeCursor(text, l)).toEqual({ ok: true, position: { shard, after } });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("the longest account, all control characters (JSON-escaped), still fits", () => {
    const after = "\u0001".repeat(128) as AccountId;
    const l = {
      ...listing,
      app: "9".repeat(20) as AppId,
      shards: 256,
      status: "disconnected",
      platform: "RESTAPI",
    } as const;
    const text = encodeCursor(l, { shard: 255, after });
    expect(decodeCursor(text, l)).toEqual({ ok: true, position: { shard: 255, after } });
  });

  it.each([
    ["empty", ""],
    ["too long", "A".repeat(MAX_CURSOR_CHARS + 4)],
    ["not base64url (+ / =)", "ab+/cd=="],
    ["spaces", "eyJ2 IjoxfQ"],
    ["an impossible base64 length", "abcde"],
    ["not JSON", b64url("hello")],
    ["JSON but not an object", b64url("[1,2]")],
    ["invalid UTF-8 (in a string, where a lenient decoder would make it U+FFFD)", utf8Broken],
    ["another version", raw({ v: 2 })],
    [
      "a missing field",
      b64url(JSON.stringify({ v: 1, app: "1400000000", n: 16, status: "online", shard: 0, after: null })),
    ],
    ["an unknown field", raw({ extra: 1 })],
    ["a shard past the count", raw({ shard: 16 })],
    ["a negative shard", raw({ shard: -1 })],
    ["a fractional shard", raw({ shard: 1.5 })],
    ["a shard count out of range", raw({ n: 0 })],
    ["an unknown status", raw({ status: "offline" })],
    ["an unknown platform", raw({ platform: "Symbian" })],
    ["an empty account", raw({ after: "" })],
    ["an account over 128 bytes", raw({ after: "é".repeat(65) })],
    ["an account that is a number", raw({ after: 7 })],
  ])("refuses %s as malformed, saying to start again without cursor", (_what, text) => {
    const check = decodeCursor(text, listing);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.reason).toBe("malformed");
    expect(check.message).toContain("start again without cursor");
  });

  it("property: no string makes decoding throw", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        expect(typeof decodeCursor(text, listing).ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(typeof decodeCursor(b64url(JSON.stringify(value) ?? "null"), listing).ok).toBe("boolean");
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ["another app", { app: "1400000001" as AppId }, "another app"],
    ["another shard count", { shards: 32 }, "ONLINE_INDEX_SHARDS has changed"],
    ["another status filter", { status: "any" as const }, "status=online"],
    ["another platform filter", { platform: "iOS" as const }, "no platform filter"],
  ])("refuses a cursor of %s as foreign, naming what differs", (_what, change, named) => {
    const text = encodeCursor(listing, { shard: 3, after: "alice" as AccountId });
    const check = decodeCursor(text, { ...listing, ...change });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.reason).toBe("foreign");
    expect(check.message).toContain(named);
    expect(check.message).toContain("start again without cursor");
  });
});
