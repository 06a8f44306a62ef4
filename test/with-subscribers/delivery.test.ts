// Outbound webhooks end to end, with two subscribers configured (project "webhooks"):
// "all" wants every event, "status" only user.status_changed. Every delivery is verified
// with the standardwebhooks library by the mocked subscriber (test/support/webhooks.ts).
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_SENDS_PER_RUN } from "../../src/webhooks/delivery-run";
import { MAX_ATTEMPTS } from "../../src/webhooks/backoff";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { sendStateChange } from "../support/callback";
import { stubFor, uniqueAccount } from "../support/storage";
import { setClock } from "../support/clock";
import { alarmAt, deliveries, drain, fireAlarm, mockSubscribers, typesOf } from "../support/webhooks";
import { MANY_REQUESTS_MS } from "../support/timeouts";
import { injectedFault } from "../support/expected-output";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const t0 = () => Date.now() - 60_000;

describe("webhook deliveries", () => {
  it("turn an applied callback into verified Standard Webhooks messages, per subscriber filter", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const at = t0();
    await sendStateChange({ account, action: "Login", eventTime: at });
    await drain(account);
    expect(hooks.rejected).toEqual([]);
    expect(typesOf(hooks.of("all"))).toEqual(["device.status_changed", "user.status_changed"]);
    expect(typesOf(hooks.of("status"))).toEqual(["user.status_changed"]);

    const [device, user] = hooks.of("all");
    const snapshot = await getSnapshot(account);
    expect(user!.payload).toEqual({
      type: "user.status_changed",
      timestamp: new Date(at).toISOString(),
      data: { app: snapshot.app, account, seq: 1, source: "callback", from: "unknown", to: "online", snapshot },
    });
    expect(device!.payload.data).toMatchObject({
      seq: 1,
      platform: "iOS",
      from: "unknown",
      to: "online",
      reason: "Register",
    });
    expect(hooks.of("status")[0]!.body).toBe(user!.body);
    expect(device!.signal).toBeInstanceOf(AbortSignal);
    expect(await deliveries(account)).toEqual([]);
  });

  it("sends kicks and custom status changes with their fields", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const at = t0();
    await sendStateChange({ account, action: "Login", eventTime: at }, { optPlatform: "Windows" });
    await sendStateChange({ account, action: "Login", eventTime: at + 1, kicked: ["Windows"] });
    await sendStateChange({ account, action: "CustomStatusChange", eventTime: at + 2, customStatus: "busy" });
    await drain(account);
    const all = hooks.of("all").map((d) => d.payload);
    expect(all.map((p) => [p.type, p.data.seq])).toEqual([
      ["device.status_changed", 1],
      ["user.status_changed", 1],
      ["device.kicked", 2],
      ["device.status_changed", 2],
      ["device.status_changed", 2],
      ["user.custom_status_changed", 3],
    ]);
    expect(all[2]!.data).toMatchObject({ platform: "Windows", by: "iOS" });
    expect(all[3]!.data).toMatchObject({ platform: "Windows", from: "online", to: "offline", reason: "Kicked" });
    expect(all[5]!.data).toMatchObject({ from: null, to: "busy" });
    expect(all[5]!.data.snapshot.customStatus).toBe("busy");
    // each message carries the snapshot right after its own change
    expect(all[1]!.data.snapshot.version).toBe(1);
    expect(all[3]!.data.snapshot.version).toBe(2);
  });

  it("never delivers for duplicate or stale callbacks", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const at = t0();
    await sendStateChange({ account, action: "Login", eventTime: at });
    await drain(account);
    const before = hooks.received.length;
    await sendStateChange({ account, action: "Login", eventTime: at }); // duplicate
    await sendStateChange({ account, action: "Logout", eventTime: at - 1000 }); // stale
    expect(await alarmAt(account)).toBeNull();
    await drain(account);
    expect(hooks.received.length).toBe(before);
  });

  it("sends user.custom_status_changed once when the same custom status is set twice", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const at = t0();
    await sendStateChange({ account, action: "CustomStatusChange", eventTime: at, customStatus: "busy" });
    await sendStateChange({ account, action: "CustomStatusChange", eventTime: at + 1, customStatus: "busy" });
    await sendStateChange({ account, action: "CustomStatusChange", eventTime: at + 2, customStatus: "away" });
    await drain(account);
    const changes = hooks.of("all").map((d) => [d.payload.type, d.payload.data.from, d.payload.data.to]);
    expect(changes).toEqual([
      ["user.custom_status_changed", null, "busy"],
      ["user.custom_status_changed", "busy", "away"],
    ]);
  });

  it("retries a failing subscriber on the schedule, keeps webhook-id, and holds later events in order", async () => {
    const hooks = mockSubscribers((d) => new Response(null, { status: d.subscriber === "all" ? 500 : 204 }));
    const account = uniqueAccount();
    const at = t0();
    setClock(Date.now());
    await sendStateChange({ account, action: "Login", eventTime: at });
    await fireAlarm(account);
    const firstTry = Date.now(); // the clock stands at the alarm's time
    await sendStateChange({ account, action: "Logout", eventTime: at + 1 });
    await drain(account);
    // "all" failed its first event and sent nothing else; "status" is not held by it.
    expect(hooks.of("all").map((d) => d.payload.data.seq)).toEqual([1]);
    expect(hooks.of("status").map((d) => d.payload.data.seq)).toEqual([1, 2]);
    const pending = (await deliveries(account)).filter((d) => d.subscriber === "all");
    expect(pending.map((d) => [d.seq, d.type, d.state, d.attempts, d.lastError])).toEqual([
      [1, "device.status_changed", "pending", 1, "HTTP 500"],
      [1, "user.status_changed", "pending", 0, null],
      [2, "device.status_changed", "pending", 0, null],
      [2, "user.status_changed", "pending", 0, null],
    ]);
    // 5 s after the failed attempt, lengthened by at most 10 % of jitter
    const wait = pending[0].nextAttemptAt - firstTry;
    expect(wait).toBeGreaterThanOrEqual(5_000);
    expect(wait).toBeLessThanOrEqual(5_500);

    await fireAlarm(account); // attempt 2 (the clock moves to its time), fails again: next in 5 min
    const secondTry = Date.now();
    const second = (await deliveries(account)).find((d) => d.subscriber === "all");
    expect(second.attempts).toBe(2);
    expect(second.nextAttemptAt - secondTry).toBeGreaterThanOrEqual(5 * 60_000);
    expect(second.nextAttemptAt - secondTry).toBeLessThanOrEqual(5.5 * 60_000);
    expect(new Set(hooks.of("all").map((d) => d.id)).size).toBe(1);

    hooks.answer(() => new Response(null, { status: 200 }));
    await fireAlarm(account);
    const seqs = hooks.of("all").map((d) => `${d.payload.data.seq}:${d.payload.type}`);
    expect(seqs).toEqual([
      "1:device.status_changed",
      "1:device.status_changed",
      "1:device.status_changed",
      "1:user.status_changed",
      "2:device.status_changed",
      "2:user.status_changed",
    ]);
    expect(await deliveries(account)).toEqual([]);
    expect(hooks.rejected).toEqual([]);
  });

  it("honours Retry-After on 429", async () => {
    const hooks = mockSubscribers(
      (d) =>
        new Response(
          null,
          d.subscriber === "status" ? { status: 429, headers: { "Retry-After": "3600" } } : { status: 204 },
        ),
    );
    const account = uniqueAccount();
    setClock(Date.now());
    await sendStateChange({ account, action: "Login", eventTime: t0() });
    await fireAlarm(account);
    const attempted = Date.now(); // the clock stands at the alarm's time
    const [pending] = (await deliveries(account)).filter((d) => d.subscriber === "status");
    expect(pending).toMatchObject({ attempts: 1, lastError: "HTTP 429" });
    expect(pending.nextAttemptAt).toBe(attempted + 3_600_000);
    expect(hooks.of("all")).toHaveLength(2);
  });

  it("counts a timeout as a failed attempt", async () => {
    mockSubscribers(async () => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    });
    const account = uniqueAccount();
    await sendStateChange({ account, action: "Login", eventTime: t0() });
    await fireAlarm(account);
    const list = await deliveries(account);
    expect(list[0]).toMatchObject({ attempts: 1, lastError: "timeout after 10 s", state: "pending" });
  });

  it("stops a delivery on 410 and records it as dead, then lets later events through", async () => {
    let statusCalls = 0;
    const hooks = mockSubscribers(
      (d) => new Response(null, { status: d.subscriber === "status" && statusCalls++ === 0 ? 410 : 204 }),
    );
    const account = uniqueAccount();
    const at = t0();
    await sendStateChange({ account, action: "Login", eventTime: at });
    await fireAlarm(account);
    await sendStateChange({ account, action: "Logout", eventTime: at + 1 });
    await drain(account);
    const dead = (await deliveries(account)).filter((d) => d.state === "dead");
    expect(dead).toMatchObject([
      { subscriber: "status", seq: 1, attempts: 1, lastError: "HTTP 410", nextAttemptAt: null },
    ]);
    expect(hooks.of("status").map((d) => d.payload.data.seq)).toEqual([1, 2]);
  });

  it("dead-letters after the last attempt, releases the queue, and redelivers on request", async () => {
    const hooks = mockSubscribers((d) => new Response(null, { status: d.subscriber === "status" ? 503 : 204 }));
    const account = uniqueAccount();
    const at = t0();
    await sendStateChange({ account, action: "Login", eventTime: at });
    await sendStateChange({ account, action: "Logout", eventTime: at + 1 });
    for (let i = 0; i < MAX_ATTEMPTS; i++) await fireAlarm(account);
    const status = (await deliveries(account)).filter((d) => d.subscriber === "status");
    // the dead letter released the queue: seq 2 was tried in the same run
    expect(status.map((d) => [d.seq, d.state, d.attempts])).toEqual([
      [1, "dead", MAX_ATTEMPTS],
      [2, "pending", 1],
    ]);
    expect(hooks.of("status")).toHaveLength(MAX_ATTEMPTS + 1);

    hooks.answer(() => new Response(null, { status: 204 }));
    await fireAlarm(account); // seq 2's retry goes
    expect(hooks.of("status").at(-1)!.payload.data.seq).toBe(2);

    const res = await apiFetch(`${userPath(account)}/deliveries/redeliver`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ requeued: 1 });
    expect((await deliveries(account)).map((d) => [d.seq, d.state, d.attempts])).toEqual([[1, "pending", 0]]);
    await drain(account);
    const last = hooks.of("status").at(-1)!;
    expect(last.payload.data.seq).toBe(1);
    expect(last.id).toBe(hooks.of("status")[0]!.id);
    expect(await deliveries(account)).toEqual([]);
    expect(hooks.rejected).toEqual([]);
  });

  it("loses nothing when the object is evicted between attempts", async () => {
    const hooks = mockSubscribers(() => new Response(null, { status: 500 }));
    const account = uniqueAccount();
    const at = t0();
    await sendStateChange({ account, action: "Login", eventTime: at });
    await fireAlarm(account);
    await evictDurableObject(stubFor(account));
    await sendStateChange({ account, action: "Logout", eventTime: at + 1 });
    await evictDurableObject(stubFor(account));
    expect((await deliveries(account)).filter((d) => d.subscriber === "all")).toHaveLength(4);
    hooks.answer(() => new Response(null, { status: 204 }));
    await fireAlarm(account);
    await evictDurableObject(stubFor(account));
    await drain(account);
    expect(typesOf(hooks.of("all")).slice(1)).toEqual([
      "device.status_changed",
      "user.status_changed",
      "device.status_changed",
      "user.status_changed",
    ]);
    expect(await deliveries(account)).toEqual([]);
  });

  it(
    "keeps an entry a subscriber still needs when its history slot is reused",
    async () => {
      const hooks = mockSubscribers((d) => new Response(null, { status: d.subscriber === "status" ? 500 : 204 }));
      const account = uniqueAccount();
      const at = t0();
      // HISTORY_LIMIT is 20 in the tests: 45 changes wrap the ring twice while "status" is down.
      for (let i = 0; i < 45; i++) {
        await sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: at + i });
        if (i === 0) await fireAlarm(account);
      }
      // one alarm run makes at most MAX_SENDS_PER_RUN attempts (subrequests), then comes back
      const before = hooks.received.length;
      await fireAlarm(account);
      expect(hooks.received.length - before).toBe(MAX_SENDS_PER_RUN);
      await drain(account);
      hooks.answer(() => new Response(null, { status: 204 }));
      for (let i = 0; i < 5; i++) await fireAlarm(account);
      const status = hooks.of("status").map((d) => d.payload.data.seq);
      expect([...new Set(status)]).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      expect(status.slice(1)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      // once caught up, the spilled entries are gone
      const spilled = await runInDurableObject(stubFor(account), (_i, state) =>
        state.storage.sql.exec("SELECT count(*) AS n FROM spill").one(),
      );
      expect(spilled.n).toBe(0);
      // 45 callbacks and about 200 deliveries.
    },
    MANY_REQUESTS_MS,
  );

  it("an alarm that throws is retried without losing or duplicating a delivery", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount();
    const at = t0();
    await sendStateChange({ account, action: "Login", eventTime: at });
    // The first message signs; the second signature fails inside the alarm.
    const sign = crypto.subtle.sign.bind(crypto.subtle);
    let calls = 0;
    vi.spyOn(crypto.subtle, "sign").mockImplementation((...args: Parameters<SubtleCrypto["sign"]>) => {
      calls++;
      return calls === 2 ? Promise.reject(injectedFault("signing fault")) : sign(...args);
    });
    await expect(fireAlarm(account)).rejects.toThrow(/signing fault/);
    const firstRound = hooks.received.map((d) => d.id);
    expect(firstRound.length).toBeGreaterThanOrEqual(1);
    await evictDurableObject(stubFor(account));
    await fireAlarm(account).catch(() => undefined);
    await drain(account);
    // every message exactly once
    const ids = hooks.received.map((d) => `${d.subscriber}:${d.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(hooks.of("all")).toHaveLength(2);
    expect(hooks.of("status")).toHaveLength(1);
  });

  it("erases pending deliveries with the user", async () => {
    mockSubscribers(() => new Response(null, { status: 500 }));
    const account = uniqueAccount();
    await sendStateChange({ account, action: "Login", eventTime: t0() });
    await fireAlarm(account);
    expect((await deliveries(account)).length).toBeGreaterThan(0);
    expect((await apiFetch(userPath(account), { method: "DELETE" })).status).toBe(204);
    expect(await deliveries(account)).toEqual([]);
    expect(await alarmAt(account)).toBeNull();
  });

  it("deliveries endpoints: auth, never-seen users write nothing, methods", async () => {
    const account = uniqueAccount();
    expect((await apiFetch(`${userPath(account)}/deliveries`, {}, null)).status).toBe(401);
    expect(await deliveries(account)).toEqual([]);
    const redo = await apiFetch(`${userPath(account)}/deliveries/redeliver`, { method: "POST" });
    expect(await redo.json()).toEqual({ requeued: 0 });
    const tables = await runInDurableObject(stubFor(account), (_i, state) =>
      state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
        .toArray(),
    );
    expect(tables).toEqual([]);
    expect((await apiFetch(`${userPath(account)}/deliveries`, { method: "POST" })).status).toBe(405);
    expect((await apiFetch(`${userPath(account)}/deliveries/redeliver`)).status).toBe(405);
  });
});
