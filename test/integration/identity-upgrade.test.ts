// Identity lives in the history rows: a first touch creates one table, and an object written
// while identity was a `meta` row beside the history is upgraded on its first load.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import { EMPTY_STATE } from "../../src/presence/reducer";
import type { AccountId, AppId, PresenceState } from "../../src/presence/types";
import { getSnapshot } from "../support/api";
import { TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { storedTables, stubFor, uniqueAccount } from "../support/storage";

/** The identity of every stored row, newest first. */
const identities = (account: string) =>
  runInDurableObject(stubFor(account), (_i, ctx) =>
    ctx.storage.sql
      .exec<{ seq: number; app: string | null; account: string | null }>(
        "SELECT seq, app, account FROM history ORDER BY seq DESC",
      )
      .toArray(),
  );

/** What the object itself reports as its identity, loaded from storage (no caller's word). */
async function loadedIdentity(account: string): Promise<{ app: string; account: string }> {
  // The caller names another user on purpose: only a loaded object answers with its own.
  const json = await runInDurableObject(stubFor(account), (instance: UserPresence) =>
    instance.snapshotJson("0" as AppId, "someone-else" as AccountId),
  );
  const snapshot = JSON.parse(json) as { app: string; account: string };
  return { app: snapshot.app, account: snapshot.account };
}

it("a first touch stores one table, and every row carries whose object it is", async () => {
  const account = uniqueAccount();
  const t = Date.now() - 10_000;
  await sendStateChange({ account, action: "Login", eventTime: t });
  await sendStateChange({ account, action: "Logout", eventTime: t + 1 });
  expect(await storedTables(account)).toEqual(["history"]);
  expect(await identities(account)).toEqual([
    { seq: 2, app: TEST_APP, account },
    { seq: 1, app: TEST_APP, account },
  ]);
  await evictDurableObject(stubFor(account));
  expect(await loadedIdentity(account)).toEqual({ app: TEST_APP, account });
});

it("an object with a meta identity row is upgraded on its first load, keeping its state and history", async () => {
  const account = uniqueAccount();
  const at = Date.now() - 10_000;
  // The state an online iOS login leaves, as the older version stored it.
  const state: PresenceState = {
    ...EMPTY_STATE,
    platforms: { iOS: { status: "online", reason: "", since: at, clientIp: null, by: null } },
    onlineSince: at,
    updatedAt: at,
    version: 1,
  };
  await runInDurableObject(stubFor(account), (_i, ctx) => {
    const sql = ctx.storage.sql;
    // The schema before identity moved into the history.
    sql.exec("CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 1), app TEXT NOT NULL, account TEXT NOT NULL)");
    sql.exec(`CREATE TABLE history (slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL, event_time INTEGER NOT NULL,
      received_at INTEGER NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, platform TEXT NOT NULL, client_ip TEXT,
      kicked TEXT NOT NULL, outcome TEXT NOT NULL, status TEXT NOT NULL, effects TEXT NOT NULL, state_after TEXT,
      source TEXT NOT NULL DEFAULT 'callback', request_key TEXT, audience TEXT)`);
    sql.exec("INSERT INTO meta VALUES (1, ?, ?)", TEST_APP, account);
    sql.exec(
      `INSERT INTO history VALUES (1, 1, ?, ?, 'Login', '', 'iOS', NULL, '[]', 'applied', 'online', '[]', ?,
                                   'callback', NULL, NULL)`,
      at,
      at,
      JSON.stringify(state),
    );
  });
  // The object has loaded nothing yet: its first load finds the older schema.
  expect(await loadedIdentity(account)).toEqual({ app: TEST_APP, account });
  expect(await storedTables(account)).toEqual(["history"]);
  expect(await identities(account)).toEqual([{ seq: 1, app: TEST_APP, account }]);
  expect((await getSnapshot(account)).status).toBe("online");

  expect((await sendStateChange({ account, action: "Logout", eventTime: at + 1 })).status).toBe(200);
  expect((await getSnapshot(account)).status).toBe("offline");
  expect((await identities(account)).map((r) => [r.seq, r.account])).toEqual([
    [2, account],
    [1, account],
  ]);
});
