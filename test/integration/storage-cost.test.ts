// Rows written are the bill: every callback, of any outcome, writes one row — its history
// slot, which carries the state after it (counted by the runtime's SQL cursors).
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import { sendStateChange } from "../support/callback";
import { countStatements, stubFor, uniqueAccount } from "../support/storage";

async function rowsWrittenBy(account: string, send: () => Promise<Response>): Promise<number> {
  const usage = () => runInDurableObject(stubFor(account), (instance: UserPresence) => instance.storageUsage());
  const before = await usage();
  expect((await send()).status).toBe(200);
  return (await usage()).rowsWritten - before.rowsWritten;
}

describe("rows written per callback (no subscribers)", () => {
  it("applied: 1, duplicate: 1, stale: 1, custom status: 1, also once the history ring has wrapped", async () => {
    const account = uniqueAccount();
    const t = Date.now() - 100_000;
    await sendStateChange({ account, action: "Login", eventTime: t });
    for (let i = 1; i <= 25; i++) {
      const applied = await rowsWrittenBy(account, () =>
        sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: t + i * 10 }),
      );
      expect(applied).toBe(1);
    }
    const status = { account, action: "CustomStatusChange", customStatus: "busy", eventTime: t + 255 };
    expect(await rowsWrittenBy(account, () => sendStateChange(status))).toBe(1);
    const last = { account, action: "Logout", eventTime: t + 260 };
    expect(await rowsWrittenBy(account, () => sendStateChange(last))).toBe(1);
    expect(await rowsWrittenBy(account, () => sendStateChange(last))).toBe(1);
    expect(await rowsWrittenBy(account, () => sendStateChange({ account, action: "Login", eventTime: t }))).toBe(1);
  });

  it("a first touch writes at most 6 rows (the table, and the first history row with the identity)", async () => {
    const account = uniqueAccount();
    const first = await rowsWrittenBy(account, () =>
      sendStateChange({ account, action: "Login", eventTime: Date.now() - 1000 }),
    );
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(6);
  });

  it("a first touch is its two writes, no read: an empty database is known by its size", async () => {
    // The page size is read once per isolate: another user's first touch reads it first.
    await sendStateChange({ account: uniqueAccount(), action: "Login", eventTime: Date.now() - 1000 });
    const account = uniqueAccount();
    const statements = await countStatements(account);
    expect((await sendStateChange({ account, action: "Login", eventTime: Date.now() - 1000 })).status).toBe(200);
    // The history table and its first row, which carries the identity.
    expect(await statements()).toBe(2);
  });
});
