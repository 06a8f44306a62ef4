// What a user's Durable Object holds, seen from outside: the stub, its tables, and the proof
// that rejected requests left no storage behind.
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { presenceStub } from "../../src/user/stub";
import type { AccountId, AppId } from "../../src/presence/types";
import { TEST_APP } from "./bindings";

export const stubFor = (account: string, app = TEST_APP) => presenceStub(env, app as AppId, account as AccountId);

export const idOf = (app: string, account: string) => env.USER_PRESENCE.idFromName(`${app}:${account}`).toString();

/** Names of the SQLite tables in one Durable Object: empty when nothing was ever stored. */
function tablesIn(stub: DurableObjectStub): Promise<string[]> {
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map((r) => r.name),
  );
}

/** The tables of a user's Durable Object, by account. */
export const storedTables = (account: string, app = TEST_APP) => tablesIn(stubFor(account, app));

/** The tables of a Durable Object, by id (see idOf). */
export const tablesOf = (id: string) => tablesIn(env.USER_PRESENCE.get(env.USER_PRESENCE.idFromString(id)));

/**
 * Every Durable Object this file created must belong to an accepted account; any other
 * one (a read, or a future design that validates inside the object) must hold no tables.
 * Every accepted account must have storage.
 */
export async function expectStorageOnlyFor(accepted: ReadonlySet<string>): Promise<void> {
  const listed = (await listDurableObjectIds(env.USER_PRESENCE)).map(String);
  for (const id of accepted) expect(listed, "an accepted callback left no Durable Object").toContain(id);
  for (const id of listed) {
    if (!accepted.has(id)) expect(await tablesOf(id), `storage of a rejected request (${id})`).toEqual([]);
  }
  for (const id of accepted) expect(await tablesOf(id)).toContain("history");
}

let counter = 0;
/** A fresh account id per test, so tests never share a Durable Object. */
export const uniqueAccount = (prefix = "user") => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** Counts the SQL statements the user's object runs from now on (the count reads back through the stub). */
export async function countStatements(account: string): Promise<() => Promise<number>> {
  await runInDurableObject(stubFor(account), (_instance, state) => {
    const sql = state.storage.sql as SqlStorage & { exec: SqlStorage["exec"]; counted?: number };
    const exec = Object.getPrototypeOf(sql).exec as SqlStorage["exec"];
    sql.counted = 0;
    sql.exec = ((query: string, ...bindings: unknown[]) => {
      sql.counted! += 1;
      return exec.call(sql, query, ...bindings);
    }) as SqlStorage["exec"];
  });
  return () =>
    runInDurableObject(
      stubFor(account),
      (_instance, state) => (state.storage.sql as { counted?: number }).counted ?? 0,
    );
}
