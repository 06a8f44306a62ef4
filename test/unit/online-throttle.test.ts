// At most one call an interval, of the latest, retried when it fails: how counts are pushed
// (shard → totals object → watch hubs). Fake timers stand in for the interval.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Throttle } from "../../src/online/throttle";
import { injectedFault } from "../support/expected-output";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A throttle whose calls record the value current when each starts. */
function recorder(fail: () => boolean = () => false) {
  let value = 0;
  const calls: number[] = [];
  const errors: unknown[] = [];
  const throttle = new Throttle(
    async () => {
      calls.push(value);
      if (fail()) throw injectedFault("push refused");
    },
    1000,
    (error) => errors.push(error),
  );
  return {
    throttle,
    calls,
    errors,
    set(v: number) {
      value = v;
      throttle.changed();
    },
  };
}

describe("Throttle", () => {
  it("the first change goes out at once; changes within the interval fold into one call after it", async () => {
    const r = recorder();
    r.set(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.calls).toEqual([1]);
    r.set(2);
    r.set(3);
    r.set(4);
    await vi.advanceTimersByTimeAsync(999);
    expect(r.calls).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.calls).toEqual([1, 4]);
    expect(r.throttle.idle).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(r.calls).toEqual([1, 4]); // nothing changed: no call
  });

  it("a failed call is retried an interval later, with the latest value", async () => {
    let failing = true;
    const r = recorder(() => failing);
    r.set(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.calls).toEqual([1]);
    expect(r.errors).toHaveLength(1);
    expect(r.throttle.idle).toBe(false);
    r.set(2);
    failing = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.calls).toEqual([1, 2]);
    expect(r.throttle.idle).toBe(true);
  });

  it("settled() resolves once everything changed so far went out", async () => {
    const r = recorder();
    await r.throttle.settled(); // nothing to send
    r.set(1);
    r.set(2);
    let settled = false;
    const waiting = r.throttle.settled().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false); // the second change waits for its turn
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
    expect(r.calls).toEqual([1, 2]);
  });

  it("waits by its timer, not by the clock: a fixed Date does not hold a call back", async () => {
    const r = recorder();
    r.set(1);
    await vi.advanceTimersByTimeAsync(0);
    r.set(2);
    vi.setSystemTime(0); // the clock steps back
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.calls).toEqual([1, 2]);
  });
});
