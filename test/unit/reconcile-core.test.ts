import { describe, expect, it } from "vitest";
import { batchAnswer, observationOf } from "../../src/reconcile/answer";
import { RETRY_DELAYS_MS, retryDelay } from "../../src/reconcile/backoff";
import { isDue, nextCheckAt } from "../../src/reconcile/deadline";
import { VerificationQueue } from "../../src/reconcile/queue";
import { freeSlots, nextSlotAt } from "../../src/reconcile/rate";
import { EMPTY_STATS, failuresOf, misconfigured, recordCall } from "../../src/reconcile/stats";
import type { AccountId } from "../../src/presence/types";

const a = (s: string) => s as AccountId;
const HOUR = 3_600_000;

describe("staleness deadline", () => {
  it("an online or disconnected user is due an interval after its last callback or check", () => {
    expect(nextCheckAt({ status: "online", lastCallbackAt: 1000, lastCheckAt: null, afterMs: HOUR })).toBe(1000 + HOUR);
    expect(nextCheckAt({ status: "disconnected", lastCallbackAt: 1000, lastCheckAt: 5000, afterMs: HOUR })).toBe(
      5000 + HOUR,
    );
    expect(isDue({ status: "online", lastCallbackAt: 0, lastCheckAt: null, afterMs: HOUR }, HOUR)).toBe(true);
    expect(isDue({ status: "online", lastCallbackAt: 1, lastCheckAt: null, afterMs: HOUR }, HOUR)).toBe(false);
  });

  it("an offline or unknown user, or checks turned off, is never due", () => {
    expect(nextCheckAt({ status: "offline", lastCallbackAt: 0, lastCheckAt: null, afterMs: HOUR })).toBeNull();
    expect(nextCheckAt({ status: "unknown", lastCallbackAt: null, lastCheckAt: null, afterMs: HOUR })).toBeNull();
    expect(nextCheckAt({ status: "online", lastCallbackAt: 0, lastCheckAt: null, afterMs: null })).toBeNull();
  });
});

describe("failure backoff", () => {
  it("1 min, 5 min, 30 min, then back to the normal interval (null)", () => {
    expect([1, 2, 3, 4].map(retryDelay)).toEqual([60_000, 300_000, 1_800_000, null]);
    expect(RETRY_DELAYS_MS).toHaveLength(3);
    expect(retryDelay(0)).toBeNull();
  });
});

describe("rate window", () => {
  it("allows maxRps call starts in any one second", () => {
    expect(freeSlots([], 10_000, 3)).toBe(3);
    expect(freeSlots([9_500, 9_600], 10_000, 3)).toBe(1);
    expect(freeSlots([9_000, 9_500, 9_600], 10_000, 3)).toBe(1); // 9000 left the window
    expect(nextSlotAt([9_500, 9_600, 9_700], 10_000, 3)).toBe(10_500);
    expect(nextSlotAt([9_500], 10_000, 3)).toBe(10_000);
  });
});

describe("verification queue", () => {
  it("holds an account once, hands out the oldest first, up to the batch size", () => {
    const q = new VerificationQueue();
    for (const s of ["x", "y", "x", "z"]) q.add(a(s), 0);
    expect(q.oldestReadyAt()).toBe(0);
    expect(q.size).toBe(3);
    expect(q.take(0, 2).map((p) => p.account)).toEqual(["x", "y"]);
    expect(q.take(0, 2).map((p) => p.account)).toEqual(["z"]);
    expect(q.nextDueAt(0)).toBeNull();
  });

  it("keeps retries until due, with their failure count", () => {
    const q = new VerificationQueue();
    q.retryAt(a("x"), 60_000, 1);
    q.retryAt(a("y"), 300_000, 2);
    expect(q.take(59_999, 10)).toEqual([]);
    expect(q.nextDueAt(0)).toBe(60_000);
    expect(q.take(60_000, 10)).toEqual([{ account: "x", failures: 1 }]);
    expect(q.take(300_000, 10)).toEqual([{ account: "y", failures: 2 }]);
  });

  it("the backoff holds whatever asks: a user's own request does not bring its retry forward", () => {
    const q = new VerificationQueue();
    q.retryAt(a("x"), 60_000, 1);
    // The user's alarm asks 3 s later (a short interval): it is told when the retry is due.
    expect(q.add(a("x"), 3_000)).toBe(60_000);
    expect(q.take(3_000, 10)).toEqual([]);
    expect(q.retryOf(a("x"))).toEqual({ dueAt: 60_000, failures: 1 });
    // Once due, a request joins the retry itself: one call, with its failure count.
    expect(q.add(a("x"), 60_000)).toBeNull();
    expect(q.take(60_000, 10)).toEqual([{ account: "x", failures: 1 }]);
  });

  it("a failed call holds an account asked for again while the call was going", () => {
    const q = new VerificationQueue();
    q.add(a("x"), 0);
    expect(q.take(0, 10)).toEqual([{ account: "x", failures: 0 }]);
    q.add(a("x"), 3_000); // the user's alarm, while its verification is in flight
    q.retryAt(a("x"), 60_000, 1); // that verification failed
    expect(q.take(3_000, 10)).toEqual([]);
    expect(q.nextDueAt(3_000)).toBe(60_000);
  });

  it("the on-demand endpoint takes an account out, keeping its failure count for its own retry", () => {
    const q = new VerificationQueue();
    q.retryAt(a("x"), 300_000, 2);
    q.add(a("y"), 0);
    expect(q.remove(a("x"))).toBe(2);
    expect(q.remove(a("y"))).toBe(0);
    expect(q.remove(a("z"))).toBe(0);
    expect(q.size).toBe(0);
  });
});

