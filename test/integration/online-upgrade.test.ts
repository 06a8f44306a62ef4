// Users stored before the who-is-online index existed (a history without `index_key`) load as they
// were, gain the column once, and join the index on their next load (SPEC §12).
import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { EMPTY_STATE } from "../../src/presence/reducer";
import type { PresenceState } from "../../src/presence/types";
import { getSnapshot } from "../support/api";
import { TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { listed, settle, userUsage } from "../support/online";
import { storedTables, stubFor, uniqueAccount } from "../support/storage";

/** Writes the user as the version before the index stored it: identity in the row, no index_key. */
async function storeAsBefore(account: string, state: PresenceState, at: number): Promise<void> {
  await runInDurableObject(stubFor(account), (_i, ctx) => {
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE history (slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL, event_time INTEGER NOT NULL,
      received_at INTEGER NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, platform TEXT NOT NULL, client_ip TEXT,
      kicked TEXT NOT NULL, outcome TEXT NOT NULL, status TEXT NOT NULL, effects TEXT NOT NULL, state_after TEXT,
      source TEXT NOT NULL DEFAULT 'callback', request_key TEXT, audience TEXT, app TEXT, account TEXT)`);
    sql.exec(
      `INSERT INTO history VALUES (1, 1, ?, ?, 'Login', 'Register', 'Android', NULL, '[]', 'applied', ?, '[]', ?,
                                   'callback', NULL, NULL, ?, ?)`,
      at,
      at,
      state.platforms.Android?.status ?? "offline",
      JSON.stringify(state),
      TEST_APP,
      account,
    );
  });
}

const columns = (account: string) =>
  runInDurableObject(stubFor(account), (_i, ctx) =>
    ctx.storage.sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('history')")
      .toArray()
      .map((c) => c.name),
  );

it("an online user stored before the index loads, gains index_key, and joins the index on that load", async () => {
  const account = uniqueAccount("before-index");
  const at = Date.now() - 10_000;
  const state: PresenceState = {
    ...EMPTY_STATE,
    platforms: { Android: { status: "online", reason: "Register", since: at, clientIp: null, by: null } },
    onlineSince: at,
    updatedAt: at,
    version: 1,
  };
  await storeAsBefore(account, state, at);
  expect(await columns(account)).not.toContain("index_key");

  // A read is a load: the object is upgraded and its entry sent.
  expect((await getSnapshot(account)).status).toBe("online");
  await settle(account);
  expect(await columns(account)).toContain("index_key");
  expect(await storedTables(account)).toEqual(["history"]);
  expect(await listed(account)).toEqual({ account, status: "online", platforms: ["Android"], since: at });
  expect((await userUsage(account)).indexRequests).toBe(1);

  // Its next row stores what the shard acknowledged.
  await sendStateChange({ account, action: "CustomStatusChange", customStatus: "x", eventTime: at + 1 });
  const keys = await runInDurableObject(stubFor(account), (_i, ctx) =>
    ctx.storage.sql.exec<{ seq: number; index_key: string | null }>("SELECT seq, index_key FROM history").toArray(),
  );
  expect(keys).toEqual([
    { seq: 1, index_key: null },
    { seq: 2, index_key: "16:online:2" },
  ]);
});

it("an offline user stored before the index loads and sends nothing", async () => {
  const account = uniqueAccount("before-index-off");
  const at = Date.now() - 10_000;
  const state: PresenceState = {
    ...EMPTY_STATE,
    platforms: { Android: { status: "offline", reason: "Unregister", since: at, clientIp: null, by: null } },
    lastSeen: at,
    updatedAt: at,
    version: 1,
  };
  await storeAsBefore(account, state, at);
  expect((await getSnapshot(account)).status).toBe("offline");
  await settle(account);
  expect(await columns(account)).toContain("index_key");
  expect((await userUsage(account)).indexRequests).toBe(0);
  expect(await listed(account)).toBeUndefined();
});
