// One page of GET /online/users (SPEC §12): a walk over an app's shards in order 0 … N−1, and
// inside a shard in account order, resumed from where the previous page stopped.
//
// The position (shard, last account returned there) only ever moves forward, and each shard is
// read with "accounts after this one", so a user in the set for the whole walk is returned exactly
// once and no user twice, whatever joins or leaves between pages: a user's shard is fixed by its
// account, and a keyset position needs no snapshot of the set. Pure: the shards are read through
// the `fetch` function the caller passes (an RPC to each shard object), so this file knows no
// Workers API.
import type { AccountId } from "../presence/types";

/** Where a walk stands: the next rows are those of `shard` after `after` (null: from its start). */
export interface ShardPosition {
  readonly shard: number;
  readonly after: AccountId | null;
}

export const WALK_START: ShardPosition = { shard: 0, after: null };

/**
 * Up to `limit` rows of shard `shard` whose account is greater than `after` (all when null), in
 * account order. The filters of the listing are the fetcher's business.
 */
export type ShardFetcher<R> = (shard: number, after: AccountId | null, limit: number) => Promise<readonly R[]>;

export interface WalkPage<R> {
  readonly rows: readonly R[];
  /** Where the next page starts; null when the walk has passed the last shard. */
  readonly next: ShardPosition | null;
}

/**
 * Reads shards from `start` on until `limit` rows are gathered or the shards end. Each shard is
 * asked for one row more than the page still needs, so a shard whose rows all fit is known to
 * be finished and the next page starts at the following shard. A page may hold fewer rows than
 * `limit` only at the end of the walk or when it stopped at a shard boundary; a next page may
 * then be empty (its `next` null) when every later shard is.
 */
export async function walkPage<R extends { readonly account: AccountId }>(
  start: ShardPosition,
  shards: number,
  limit: number,
  fetch: ShardFetcher<R>,
): Promise<WalkPage<R>> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`page limit must be a whole number ≥ 1, got ${limit}`);
  const rows: R[] = [];
  let position = start;
  while (position.shard < shards) {
    const wanted = limit - rows.length;
    const got = await fetch(position.shard, position.after, wanted + 1);
    const taken = got.length > wanted ? got.slice(0, wanted) : got;
    rows.push(...taken);
    if (got.length > wanted) {
      // `wanted` ≥ 1 here, so `taken` holds the row this shard's walk resumes after.
      return { rows, next: { shard: position.shard, after: taken[taken.length - 1]!.account } };
    }
    position = { shard: position.shard + 1, after: null };
    if (rows.length === limit) break;
  }
  return { rows, next: position.shard < shards ? position : null };
}
