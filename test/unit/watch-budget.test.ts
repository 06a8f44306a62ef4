// A connection's snapshot budget and the checks before a subscribe, the app's counts included
// (pure parts of the hub).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccountId, AppId } from "../../src/presence/types";
import { connectionOf, type Connection } from "../../src/watch/hub-state";
import { fullBudget, SNAPSHOT_BUDGET, spend, type Budget } from "../../src/watch/snapshot-budget";
import {
  COUNTS_FORBIDDEN,
  COUNTS_NOT_CONFIGURED,
  gateSubscribe,
  type SubscribeRequest,
} from "../../src/watch/subscribe-gate";

const t0 = 1_700_000_000_000;
const ids = (n: number, prefix = "u") => Array.from({ length: n }, (_, i) => `${prefix}${i}` as AccountId);

describe("snapshot budget", () => {
  it("3 000 at once, then refused with when to come back; refilled at 3 000 a minute", () => {
    let budget: Budget = fullBudget(t0);
    for (let i = 0; i < 3; i++) {
      const spent = spend(budget, 1000, t0);
      expect(spent.ok).toBe(true);
      if (spent.ok) budget = spent.budget;
    }
    expect(spend(budget, 1000, t0)).toEqual({ ok: false, left: 0, retryInMs: 20_000 });
    expect(spend(budget, 1000, t0 + 19_999)).toMatchObject({ ok: false, left: 999 });
    expect(spend(budget, 1000, t0 + 20_000)).toMatchObject({ ok: true, budget: { left: 0 } });
    expect(spend(budget, 3000, t0 + 3_600_000)).toMatchObject({ ok: true, budget: { left: 0 } }); // no more than full
    expect(spend(budget, 1, t0 - 60_000)).toMatchObject({ ok: false }); // a clock stepping back refills nothing
  });

  it("in any window of W ms, at most 3 000 + 50 per second × W are granted", () => {
    const step = fc.record({ wait: fc.integer({ min: 0, max: 30_000 }), reads: fc.integer({ min: 1, max: 1000 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        let budget = fullBudget(t0);
        let now = t0;
        const granted: { at: number; reads: number }[] = [];
        for (const { wait, reads } of steps) {
          now += wait;
          const spent = spend(budget, reads, now);
          if (spent.ok) {
            budget = spent.budget;
            granted.push({ at: now, reads });
          }
        }
        for (const first of granted) {
          for (const last of granted.filter((g) => g.at >= first.at)) {
            const within = granted.filter((g) => g.at >= first.at && g.at <= last.at).reduce((n, g) => n + g.reads, 0);
            expect(within).toBeLessThanOrEqual(
              SNAPSHOT_BUDGET + ((last.at - first.at) * SNAPSHOT_BUDGET) / 60_000 + 1e-6,
            );
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("gateSubscribe", () => {
  const open = {
    mode: "websocket",
    app: "1400000001" as AppId,
    scope: null,
    key: "k",
    credential: "key:k",
    countsAllowed: true,
  } as const;
  const accounts = (n: number) => ({ accounts: ids(n), counts: false });
  const gate = (connection: Connection, keys: string[], request: SubscribeRequest, indexOn = true) =>
    gateSubscribe(connection, new Set(keys), request, t0, indexOn);

  it("refuses an expired token, a revoked key, a bad plan, then an empty budget, in that order", () => {
    const expired = connectionOf({ ...open, expiresAt: t0 }, t0);
    expect(gate(expired, [], accounts(1))).toMatchObject({ ok: false, error: "token_expired" });
    const live = connectionOf({ ...open, expiresAt: t0 + 60_000 }, t0);
    expect(gate(live, ["other"], accounts(1))).toMatchObject({ ok: false, error: "token_revoked" });
    expect(gate(live, ["k"], accounts(1))).toMatchObject({ ok: true, added: ["u0"], counts: false });

    live.budget = { left: 10, at: t0 };
    expect(gate(live, ["k"], accounts(1001))).toMatchObject({ error: "too_many_accounts" });
    expect(gate(live, ["k"], accounts(11))).toEqual({
      ok: false,
      error: "rate_limited",
      message:
        "this subscribe needs 11 snapshots and this connection has 10 left (3000 a minute): send it again in 1 s, and re-subscribe only the accounts whose version jumped",
    });
    // Duplicates in a message are one snapshot each.
    expect(gate(live, ["k"], { accounts: [...ids(10), ...ids(10)], counts: false })).toMatchObject({
      ok: true,
      budget: { left: 0, at: t0 },
    });
  });

  it("lets the counts through only for a credential allowed them and with the index on; they cost one read", () => {
    const withCounts = { accounts: ids(2), counts: true };
    const token = connectionOf({ ...open, expiresAt: t0 + 60_000, countsAllowed: false }, t0);
    expect(gate(token, ["k"], withCounts)).toEqual({ ok: false, error: "forbidden", message: COUNTS_FORBIDDEN });
    expect(COUNTS_FORBIDDEN).toContain('{"counts":true}');
    // The whole message is refused: its accounts are not watched either.
    expect(gate(token, ["k"], accounts(2))).toMatchObject({ ok: true });

    const api = connectionOf({ ...open, expiresAt: null }, t0);
    expect(gate(api, ["k"], withCounts, false)).toEqual({
      ok: false,
      error: "not_configured",
      message: COUNTS_NOT_CONFIGURED,
    });
    expect(gate(api, ["k"], { accounts: [], counts: true })).toMatchObject({ ok: true, counts: true, snapshots: [] });
    api.budget = { left: 2, at: t0 };
    expect(gate(api, ["k"], withCounts)).toMatchObject({ error: "rate_limited", message: /needs 3 snapshots/ });
    expect(gate(api, ["k"], { accounts: ids(1), counts: true })).toMatchObject({ ok: true, budget: { left: 0 } });
    // Expiry and revocation come first, as for accounts.
    const expired = connectionOf({ ...open, expiresAt: t0, countsAllowed: false }, t0);
    expect(gate(expired, ["k"], withCounts)).toMatchObject({ error: "token_expired" });
  });
});
