// Which of an app's index shards holds an account, for the two-hop reference (two-hop.js): a
// copy of src/online/shard.ts's fnv1a32 and shardOf (FNV-1a 32-bit over the account's UTF-8
// bytes, mod the shard count) and of its shard names. A copy, not an import, because workerd
// runs this file as it is (src/ is TypeScript); test/node/bench-reference.test.ts holds the two
// equal, so the reference sends each account to the shard presence-edge would.

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`. */
export function fnv1a32(text) {
  const bytes = encoder.encode(text);
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
  return hash >>> 0;
}

/** The shard (0 … shards−1) of `account`. */
export const shardOf = (account, shards) => fnv1a32(account) % shards;

/** Shard `index` of `app`'s index of `shards` shards, named as presence-edge names it. */
export const shardName = (app, shards, index) => `${app}:${shards}:${index}`;
