// Retention (RETENTION_DAYS = 1 in this project) erases a user from the who-is-online index before
// its storage; when the shard cannot be reached, the alarm fails, nothing is deleted, and the
// retried alarm erases it (SPEC §12).
import { afterEach, expect, it, vi } from "vitest";
import { sendStateChange } from "../../support/callback";
import { setClock } from "../../support/clock";
import { listed, settle, shardDown } from "../../support/online";
import { storedTables, uniqueAccount } from "../../support/storage";
import { drain, fireAlarm, mockSubscribers } from "../../support/webhooks";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

it("erases the user from its shard first; a shard that cannot be reached fails the alarm, which retries", async () => {
  mockSubscribers();
  vi.spyOn(console, "log").mockImplementation(() => {});
  const account = uniqueAccount();
  const received = Date.now();
  setClock(received);
  await sendStateChange({ account, action: "Login", eventTime: received - 1000 });
  await drain(account);
  await settle(account);
  expect(await listed(account)).toMatchObject({ status: "online", platforms: ["iOS"] });

  const up = await shardDown(account);
  await expect(fireAlarm(account)).rejects.toThrow(/shard down/);
  expect(await storedTables(account)).toContain("history");
  expect(await listed(account)).toMatchObject({ status: "online" });

  await up();
  expect(await fireAlarm(account)).toBe(true); // the retry the failed run asked for
  expect(await storedTables(account)).toEqual([]);
  expect(await listed(account)).toBeUndefined();
});
