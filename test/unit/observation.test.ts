import { describe, expect, it } from "vitest";
import {
  applyObservation,
  callbacksOnly,
  OBSERVATION_LIMIT,
  RECONCILED_REASON,
  reduceUnderObservations,
} from "../../src/presence/observation";
import { EMPTY_STATE } from "../../src/presence/reducer";
import type { Observation, PresenceState } from "../../src/presence/types";
import * as core from "../../src/presence";
import { ev, fold, foldMixed } from "../support/events";

const seen = (at: number, platforms: Observation["platforms"]): Observation => ({ at, platforms });
/** The state as the shell loads it after an eviction: parsed from the history row's JSON. */
const reloaded = (s: PresenceState): PresenceState => JSON.parse(JSON.stringify(s)) as PresenceState;

describe("reconcile answers: corrections", () => {
  it("a ghost (Logout lost) is healed: offline at Q, reason Reconciled, one user.status_changed", () => {
    const s = fold([ev({ platform: "iOS", eventTime: 10, clientIp: "1.2.3.4" })]);
    const r = applyObservation(s, seen(100, {}));
    expect(r.changed).toBe(true);
    expect(r.state.platforms.iOS).toEqual({
      status: "offline",
      reason: RECONCILED_REASON,
      since: 100,
      clientIp: null,
      by: null,
    });
    expect(r.state).toMatchObject({ onlineSince: null, lastSeen: 100, updatedAt: 100, version: 2 });
    expect(r.effects).toEqual([
      { kind: "device.status_changed", platform: "iOS", from: "online", to: "offline", reason: RECONCILED_REASON },
      { kind: "user.status_changed", from: "online", to: "offline", at: 100 },
    ]);
  });

  it("a true online user is untouched: nothing changes, nothing is published", () => {
    const s = fold([ev({ platform: "iOS", eventTime: 10 })]);
    const r = applyObservation(s, seen(100, { iOS: "online" }));
    expect(r.changed).toBe(false);
    expect(r.effects).toEqual([]);
    expect(r.state.platforms).toEqual(s.platforms);
    expect(r.state.version).toBe(s.version);
  });

  it("per platform: PushOnline becomes disconnected, an unlisted platform offline, a listed one online", () => {
    const s = fold([ev({ platform: "iOS", eventTime: 10 }), ev({ platform: "Web", eventTime: 11 })]);
    const r = applyObservation(s, seen(100, { iOS: "disconnected", Android: "online" }));
    expect(r.state.platforms.iOS).toMatchObject({ status: "disconnected", reason: RECONCILED_REASON, since: 100 });
    expect(r.state.platforms.Web).toMatchObject({ status: "offline", reason: RECONCILED_REASON, since: 100 });
    expect(r.state.platforms.Android).toMatchObject({ status: "online", reason: RECONCILED_REASON, since: 100 });
    expect(r.state.onlineSince).toBe(100);
    expect(r.effects.map((e) => e.kind)).toEqual([
      "device.status_changed",
      "device.status_changed",
      "device.status_changed",
    ]);
  });

  it("a platform never seen that Tencent does not list stays unseen; an unknown user stays unknown", () => {
    const r = applyObservation(EMPTY_STATE, seen(100, {}));
    expect(r.changed).toBe(false);
    expect(r.state.platforms).toEqual({});
  });

  it("a callback newer than Q wins (it raced the query), whichever arrives first", () => {
    const base = [ev({ platform: "iOS", eventTime: 10 })];
    const logout = ev({ action: "Logout", reason: "Unregister", eventTime: 150 });
    const a = foldMixed([
      ...base.map((callback) => ({ callback })),
      { observation: seen(100, { iOS: "online" }) },
      { callback: logout },
    ]);
    const b = foldMixed([
      ...base.map((callback) => ({ callback })),
      { callback: logout },
      { observation: seen(100, { iOS: "online" }) },
    ]);
    expect(a.platforms.iOS).toMatchObject({ status: "offline", reason: "Unregister", since: 150 });
    expect(b.platforms.iOS).toEqual(a.platforms.iOS);
    const login = ev({ platform: "iOS", eventTime: 150 });
    const c = applyObservation(fold([ev({ eventTime: 10 }), login]), seen(100, {}));
    expect(c.changed).toBe(false);
  });

  it("'online at Q' and a delayed Login at t < Q end the same in either order: the Login's since and reason", () => {
    const before = ev({ action: "Logout", reason: "Unregister", eventTime: 5 });
    const login = ev({ eventTime: 50, clientIp: "9.9.9.9" });
    const answer = { observation: seen(100, { iOS: "online" }) };
    const first = foldMixed([{ callback: before }, { callback: login }, answer]);
    const second = foldMixed([{ callback: before }, answer, { callback: login }]);
    expect(first.platforms.iOS).toEqual({
      status: "online",
      reason: "Register",
      since: 50,
      clientIp: "9.9.9.9",
      by: null,
    });
    expect(second.platforms.iOS).toEqual(first.platforms.iOS);
    expect(second.onlineSince).toBe(50);
  });

  it("a corrected platform confirmed again does not move: since stays at the first Q", () => {
    const s = applyObservation(
      fold([ev({ eventTime: 10 }), ev({ platform: "Web", eventTime: 11 })]),
      seen(100, { Web: "online" }),
    ).state;
    const again = applyObservation(s, seen(200, { Web: "online" }));
    expect(again.changed).toBe(false);
    expect(again.state.platforms.iOS).toMatchObject({ status: "offline", since: 100 });
  });

  it("a later callback takes over from a correction; the callbacks' own state is kept apart", () => {
    const healed = applyObservation(fold([ev({ eventTime: 10 })]), seen(100, {})).state;
    const r = reduceUnderObservations(healed, ev({ eventTime: 300 }));
    expect(r.outcome).toBe("applied");
    expect(r.state.platforms.iOS).toMatchObject({ status: "online", reason: "Register", since: 300 });
    expect(r.effects.map((e) => e.kind)).toEqual(["device.status_changed", "user.status_changed"]);
    expect(callbacksOnly(r.state).version).toBe(2);
    expect(r.state.version).toBe(3);
  });

  it("an exact repeat of an answer is no change and the same state", () => {
    const s = applyObservation(fold([ev({ eventTime: 10 })]), seen(100, {})).state;
    const r = applyObservation(s, seen(100, {}));
    expect(r.state).toBe(s);
    expect(r.changed).toBe(false);
  });
});

