// Concurrent callbacks for one user end where the pure reducer says they must.
import { describe, expect, it } from "vitest";
import { fold } from "../support/events";
import { toSnapshot } from "../../src/presence/snapshot";
import type { AccountId, AppId, PresenceEvent } from "../../src/presence/types";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";

const PLATFORMS = ["IOS", "Android", "Windows", "Web", "macOS"] as const;
const CANONICAL: Record<(typeof PLATFORMS)[number], PresenceEvent["platform"]> = {
  IOS: "iOS",
  Android: "Android",
  Windows: "Windows",
  Web: "Web",
  macOS: "Mac",
};
const ACTIONS = [
  ["Login", "Register"],
  ["Logout", "Unregister"],
  ["Disconnect", "LinkClose"],
  ["Disconnect", "TimeOut"],
] as const;

describe("concurrency", () => {
  it("50 concurrent callbacks for one user end in the deterministic state", async () => {
    const account = uniqueAccount();
    const t0 = Date.now() - 60_000;
    // Deterministic pseudo-random mix with many equal EventTimes.
    const sent = Array.from({ length: 50 }, (_, i) => {
      const [action, reason] = ACTIONS[(i * 7) % ACTIONS.length]!;
      const platform = PLATFORMS[(i * 3) % PLATFORMS.length]!;
      const kicked = action === "Login" && i % 5 === 0 ? [PLATFORMS[(i + 1) % PLATFORMS.length]!] : [];
      return { action, reason, platform, eventTime: t0 + (i % 6), kicked, clientIp: `10.0.0.${i % 3}` };
    });
    const responses = await Promise.all(
      sent.map((s) =>
        sendStateChange(
          { account, action: s.action, reason: s.reason, eventTime: s.eventTime, kicked: s.kicked },
          { optPlatform: s.platform, clientIp: s.clientIp },
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(sent.map(() => 200));

    const oracle = fold(
      sent.map((s) => ({
        action: s.action,
        reason: s.reason,
        platform: CANONICAL[s.platform],
        eventTime: s.eventTime,
        receivedAt: 0,
        clientIp: s.clientIp,
        kicked: s.kicked.map((k) => CANONICAL[k]),
        customStatus: null,
      })),
    );
    const expected = toSnapshot(TEST_APP as AppId, account as AccountId, oracle);
    const actual = await getSnapshot(account);
    expect(actual.platforms).toEqual(expected.platforms);
    expect(actual.status).toBe(expected.status);

    const { events } = (await (await apiFetch(`${userPath(account)}/events?limit=100`)).json()) as {
      events: { seq: number }[];
    };
    // HISTORY_LIMIT is 20 in tests: the newest 20 of 50, with no gap or repeat in seq.
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 50 - i));
  });
});
