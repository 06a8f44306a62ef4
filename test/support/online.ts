// The who-is-online index in tests: its objects, its answers through the API, and waiting until a
// user's shard has what the user's object says (on the feed's own hooks, never on time).
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { OnlineShard } from "../../src/durable/online-shard";
import type { UserPresence } from "../../src/durable/user-presence";
import type { OnlineFeed } from "../../src/online/feed";
import { shardOf } from "../../src/online/shard";
import { accountShardStub, shardStub, totalsStub } from "../../src/online/stubs";
import type { AccountId, AppId, Platform } from "../../src/presence/types";
import { apiFetch } from "./api";
import { TEST_APP } from "./bindings";
import { injectedFault } from "./expected-output";
import { stubFor } from "./storage";

/** ONLINE_INDEX_SHARDS as the tests run (wrangler.toml's default). */
export const SHARDS = 16;

export const shardFor = (account: string, app = TEST_APP) =>
  accountShardStub(env, app as AppId, SHARDS, account as AccountId);
export const shardAt = (index: number, app = TEST_APP) => shardStub(env, app as AppId, SHARDS, index);
export const totalsFor = (app = TEST_APP) => totalsStub(env, app as AppId, SHARDS);
export const shardIndexOf = (account: string) => shardOf(account, SHARDS);

/** Restarts an object: its memory is lost, its storage kept (one not in memory is left as it is). */
export async function restart(stub: DurableObjectStub): Promise<void> {
  try {
    await evictDurableObject(stub);
  } catch (error) {
    if (!String(error).includes("not currently running")) throw error;
  }
}

const feedOf = (instance: UserPresence) => (instance as unknown as { feed: OnlineFeed }).feed;

/**
 * Loads the user's object (a read: a restarted object checks its stored key then) and waits until
 * its shard has acknowledged its entry; a send that failed is retried by running the user's alarm.
 */
export function settle(account: string, app = TEST_APP): Promise<void> {
  return runInDurableObject(stubFor(account, app), async (instance: UserPresence) => {
    instance.snapshotJson(app as AppId, account as AccountId);
    const feed = feedOf(instance);
    await null; // the load's check runs after the task that loaded
    await feed.drained();
    for (let run = 0; feed.behind; run++) {
      if (run === 10) throw new Error(`the index did not take ${account}'s entry after ${run} alarm runs`);
      await instance.alarm();
    }
  });
}

export async function settleAll(accounts: Iterable<string>, app = TEST_APP): Promise<void> {
  for (const account of accounts) await settle(account, app);
}

/** The user's index requests (updates and removals) so far, and its object's own counters. */
export const userUsage = (account: string, app = TEST_APP) =>
  runInDurableObject(stubFor(account, app), (instance: UserPresence) => instance.storageUsage());

export const shardUsage = (account: string, app = TEST_APP) =>
  runInDurableObject(shardFor(account, app), (instance: OnlineShard) => instance.storageUsage());

/** Makes the user's shard refuse updates and removals until the returned function is called. */
export async function shardDown(account: string, app = TEST_APP): Promise<() => Promise<void>> {
  type Patched = Partial<Record<"update" | "remove", unknown>>;
  const indexOf = (instance: OnlineShard) => (instance as unknown as { index: Patched }).index;
  await runInDurableObject(shardFor(account, app), (instance: OnlineShard) => {
    const down = () => {
      throw injectedFault("shard down");
    };
    Object.assign(indexOf(instance), { update: down, remove: down });
  });
  return () =>
    runInDurableObject(shardFor(account, app), (instance: OnlineShard) => {
      delete indexOf(instance).update;
      delete indexOf(instance).remove;
    });
}

export interface OnlineCountsBody {
  app: string;
  online: number;
  disconnected: number;
  platforms: Record<Platform, number>;
  asOf: number;
}

export async function onlineCounts(app = TEST_APP): Promise<OnlineCountsBody> {
  const res = await apiFetch(`/v1/apps/${app}/online`);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

export interface ListedUser {
  account: string;
  status: "online" | "disconnected";
  platforms: Platform[];
  since: number;
}

/** Every page of GET /online/users with `query`, followed through its cursors. */
export async function listAll(query: Record<string, string> = {}, app = TEST_APP): Promise<ListedUser[]> {
  const users: ListedUser[] = [];
  let cursor: string | null = null;
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new Error("the walk does not end");
    const params = new URLSearchParams(query);
    if (cursor !== null) params.set("cursor", cursor);
    const res = await apiFetch(`/v1/apps/${app}/online/users?${params}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as { users: ListedUser[]; cursor: string | null };
    users.push(...page.users);
    cursor = page.cursor;
    if (cursor === null) return users;
  }
}

/** The user as the list shows it, or undefined when it is not listed (status=any). */
export async function listed(account: string, app = TEST_APP): Promise<ListedUser | undefined> {
  const rows = await runInDurableObject(shardFor(account, app), (instance: OnlineShard) =>
    instance.page("any", null, null, 100_000),
  );
  return rows.find((r) => r.account === account) as ListedUser | undefined;
}