describe("reconcile answers: an agreeing answer writes nothing (issue #19)", () => {
  // Login → Disconnect → healed offline → Login → Logout → verified again, through the front door.
  const sequence = () => {
    let s = core.reduce(core.EMPTY_STATE, ev({ eventTime: 10 })).state;
    s = core.reduce(s, ev({ action: "Disconnect", reason: "LinkClose", eventTime: 20 })).state;
    const healed = core.observe(s, seen(100, {}));
    expect(healed.changed).toBe(true);
    s = core.reduce(healed.state, ev({ eventTime: 200 })).state;
    return core.reduce(s, ev({ action: "Logout", reason: "Unregister", eventTime: 300 })).state;
  };

  it("is a confirmation in memory", () => {
    const s = sequence();
    const r = core.observe(s, seen(400, {}));
    expect(r).toMatchObject({ changed: false, effects: [] });
    expect(r.state.version).toBe(s.version);
  });

  it("is a confirmation after the state was loaded from storage again", () => {
    const s = reloaded(sequence());
    const r = core.observe(s, seen(400, {}));
    expect(r).toMatchObject({ changed: false, effects: [] });
    expect(core.snapshot("1" as never, "lee" as never, r.state)).toEqual(
      core.snapshot("1" as never, "lee" as never, s),
    );
  });

  it("a kick list is compared by value: a reloaded user with kicks is confirmed too", () => {
    const kicked = core.reduce(
      core.observe(fold([ev({ platform: "Web", eventTime: 5 })]), seen(50, { Web: "online" })).state,
      ev({ eventTime: 60, kicked: ["Web"] }),
    ).state;
    const r = core.observe(reloaded(kicked), seen(70, { iOS: "online" }));
    expect(r.changed).toBe(false);
  });
});

