// RETENTION_DAYS as a deadline of the user object (src/user/retention.ts): when it asks for
// the alarm, and what it does when the alarm runs. The integration side (erasure of storage,
// deliveries holding it back) is in test/with-subscribers/grace/retention.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LoadedUser } from "../../src/user/history-store";
import { RetentionDeadline } from "../../src/user/retention";
import type { CommittedChange } from "../../src/user/concern";
import { EMPTY_STATE } from "../../src/presence/reducer";
import type { AccountId, AppId } from "../../src/presence/types";

const R = 86_400_000;

const userActiveAt = (lastActivity: number): LoadedUser => ({
  app: "1400000000" as AppId,
  account: "u" as AccountId,
  state: EMPTY_STATE,
  stateText: JSON.stringify(EMPTY_STATE),
  seq: 1,
  lastActivity,
  indexKey: null,
});

const changeOf = (user: LoadedUser) => ({ user }) as unknown as CommittedChange;

function deadline(opts: { retentionMs?: number | null; user?: LoadedUser | null; pending?: boolean }) {
  const erase = vi.fn(() => Promise.resolve());
  const user = opts.user === undefined ? userActiveAt(1_000) : opts.user;
  const d = new RetentionDeadline(
    opts.retentionMs === undefined ? R : opts.retentionMs,
    () => user,
    () => opts.pending ?? false,
    erase,
  );
  return { d, erase };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("after a commit", () => {
  it("asks for the alarm at the end of the window when none is set", () => {
    const { d } = deadline({});
    expect(d.wakeAfterChange(changeOf(userActiveAt(5_000)), null)).toBe(5_000 + R);
  });

  it("asks nothing when an alarm is set (it looks again when it runs) or retention is off", () => {
    expect(deadline({}).d.wakeAfterChange(changeOf(userActiveAt(5_000)), 7_000)).toBeNull();
    expect(deadline({ retentionMs: null }).d.wakeAfterChange(changeOf(userActiveAt(5_000)), null)).toBeNull();
  });
});

describe("in the alarm", () => {
  it("before the end of the window: waits until then, erases nothing", async () => {
    vi.useFakeTimers({ now: 1_000 + R - 1 });
    const { d, erase } = deadline({});
    expect(await d.onAlarm()).toBe(1_000 + R);
    expect(erase).not.toHaveBeenCalled();
  });

  it("at the end of the window: erases, and asks for no further alarm", async () => {
    vi.useFakeTimers({ now: 1_000 + R });
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const { d, erase } = deadline({});
    expect(await d.onAlarm()).toBeNull();
    expect(erase).toHaveBeenCalledTimes(1);
  });

  it("past due with deliveries pending: holds, and leaves the next delivery run to look again", async () => {
    vi.useFakeTimers({ now: 1_000 + 2 * R });
    const { d, erase } = deadline({ pending: true });
    expect(await d.onAlarm()).toBeNull();
    expect(erase).not.toHaveBeenCalled();
  });

  it("judges the user as it is now, not as the alarm found it", async () => {
    vi.useFakeTimers({ now: 1_000 + R });
    // A callback during the alarm's awaits moved the last activity on.
    const { d, erase } = deadline({ user: userActiveAt(1_000 + R - 10) });
    expect(await d.onAlarm()).toBe(1_000 + 2 * R - 10);
    expect(erase).not.toHaveBeenCalled();
  });

  it("does nothing without retention or without a user", async () => {
    expect(await deadline({ retentionMs: null }).d.onAlarm()).toBeNull();
    expect(await deadline({ user: null }).d.onAlarm()).toBeNull();
  });
});
