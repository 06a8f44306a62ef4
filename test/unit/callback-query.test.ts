import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseInsensitiveQuery, readCallbackQuery } from "../../src/tencent/query";

// What the hand-written reader must agree with: URLSearchParams, first occurrence per lower-cased name.
function reference(url: URL): Map<string, string> {
  const byLowerName = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    if (!byLowerName.has(key)) byLowerName.set(key, value);
  }
  return byLowerName;
}

// Queries built from the characters that matter to the parser, percent escapes (valid,
// truncated, non-UTF-8) and non-ASCII text, which the URL parser percent-encodes.
const piece = fc.oneof(
  fc.constantFrom(
    "&",
    "=",
    "+",
    "?",
    "%",
    "%2",
    "%20",
    "%26",
    "%3D",
    "%2B",
    "%FF",
    "%C3%A9",
    "%e9",
    "é",
    "用户",
    " ",
    "#",
  ),
  fc.constantFrom(
    "SdkAppid",
    "sdkappid",
    "SDKAppID",
    "Sign",
    "RequestTime",
    "ClientIP",
    "OptPlatform",
    "CallbackCommand",
  ),
  fc.stringMatching(/^[A-Za-z0-9._-]{0,6}$/),
);
const query = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(""));

describe("callback query reader", () => {
  it("reads every name as URLSearchParams does, first occurrence and any case", () => {
    fc.assert(
      fc.property(query, (q) => {
        const url = new URL(`https://example.com/callback?${q}`);
        const get = caseInsensitiveQuery(url);
        const expected = reference(url);
        for (const [name, value] of expected) {
          expect(get(name)).toBe(value);
          expect(get(name.toUpperCase())).toBe(value);
        }
        // A name that is not there is null, never "".
        expect(get("not-in-the-query-" + expected.size)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it("takes the first of repeated names in any spelling, and decodes only what is encoded", () => {
    const url = new URL("https://example.com/callback?SdkAppid=1400000001&sdkappid=2&ClientIP=1.2.3.4%3A5&Sign=a+b&x");
    const q = readCallbackQuery(url);
    expect(q.sdkAppId).toBe("1400000001");
    expect(q.clientIp).toBe("1.2.3.4:5");
    expect(q.sign).toBe("a b");
    expect(q.requestTime).toBeNull();
    expect(caseInsensitiveQuery(url)("X")).toBe("");
  });
});
