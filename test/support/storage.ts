import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { presenceStub } from "../../src/durable/presence-stub";
import type { AccountId, AppId } from "../../src/presence/types";
import { TEST_APP } from "./bindings";

export const stubFor = (account: string, app = TEST_APP) => presenceStub(env, app as AppId, account as AccountId);

/** Names of the SQLite tables in the user's Durable Object: empty when nothing was ever stored. */
export async function storedTables(account: string, app = TEST_APP): Promise<string[]> {
  return runInDurableObject(stubFor(account, app), (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map((r) => r.name),
  );
}

let counter = 0;
/** A fresh account id per test, so tests never share a Durable Object. */
export const uniqueAccount = (prefix = "user") => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
