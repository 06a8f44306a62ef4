// Which index shard an account belongs to, and the names of an app's index objects (SPEC §12).
//
// The hash is stored in effect: a user's row lives in the shard this function picks, and every
// reader and writer must pick the same one, in every isolate and every version. So it is a fixed,
// documented function (FNV-1a 32-bit over the account's UTF-8 bytes, mod the shard count), not a
// runtime's string hash, and a unit test pins its values. Changing it orphans every stored row.
//
// The shard count is part of every name: a deployment that changes ONLINE_INDEX_SHARDS starts a
// fresh index (users join it on their next load) instead of reading rows the new hash misplaces.
// Type imports only: Node can load this file as it is (the bench and scripts may).
import type { AccountId, AppId } from "../presence/types.ts";

export const MIN_SHARDS = 1;
export const MAX_SHARDS = 256;

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

const encoder = new TextEncoder();
// An account is at most 128 bytes; one scratch buffer serves every call on the hot path (each
// callback that changes a user's status asks), so hashing allocates nothing. A longer string
// (never a valid account) still hashes right, through a fresh buffer.
const scratch = new Uint8Array(512);

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`: an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let bytes: Uint8Array;
  let length: number;
  if (text.length * 3 <= scratch.length) {
    length = encoder.encodeInto(text, scratch).written;
    bytes = scratch;
  } else {
    bytes = encoder.encode(text);
    length = bytes.length;
  }
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME);
  return hash >>> 0;
}

/** The shard (0 … shards−1) that holds `account` in an index of `shards` shards. */
export function shardOf(account: AccountId | string, shards: number): number {
  if (!Number.isInteger(shards) || shards < MIN_SHARDS || shards > MAX_SHARDS) {
    throw new RangeError(`shard count must be a whole number from ${MIN_SHARDS} to ${MAX_SHARDS}, got ${shards}`);
  }
  return fnv1a32(account) % shards;
}

/** The name of shard `index` of `app`'s index of `shards` shards: `1400000000:16:3`. */
export function shardName(app: AppId, shards: number, index: number): string {
  return `${app}:${shards}:${index}`;
}

/** The name of `app`'s totals object (counts over time, live counts): `1400000000:16`. */
export function totalsName(app: AppId, shards: number): string {
  return `${app}:${shards}`;
}

/** Where a shard stands, read back from its name (its object knows only its name). */
export interface ShardPlace {
  readonly app: AppId;
  readonly shards: number;
  readonly index: number;
}

/** The app, shard count and index a shard name holds; null for a name shardName does not make. */
export function parseShardName(name: string | undefined): ShardPlace | null {
  const match = /^(\d{1,20}):(\d{1,3}):(\d{1,3})$/.exec(name ?? "");
  if (match === null) return null;
  const shards = Number(match[2]);
  const index = Number(match[3]);
  if (shards < MIN_SHARDS || shards > MAX_SHARDS || index >= shards) return null;
  return { app: match[1] as AppId, shards, index };
}

/** The app and shard count a totals name holds; null for a name totalsName does not make. */
export function parseTotalsName(name: string | undefined): Omit<ShardPlace, "index"> | null {
  const match = /^(\d{1,20}):(\d{1,3})$/.exec(name ?? "");
  if (match === null) return null;
  const shards = Number(match[2]);
  if (shards < MIN_SHARDS || shards > MAX_SHARDS) return null;
  return { app: match[1] as AppId, shards };
}
