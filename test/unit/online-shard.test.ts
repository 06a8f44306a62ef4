// The shard of an account is stored in effect (a user's row lives where shardOf puts it), so its
// values are pinned here: a change of hash must fail this test, not silently move users.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fnv1a32,
  MAX_SHARDS,
  parseShardName,
  parseTotalsName,
  shardName,
  shardOf,
  totalsName,
} from "../../src/online/shard";
import type { AppId } from "../../src/presence/types";

describe("shardOf", () => {
  it("is FNV-1a 32-bit over UTF-8: the published test vectors", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it.each([
    ["alice", 0x872213e7, 7, 231],
    ["bob", 0x86c6a0d4, 4, 212],
    ["user_000001", 0x4f1fadcc, 12, 204],
    ["用户甲", 0x45540a48, 8, 72],
    ["😀", 0x33a29608, 8, 8],
    ["x".repeat(128), 0x2f5e97c5, 5, 197],
  ])("pins %s: hash %i, shard %i of 16 and %i of 256", (account, hash, of16, of256) => {
    expect(fnv1a32(account)).toBe(hash);
    expect(shardOf(account, 16)).toBe(of16);
    expect(shardOf(account, 256)).toBe(of256);
    expect(shardOf(account, 1)).toBe(0);
  });

  it("hashes a string longer than any account the same way (past the scratch buffer)", () => {
    const long = "é".repeat(400);
    const bytes = new TextEncoder().encode(long);
    let hash = 0x811c9dc5;
    for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
    expect(fnv1a32(long)).toBe(hash);
  });

  it("refuses a shard count outside 1–256", () => {
    for (const n of [0, -1, 1.5, 257, Number.NaN]) expect(() => shardOf("a", n)).toThrow(/1 to 256/);
  });

  it("is always a whole number in range", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 64 }), fc.integer({ min: 1, max: MAX_SHARDS }), (a, n) => {
        const s = shardOf(a, n);
        expect(Number.isInteger(s) && s >= 0 && s < n).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("spreads random ids roughly evenly over 16 shards", () => {
    // 4 800 ids: 300 expected per shard, σ ≈ 17; the bounds are 9 σ away, so a fair hash never
    // fails them by chance, while a hash that ignored most of the input would.
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 32 }), { minLength: 4800, maxLength: 4800 }),
        (ids) => {
          const perShard = new Array<number>(16).fill(0);
          for (const id of ids) perShard[shardOf(id, 16)]! += 1;
          expect(Math.min(...perShard)).toBeGreaterThanOrEqual(150);
          expect(Math.max(...perShard)).toBeLessThanOrEqual(450);
        },
      ),
      { numRuns: 10 },
    );
  });
});

describe("object names", () => {
  it("carry the app and the shard count", () => {
    const app = "1400000000" as AppId;
    expect(shardName(app, 16, 3)).toBe("1400000000:16:3");
    expect(totalsName(app, 16)).toBe("1400000000:16");
  });

  it("read back: a shard's and the totals object's place, from their names only", () => {
    const app = "1400000000" as AppId;
    for (const [n, i] of [
      [1, 0],
      [16, 3],
      [256, 255],
    ] as const) {
      expect(parseShardName(shardName(app, n, i))).toEqual({ app, shards: n, index: i });
      expect(parseTotalsName(totalsName(app, n))).toEqual({ app, shards: n });
    }
    for (const name of [undefined, "", "1400000000:16", "1400000000:16:16", "1400000000:0:0", "x:16:1", "1:300:1"]) {
      expect(parseShardName(name), String(name)).toBeNull();
    }
    for (const name of [undefined, "1400000000:16:3", "1400000000:0", "1400000000:257"]) {
      expect(parseTotalsName(name), String(name)).toBeNull();
    }
  });
});
