// Rows written are the bill: an applied callback writes its state row and its history
// slot, a duplicate or stale one only its history slot (counted by the SQL cursors).
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import { sendStateChange } from "../support/callback";
import { stubFor, uniqueAccount } from "../support/storage";

async function rowsWrittenBy(account: string, send: () => Promise<Response>): Promise<number> {
  const usage = () => runInDurableObject(stubFor(account), (instance: UserPresence) => instance.storageUsage());
  const before = await usage();
  expect((await send()).status).toBe(200);
  return (await usage()).rowsWritten - before.rowsWritten;
}

describe("rows written per callback (no subscribers)", () => {
  it("applied: 2, duplicate: 1, stale: 1, also once the history ring has wrapped", async () => {
    const account = uniqueAccount();
    const t = Date.now() - 100_000;
    await sendStateChange({ account, action: "Login", eventTime: t });
    for (let i = 1; i <= 25; i++) {
      const applied = await rowsWrittenBy(account, () =>
        sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: t + i * 10 }),
      );
      expect(applied).toBe(2);
    }
    const last = { account, action: "Logout", eventTime: t + 260 };
    expect(await rowsWrittenBy(account, () => sendStateChange(last))).toBe(2);
    expect(await rowsWrittenBy(account, () => sendStateChange(last))).toBe(1);
    expect(await rowsWrittenBy(account, () => sendStateChange({ account, action: "Login", eventTime: t }))).toBe(1);
  });
});