describe("reconcile answers: a callback hidden by a newer answer (SPEC §3)", () => {
  it("a late Login at t < Q after 'offline at Q' changes nothing shown: stale, no effect, no version", () => {
    const healed = core.observe(fold([ev({ eventTime: 10 })]), seen(100, {})).state;
    const r = core.reduce(healed, ev({ eventTime: 50, clientIp: "9.9.9.9" }));
    expect(r.outcome).toBe("stale");
    expect(r.effects).toEqual([]);
    expect(r.state.version).toBe(healed.version);
    expect(core.snapshot("1" as never, "a" as never, r.state)).toEqual(
      core.snapshot("1" as never, "a" as never, healed),
    );
    // The registers took it: were the answer's platform to come back, the Login is there.
    expect(callbacksOnly(r.state).platforms.iOS).toMatchObject({ status: "online", since: 50 });
  });

  it("a late Login whose kick of another platform shows is applied, with that kick's effects only", () => {
    const both = fold([ev({ eventTime: 10 }), ev({ platform: "Web", eventTime: 11 })]);
    const healed = core.observe(both, seen(100, { Web: "online" })).state;
    const r = core.reduce(healed, ev({ eventTime: 50, kicked: ["Web"] }));
    expect(r.outcome).toBe("applied");
    expect(r.state.version).toBe(healed.version + 1);
    expect(r.state.platforms.iOS).toEqual(healed.platforms.iOS);
    expect(r.effects.map((e) => e.kind)).toEqual(["device.kicked"]);
  });

  it("a late Disconnect hidden by 'offline at Q' moves only lastSeen, and is stale like a late leave", () => {
    const healed = core.observe(fold([ev({ eventTime: 10 })]), seen(100, {})).state;
    const r = core.reduce(healed, ev({ action: "Disconnect", reason: "LinkClose", eventTime: 50 }));
    expect(r.outcome).toBe("stale");
    expect(r.state.version).toBe(healed.version);
    expect(r.state.platforms).toEqual(healed.platforms);
  });
});

describe("reconcile answers: the race at exactly Q (a callback with EventTime = Q wins)", () => {
  const Q = 100;
  const logoutAtQ = ev({ action: "Logout", reason: "Unregister", eventTime: Q });
  const onlineAtQ = { observation: seen(Q, { iOS: "online" }) };

  it("a Logout at Q beats 'online at Q', whichever arrives first", () => {
    const login = { callback: ev({ eventTime: 10 }) };
    const answerFirst = foldMixed([login, onlineAtQ, { callback: logoutAtQ }]);
    const callbackFirst = foldMixed([login, { callback: logoutAtQ }, onlineAtQ]);
    for (const s of [answerFirst, callbackFirst]) {
      expect(s.platforms.iOS).toEqual({ status: "offline", reason: "Unregister", since: Q, clientIp: null, by: null });
    }
    expect(core.observe(fold([ev({ eventTime: 10 }), logoutAtQ]), seen(Q, { iOS: "online" })).changed).toBe(false);
  });

  it("a Login at Q beats 'offline at Q', whichever arrives first", () => {
    const logout = { callback: ev({ action: "Logout", reason: "Unregister", eventTime: 10 }) };
    const loginAtQ = { callback: ev({ eventTime: Q, clientIp: "9.9.9.9" }) };
    const offlineAtQ = { observation: seen(Q, {}) };
    const answerFirst = foldMixed([logout, offlineAtQ, loginAtQ]);
    const callbackFirst = foldMixed([logout, loginAtQ, offlineAtQ]);
    for (const s of [answerFirst, callbackFirst]) {
      expect(s.platforms.iOS).toEqual({
        status: "online",
        reason: "Register",
        since: Q,
        clientIp: "9.9.9.9",
        by: null,
      });
    }
  });
});

describe("reconcile answers: the bounded memory", () => {
  it("keeps at most OBSERVATION_LIMIT answers, never changing what is shown to stay within it", () => {
    let s = applyObservation(
      fold([ev({ eventTime: 10 }), ev({ platform: "Web", eventTime: 11 })]),
      seen(100, { Web: "online" }),
    ).state;
    const healed = s;
    for (let i = 1; i <= 3 * OBSERVATION_LIMIT; i++) {
      const r = applyObservation(s, seen(100 + i * 10, { Web: "online" }));
      expect(r.changed).toBe(false);
      s = r.state;
    }
    expect(s.reconcile!.observations.length).toBeLessThanOrEqual(OBSERVATION_LIMIT);
    expect(s.platforms).toEqual(healed.platforms);
    expect(s.platforms.iOS).toMatchObject({ status: "offline", since: 100 });
  });
});
