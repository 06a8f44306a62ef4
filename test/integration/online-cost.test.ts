// What the who-is-online index costs (SPEC §12, issue #21): at most one request and one row
// written at the shard per user-level transition, none for a duplicate, a stale callback or a
// change that keeps status and platforms; the user object's own rows per callback unchanged
// (test/integration/storage-cost.test.ts pins those as they were before the index).
import { describe, expect, it } from "vitest";
import { sendStateChange } from "../support/callback";
import { restart, settle, shardIndexOf, shardUsage, userUsage } from "../support/online";
import { getSnapshot } from "../support/api";
import { stubFor, uniqueAccount } from "../support/storage";

/**
 * Rows written at the shard, requests to it, the shard's writes guarded by what the user object
 * last had acknowledged (no row returned) and rows written in the user object by one callback.
 */
async function costOf(account: string, fields: Record<string, unknown>, optPlatform = "IOS") {
  const shardBefore = await shardUsage(account);
  const userBefore = await userUsage(account);
  const res = await sendStateChange({ account, action: "Login", ...fields }, { optPlatform });
  expect(res.status).toBe(200);
  await settle(account);
  const shardAfter = await shardUsage(account);
  const userAfter = await userUsage(account);
  return {
    shardRows: shardAfter.rowsWritten - shardBefore.rowsWritten,
    requests: userAfter.indexRequests - userBefore.indexRequests,
    guarded: shardAfter.guardedWrites - shardBefore.guardedWrites,
    userRows: userAfter.rowsWritten - userBefore.rowsWritten,
    alarms: userAfter.alarmsSet - userBefore.alarmsSet,
  };
}

describe("rows written and requests for the index", () => {
  it("a transition: one request, one row at the shard; the user object still writes its one row", async () => {
    const account = uniqueAccount("cost");
    const t = Date.now() - 100_000;
    // Each send after the first carries what the shard acknowledged, and the shard's write is
    // guarded by it; the first has nothing acknowledged to carry.
    const one = { shardRows: 1, requests: 1, guarded: 1, userRows: 1, alarms: 0 };
    // The first user of a shard creates its table too: the cost of a transition is measured
    // once it exists, so another user of the same shard comes first.
    let other = 0;
    while (shardIndexOf(`${account}-${other}`) !== shardIndexOf(account)) other++;
    await sendStateChange({ account: `${account}-${other}`, action: "Login", eventTime: t });
    await settle(`${account}-${other}`);

    // Joining the index (the user object's first touch writes its table too).
    expect(await costOf(account, { eventTime: t })).toMatchObject({ shardRows: 1, requests: 1, guarded: 0 });
    expect(await costOf(account, { eventTime: t + 1 }, "Android")).toEqual(one); // a second device
    expect(await costOf(account, { action: "Disconnect", eventTime: t + 2 })).toEqual(one);
    expect(await costOf(account, { action: "Logout", eventTime: t + 3 }, "Android")).toEqual(one); // disconnected
    expect(await costOf(account, { action: "Logout", eventTime: t + 4 })).toEqual(one); // offline: the row goes
  });

  it("a duplicate, a stale callback, a custom status and a re-login keep status and platforms: nothing", async () => {
    const account = uniqueAccount("free");
    const t = Date.now() - 100_000;
    await costOf(account, { eventTime: t });
    const nothing = { shardRows: 0, requests: 0, guarded: 0, userRows: 1, alarms: 0 };
    expect(await costOf(account, { eventTime: t })).toEqual(nothing); // duplicate
    expect(await costOf(account, { action: "Logout", eventTime: t - 1 })).toEqual(nothing); // stale
    expect(await costOf(account, { action: "CustomStatusChange", customStatus: "busy", eventTime: t + 1 })).toEqual(
      nothing,
    );
    expect(await costOf(account, { eventTime: t + 2 })).toEqual(nothing); // logged in again on iOS
  });

  it("an offline user never indexed sends nothing; a restarted user re-sending a key costs the shard no row", async () => {
    const account = uniqueAccount("offline");
    const t = Date.now() - 100_000;
    expect(await costOf(account, { action: "Logout", eventTime: t })).toMatchObject({ requests: 0, shardRows: 0 });
    await costOf(account, { eventTime: t + 1 });
    // The row of that login was written before the shard acknowledged it: a restarted object sends
    // it again on load, and the shard, which holds that seq already, writes nothing.
    await restart(stubFor(account));
    const before = await shardUsage(account);
    await getSnapshot(account);
    await settle(account);
    expect((await userUsage(account)).indexRequests).toBe(1);
    expect((await shardUsage(account)).rowsWritten - before.rowsWritten).toBe(0);
  });
});
