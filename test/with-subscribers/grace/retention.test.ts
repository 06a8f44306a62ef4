// RETENTION_DAYS = 1 in this project ("webhooks-grace"): a user inactive for a day is erased by
// its own alarm; pending deliveries hold the erasure back until they are delivered or dead.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiFetch, getSnapshot, userPath } from "../../support/api";
import { sendStateChange } from "../../support/callback";
import { storedTables, stubFor, uniqueAccount } from "../../support/storage";
import { RETENTION_DAYS } from "../../support/webhook-config";
import { alarmAt, deliveries, drain, fireAlarm, mockSubscribers } from "../../support/webhooks";
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
    const received = Date.now();
    setClock(received);
    await sendStateChange({ account, action: "Login", eventTime: received - 1000 });
    await drain(account);
    expect(await alarmAt(account)).toBe(received + R);
    expect(await fireAlarm(account)).toBe(true);
    expect(await storedTables(account)).toEqual([]);
    expect(await alarmAt(account)).toBeNull();
    expect((await getSnapshot(account)).status).toBe("unknown");
  });

  it("activity (any callback) postpones it, without moving the alarm on every callback", async () => {
    mockSubscribers();
    const account = uniqueAccount();
    const start = Date.now();
    setClock(start);
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
    expect(second).toBe(start + R / 2 + R);
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

  it("holds the erasure while a delivery is pending, and erases once it went out", async () => {
    const hooks = mockSubscribers(() => new Response(null, { status: 503 }));
    const account = uniqueAccount();
    const start = Date.now();
    setClock(start);
    await sendStateChange({ account, action: "Login", eventTime: start - 1000 });
    await fireAlarm(account); // the first attempt fails: a retry is pending
    setClock(start + R + 1);
    await fireAlarm(account); // due for erasure, but a delivery is still pending: kept
    expect((await getSnapshot(account)).status).toBe("online");
    expect((await deliveries(account)).length).toBeGreaterThan(0);
    expect(await alarmAt(account)).not.toBeNull();

    hooks.answer(() => new Response(null, { status: 204 }));
    await drain(account, 24 * 3_600_000);
    expect(hooks.of("status").at(-1)!.payload.data.to).toBe("online");
    expect(await storedTables(account)).toEqual([]);
    expect(await alarmAt(account)).toBeNull();
  });
});
