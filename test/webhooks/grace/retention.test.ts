// RETENTION_DAYS = 1 in this project ("webhooks-grace"): a user inactive for a day is erased by
// its own alarm; pending deliveries hold the erasure back until they are delivered or dead.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiFetch, getSnapshot, userPath } from "../../support/api";
import { sendStateChange } from "../../support/callback";
import { storedTables, stubFor, uniqueAccount } from "../../support/storage";
import { RETENTION_DAYS } from "../../support/webhook-config";
import { alarmAt, drain, fireAlarm, mockSubscribers } from "../../support/webhooks";
import { setClock } from "../../support/clock";
import type { UserPresence } from "../../../src/durable/user-presence";
import { MAX_ATTEMPTS } from "../../../src/webhooks/backoff";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const DAY = 86_400_000;
const usage = (account: string) =>
  runInDurableObject(stubFor(account), (instance: UserPresence) => instance.storageUsage());
const R = RETENTION_DAYS * DAY;

describe("retention", () => {
  it("erases a user inactive for RETENTION_DAYS, alarm included", async () => {
    mockSubscribers();
    const account = uniqueAccount();
    await sendStateChange({ account, action: "Login", eventTime: Date.now() - 1000 });
    const received = Date.now();
    await drain(account);
    const at = await alarmAt(account);
    expect(at).not.toBeNull();
    expect(Math.abs(at! - (received + R))).toBeLessThan(2000);
    expect(await fireAlarm(account)).toBe(true);
    expect(await storedTables(account)).toEqual([]);
    expect(await alarmAt(account)).toBeNull();
    expect((await getSnapshot(account)).status).toBe("unknown");
  });

  it("activity (any callback) postpones it, without moving the alarm on every callback", async () => {
    mockSubscribers();
    const account = uniqueAccount();
    const start = Date.now();
    await sendStateChange({ account, action: "Login", eventTime: start - 1000 });
    await drain(account);
    const first = await alarmAt(account);
    setClock(start + R / 2);
    await sendStateChange({ account, action: "Login", eventTime: start - 1000 }); // a duplicate is activity too
    expect(await alarmAt(account)).toBe(first);
    const { alarmsSet } = await usage(account);
    await fireAlarm(account); // at the first deadline: not due, re-armed
    expect((await getSnapshot(account)).status).toBe("online");
    const second = await alarmAt(account);
    expect(second! - (start + R / 2)).toBeGreaterThanOrEqual(R - 1000);
    expect((await usage(account)).alarmsSet).toBe(alarmsSet + 1);
    await fireAlarm(account);
    expect(await storedTables(account)).toEqual([]);
  });

  it("waits for pending deliveries: erases only after they are dead-lettered", async () => {
    const hooks = mockSubscribers(() => new Response(null, { status: 500 }));
    const account = uniqueAccount();
    await sendStateChange({ account, action: "Login", eventTime: Date.now() - 1000 });
    let runs = 0;
    while ((await storedTables(account)).length > 0 && runs++ < 30) await fireAlarm(account);
    expect(await storedTables(account)).toEqual([]);
    // every attempt was made first
    expect(hooks.of("all").filter((d) => d.payload.data.seq === 1).length).toBe(2 * MAX_ATTEMPTS);
    expect(hooks.of("status")).toHaveLength(MAX_ATTEMPTS);
    const res = await apiFetch(`${userPath(account)}/deliveries`);
    expect(await res.json()).toEqual({ deliveries: [] });
  });
});
