// The page walk over shards against an in-memory model of them: every member visited exactly
// once, none twice, whatever the page sizes and whatever joins or leaves between pages.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, type Listing } from "../../src/online/cursor";
import { shardOf } from "../../src/online/shard";
import { WALK_START, walkPage, type ShardFetcher, type ShardPosition, type WalkPage } from "../../src/online/walk";
import type { AccountId, AppId } from "../../src/presence/types";

interface Row {
  readonly account: AccountId;
}

/** Shards as sets of accounts; reads answer as the shard's `account > ? ORDER BY account LIMIT ?` does. */
class ShardsModel {
  readonly members = new Set<string>();
  calls = 0;
  constructor(readonly shards: number) {}
  fetch: ShardFetcher<Row> = async (shard, after, limit) => {
    this.calls += 1;
    return [...this.members]
      .filter((a) => shardOf(a, this.shards) === shard && (after === null || a > after))
      .sort()
      .slice(0, limit)
      .map((a) => ({ account: a as AccountId }));
  };
}

const accounts = (max: number) =>
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom("a", "b", "c", "d", "é", "😀") }), {
    maxLength: max,
  });

describe("walkPage", () => {
  it("asks each shard for one row more than the page needs, and resumes after the last row taken", async () => {
    const model = new ShardsModel(1);
    for (const a of ["a", "b", "c", "d", "e"]) model.members.add(a);
    const asked: [number, string | null, number][] = [];
    const fetch: ShardFetcher<Row> = (s, after, k) => (asked.push([s, after, k]), model.fetch(s, after, k));
    const first = await walkPage(WALK_START, 1, 2, fetch);
    expect(first).toEqual({ rows: [{ account: "a" }, { account: "b" }], next: { shard: 0, after: "b" } });
    expect(asked).toEqual([[0, null, 3]]);
    const last = await walkPage(first.next!, 1, 3, fetch);
    expect(last).toEqual({ rows: [{ account: "c" }, { account: "d" }, { account: "e" }], next: null });
  });

  it("crosses shards inside one page; a page that fills at a shard's end starts the next at the next shard", async () => {
    const fetch: ShardFetcher<Row> = async (shard, after, k) =>
      (shard === 0 ? ["a", "b"] : shard === 1 ? ["c"] : [])
        .filter((a) => after === null || a > after)
        .slice(0, k)
        .map((a) => ({ account: a as AccountId }));
    const page = await walkPage(WALK_START, 3, 3, fetch);
    expect(page.rows.map((r) => r.account)).toEqual(["a", "b", "c"]);
    expect(page.next).toEqual({ shard: 2, after: null });
    expect(await walkPage(page.next!, 3, 3, fetch)).toEqual({ rows: [], next: null });
    expect(await walkPage(WALK_START, 3, 2, fetch)).toEqual({
      rows: [{ account: "a" }, { account: "b" }],
      next: { shard: 1, after: null },
    });
  });

  it("refuses a limit below 1", async () => {
    await expect(walkPage(WALK_START, 1, 0, new ShardsModel(1).fetch)).rejects.toThrow(RangeError);
  });

  it("property: a fixed set is visited exactly once, in (shard, account) order, through the cursor", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        accounts(40),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        async (shards, members, limits) => {
          const model = new ShardsModel(shards);
          for (const a of members) model.members.add(a);
          const listing: Listing = { app: "1400000000" as AppId, shards, status: "any", platform: null };
          const seen: string[] = [];
          let position: ShardPosition | null = WALK_START;
          for (let page = 0; position !== null; page++) {
            expect(page).toBeLessThanOrEqual(members.length + shards);
            const result: WalkPage<Row> = await walkPage(position, shards, limits[page % limits.length]!, model.fetch);
            seen.push(...result.rows.map((r) => r.account));
            // The position travels to the client and back as a cursor.
            const next = result.next;
            position =
              next === null
                ? null
                : (decodeCursor(encodeCursor(listing, next), listing) as { position: ShardPosition }).position;
          }
          const order = (a: string) => [shardOf(a, shards), a] as const;
          const expected = [...members].sort((x, y) => {
            const [sx, ax] = order(x);
            const [sy, ay] = order(y);
            return sx - sy || (ax < ay ? -1 : ax > ay ? 1 : 0);
          });
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: with members joining and leaving between pages, those there all along appear exactly once, none twice", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        accounts(60).chain((all) =>
          fc.tuple(
            fc.constant(all),
            fc.array(fc.boolean(), { minLength: all.length, maxLength: all.length }), // stays the whole walk?
            fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }), // (page, member) toggles
          ),
        ),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 }),
        async (shards, [all, stays, toggles], limits) => {
          const model = new ShardsModel(shards);
          const stable = all.filter((_, i) => stays[i]);
          const volatile = all.filter((_, i) => !stays[i]);
          for (const a of stable) model.members.add(a);
          for (const [i, a] of volatile.entries()) if (i % 2 === 0) model.members.add(a);
          const seen: string[] = [];
          let position: ShardPosition | null = WALK_START;
          for (let page = 0; position !== null; page++) {
            expect(page).toBeLessThanOrEqual(all.length + shards);
            // Between pages, some volatile members join or leave.
            for (const [p, m] of toggles) {
              if (p % (all.length + 1) !== page || volatile.length === 0) continue;
              const a = volatile[m % volatile.length]!;
              if (model.members.has(a)) model.members.delete(a);
              else model.members.add(a);
            }
            const result: WalkPage<Row> = await walkPage(position, shards, limits[page % limits.length]!, model.fetch);
            for (const r of result.rows) expect(model.members.has(r.account)).toBe(true);
            seen.push(...result.rows.map((r) => r.account));
            position = result.next;
          }
          expect(new Set(seen).size).toBe(seen.length);
          for (const a of stable) expect(seen).toContain(a);
        },
      ),
      { numRuns: 500 },
    );
  });
});