describe("answers to observations", () => {
  it("maps per platform, drops Offline details, and leaves an online answer without detail alone", () => {
    expect(
      observationOf(
        { status: "online", platforms: { iOS: "online", Web: "disconnected", Mac: "offline" }, customStatus: null },
        7,
      ),
    ).toEqual({ at: 7, platforms: { iOS: "online", Web: "disconnected" } });
    expect(observationOf({ status: "offline", platforms: {}, customStatus: null }, 7)).toEqual({
      at: 7,
      platforms: {},
    });
    expect(observationOf({ status: "online", platforms: {}, customStatus: null }, 7)).toBeNull();
  });

  it("a not-imported account is offline everywhere; one left out is retried", () => {
    const r = batchAnswer(
      [a("x"), a("ghost"), a("lost")],
      new Map([[a("x"), { status: "online" as const, platforms: { iOS: "online" as const }, customStatus: null }]]),
      [a("ghost")],
      9,
    );
    expect([...r.observations]).toEqual([
      ["x", { at: 9, platforms: { iOS: "online" } }],
      ["ghost", { at: 9, platforms: {} }],
    ]);
    expect(r.unanswered).toEqual(["lost"]);
  });
});

describe("misconfiguration", () => {
  it("a key error shows until a later call succeeds; a passing Tencent error does not show", () => {
    const bad = { ...EMPTY_STATS, lastError: { at: 10, message: "x", errorCode: 70009 } };
    expect(misconfigured(bad)).toBe(true);
    expect(misconfigured({ ...bad, lastOkAt: 11 })).toBe(false);
    expect(misconfigured({ ...bad, lastError: { at: 10, message: "x", errorCode: 70500 } })).toBe(false);
  });
});

describe("stats of a call", () => {
  it("a failed call counts as a call and an error, and changes nothing else", () => {
    const failure = { message: "HTTP 502", errorCode: null, accounts: 3 };
    const after = recordCall(EMPTY_STATS, { at: 50, ok: false, failure });
    expect(after).toEqual({
      ...EMPTY_STATS,
      calls: 1,
      lastRunAt: 50,
      errors: 1,
      lastError: { at: 50, message: "HTTP 502", errorCode: null },
    });
  });

  it("an answered call adds what was verified and corrected; its partial failures each count, the last shows", () => {
    const before = { ...EMPTY_STATS, calls: 4, accountsVerified: 10, corrections: 2, lastOkAt: 1 };
    const failures = [
      { message: "no answer for 1 account(s)", errorCode: 70500, accounts: 1 },
      { message: "user objects refused 2 answer(s)", errorCode: null, accounts: 2 },
    ];
    const after = recordCall(before, { at: 60, ok: true, verified: 7, corrections: 3, failures });
    expect(after).toEqual({
      calls: 5,
      accountsVerified: 17,
      corrections: 5,
      errors: 2,
      lastError: { at: 60, message: "user objects refused 2 answer(s)", errorCode: null },
      lastRunAt: 60,
      lastOkAt: 60,
    });
    expect(failuresOf({ at: 60, ok: true, verified: 7, corrections: 3, failures })).toBe(failures);
  });

  it("a clean call leaves the last error where it was (misconfiguration clears by lastOkAt, not by forgetting)", () => {
    const bad = { ...EMPTY_STATS, lastError: { at: 10, message: "x", errorCode: 70009 } };
    const after = recordCall(bad, { at: 20, ok: true, verified: 1, corrections: 0, failures: [] });
    expect(after.lastError).toEqual(bad.lastError);
    expect(after.errors).toBe(0);
    expect(misconfigured(after)).toBe(false);
  });
});
