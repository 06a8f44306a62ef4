// The bench's two-hop reference (bench/reference/two-hop.js) sends each account to the shard
// presence-edge would: bench/reference/shard-of.js is a copy of src/online/shard.ts's hash and
// shard names (workerd runs the reference as plain JavaScript), held equal here.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as copy from "../../bench/reference/shard-of.js";
import { fnv1a32, shardName, shardOf } from "../../src/online/shard.ts";
import type { AppId } from "../../src/presence/types.ts";

describe("bench/reference/shard-of.js", () => {
  it("hashes every account as src/online/shard.ts does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 128 }), fc.integer({ min: 1, max: 256 }), (account, n) => {
        expect(copy.fnv1a32(account)).toBe(fnv1a32(account));
        expect(copy.shardOf(account, n)).toBe(shardOf(account, n));
      }),
    );
  });

  it("names the shards as src/online/shard.ts does", () => {
    const app = "1400000000" as AppId;
    expect(copy.shardName(app, 16, 3)).toBe(shardName(app, 16, 3));
  });
});
