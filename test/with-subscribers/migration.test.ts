// An object created before webhooks (schema 1: no state_after, no webhook tables) is brought up
// to date on its next callback, and its older changes are not replayed to subscribers.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, expect, it, vi } from "vitest";
import type { AccountId, AppId } from "../../src/presence/types";
import { TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { stubFor, uniqueAccount } from "../support/storage";
import { drain, mockSubscribers } from "../support/webhooks";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

it("migrates a schema-1 object on its next callback and starts delivering from there", async () => {
  const hooks = mockSubscribers();
  const account = uniqueAccount();
  const at = Date.now() - 10_000;
  const state = {
    platforms: {},
    customStatus: null,
    customStatusAt: null,
    onlineSince: null,
    lastSeen: null,
    updatedAt: at,
    version: 1,
    kicks: [],
  };
  await runInDurableObject(stubFor(account), (_i, ctx) => {
    const sql = ctx.storage.sql;
    sql.exec(
      "CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), app TEXT NOT NULL, account TEXT NOT NULL, data TEXT NOT NULL)",
    );
    sql.exec(`CREATE TABLE history (slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL, event_time INTEGER NOT NULL,
      received_at INTEGER NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, platform TEXT NOT NULL, client_ip TEXT,
      kicked TEXT NOT NULL, outcome TEXT NOT NULL, status TEXT NOT NULL, effects TEXT NOT NULL)`);
    sql.exec("INSERT INTO state VALUES (1, ?, ?, ?)", TEST_APP as AppId, account as AccountId, JSON.stringify(state));
    sql.exec(
      "INSERT INTO history VALUES (1, 1, ?, ?, 'CustomStatusChange', 'SetCustomStatus', 'iOS', NULL, '[]', 'applied', 'unknown', ?)",
      at,
      at,
      JSON.stringify([{ kind: "user.custom_status_changed", from: null, to: "old" }]),
    );
  });
  await sendStateChange({ account, action: "Login", eventTime: at + 1 });
  await drain(account);
  expect(hooks.of("all").map((d) => [d.payload.data.seq, d.payload.type])).toEqual([
    [2, "device.status_changed"],
    [2, "user.status_changed"],
  ]);
  const columns = await runInDurableObject(stubFor(account), (_i, ctx) =>
    ctx.storage.sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('history')")
      .toArray()
      .map((c) => c.name),
  );
  expect(columns).toContain("state_after");
});
