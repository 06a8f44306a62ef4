// The who-is-online index's objects, by name (src/online/shard.ts): an app's shards and its
// totals object. Every caller reaches them through these, so a name is spelt in one place.
import type { AccountId, AppId } from "../presence/types";
import { shardName, shardOf, totalsName } from "./shard";

/** Shard `index` of `app`'s index of `shards` shards. */
export const shardStub = (env: Env, app: AppId, shards: number, index: number) =>
  env.ONLINE_SHARD.getByName(shardName(app, shards, index));

/** The shard that holds `account`. */
export const accountShardStub = (env: Env, app: AppId, shards: number, account: AccountId) =>
  shardStub(env, app, shards, shardOf(account, shards));

/** `app`'s totals object: counts over time and live counts. */
export const totalsStub = (env: Env, app: AppId, shards: number) =>
  env.ONLINE_TOTALS.getByName(totalsName(app, shards));

export type ShardStub = ReturnType<typeof shardStub>;
