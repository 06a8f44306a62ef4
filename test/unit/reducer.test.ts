import { describe, expect, it } from "vitest";
import { EMPTY_STATE, KICK_LIMIT, reduce, userStatus } from "../../src/presence/reducer";
import { ev, fold } from "../support/events";

describe("reduce: transitions", () => {
  it("Login puts the platform online with reason, since and client IP", () => {
    const r = reduce(EMPTY_STATE, ev({ eventTime: 5, clientIp: "1.2.3.4" }));
    expect(r.outcome).toBe("applied");
    expect(r.state.platforms.iOS).toEqual({
      status: "online",
      reason: "Register",
      since: 5,
      clientIp: "1.2.3.4",
      by: null,
    });
    expect(r.state.version).toBe(1);
    expect(userStatus(r.state.platforms)).toBe("online");
  });

  it("Logout puts the platform offline", () => {
    const s = fold([ev({ eventTime: 1 }), ev({ action: "Logout", reason: "Unregister", eventTime: 2 })]);
    expect(s.platforms.iOS?.status).toBe("offline");
    expect(s.platforms.iOS?.reason).toBe("Unregister");
    expect(userStatus(s.platforms)).toBe("offline");
  });

  it("Disconnect (LinkClose or TimeOut) puts the platform disconnected", () => {
    const s = fold([ev({ eventTime: 1 }), ev({ action: "Disconnect", reason: "TimeOut", eventTime: 2 })]);
    expect(s.platforms.iOS).toMatchObject({ status: "disconnected", reason: "TimeOut", since: 2 });
    expect(userStatus(s.platforms)).toBe("disconnected");
  });

  it("a login kicks the listed platforms offline before going online", () => {
    const s0 = fold([ev({ platform: "Windows", eventTime: 1 }), ev({ platform: "Android", eventTime: 2 })]);
    const r = reduce(s0, ev({ platform: "iOS", eventTime: 3, kicked: ["Windows", "Android"] }));
    expect(r.outcome).toBe("applied");
    expect(r.state.platforms.Windows).toEqual({
      status: "offline",
      reason: "Kicked",
      since: 3,
      clientIp: null,
      by: "iOS",
    });
    expect(r.state.platforms.Android?.status).toBe("offline");
    expect(r.state.platforms.iOS?.status).toBe("online");
    expect(r.state.kicks).toEqual([
      { platform: "Android", at: 3, by: "iOS" },
      { platform: "Windows", at: 3, by: "iOS" },
    ]);
    expect(r.effects.map((e) => e.kind)).toEqual([
      "device.kicked",
      "device.status_changed",
      "device.kicked",
      "device.status_changed",
      "device.status_changed",
    ]);
  });

  it("a kick of a platform never seen still records it offline (newer SDKs send no Logout)", () => {
    const r = reduce(EMPTY_STATE, ev({ platform: "iOS", eventTime: 3, kicked: ["Web"] }));
    expect(r.state.platforms.Web).toMatchObject({ status: "offline", reason: "Kicked" });
  });

  it("a login that kicks its own platform ends online, with the kick recorded", () => {
    const s0 = fold([ev({ platform: "iOS", eventTime: 1, clientIp: "10.0.0.1" })]);
    const r = reduce(s0, ev({ platform: "iOS", eventTime: 2, clientIp: "10.0.0.2", kicked: ["iOS"] }));
    expect(r.outcome).toBe("applied");
    expect(r.state.platforms.iOS).toMatchObject({ status: "online", since: 2, clientIp: "10.0.0.2" });
    expect(r.state.kicks).toEqual([{ platform: "iOS", at: 2, by: "iOS" }]);
    expect(r.effects).toEqual([{ kind: "device.kicked", platform: "iOS", by: "iOS" }]);
  });

  it("custom status is set, replaced and cleared (empty → null)", () => {
    const set = reduce(
      EMPTY_STATE,
      ev({ action: "CustomStatusChange", reason: "SetCustomStatus", eventTime: 1, customStatus: "busy" }),
    );
    expect(set.state.customStatus).toBe("busy");
    expect(set.effects).toEqual([{ kind: "user.custom_status_changed", from: null, to: "busy" }]);
    const cleared = reduce(set.state, ev({ action: "CustomStatusChange", eventTime: 2, customStatus: null }));
    expect(cleared.state.customStatus).toBeNull();
    expect(cleared.effects).toEqual([{ kind: "user.custom_status_changed", from: "busy", to: null }]);
    expect(userStatus(cleared.state.platforms)).toBe("unknown");
  });

  it("the kick list is bounded and newest first", () => {
    const logins = Array.from({ length: KICK_LIMIT + 5 }, (_, i) =>
      ev({ platform: i % 2 ? "iOS" : "Android", eventTime: 10 + i, kicked: [i % 2 ? "Windows" : "Mac"] }),
    );
    const s = fold(logins);
    expect(s.kicks).toHaveLength(KICK_LIMIT);
    expect(s.kicks[0]?.at).toBe(10 + KICK_LIMIT + 4);
    expect([...s.kicks].sort((a, b) => b.at - a.at)).toEqual(s.kicks);
  });
});

describe("reduce: user status, onlineSince, lastSeen", () => {
  it("user status is online if any platform is, else disconnected if any is, else offline; unknown if never seen", () => {
    expect(userStatus({})).toBe("unknown");
    const base = { reason: "x", since: 1, clientIp: null, by: null };
    expect(userStatus({ iOS: { ...base, status: "offline" }, Web: { ...base, status: "online" } })).toBe("online");
    expect(userStatus({ iOS: { ...base, status: "offline" }, Web: { ...base, status: "disconnected" } })).toBe(
      "disconnected",
    );
    expect(userStatus({ iOS: { ...base, status: "offline" } })).toBe("offline");
  });

  it("onlineSince is the earliest since of the platforms online now; lastSeen the newest leave", () => {
    const s1 = fold([ev({ platform: "iOS", eventTime: 10 }), ev({ platform: "Web", eventTime: 20 })]);
    expect(s1.onlineSince).toBe(10);
    expect(s1.lastSeen).toBeNull();
    const s2 = fold([ev({ platform: "iOS", action: "Logout", eventTime: 30 })], s1);
    expect(s2.onlineSince).toBe(20); // online on Web only, since 20
    expect(s2.lastSeen).toBe(30); // a leave, though still online elsewhere
    const s3 = fold([ev({ platform: "Web", action: "Disconnect", reason: "LinkClose", eventTime: 40 })], s2);
    expect(s3.onlineSince).toBeNull();
    expect(s3.lastSeen).toBe(40);
    const s4 = fold([ev({ platform: "Web", eventTime: 50 })], s3);
    expect(s4.onlineSince).toBe(50);
    expect(s4.lastSeen).toBe(40);
    expect(s4.updatedAt).toBe(50);
  });

  it("lastSeen, onlineSince and updatedAt do not depend on arrival order (Login E+1, Logout E+2)", () => {
    const login = ev({ eventTime: 1001 });
    const logout = ev({ action: "Logout", reason: "Unregister", eventTime: 1002 });
    const inOrder = fold([login, logout]);
    const reversed = fold([logout, login]);
    expect(inOrder.lastSeen).toBe(1002);
    expect(reversed.lastSeen).toBe(1002);
    expect({ ...reversed, version: 0 }).toEqual({ ...inOrder, version: 0 });
  });

  it("onlineSince is the earliest since among the platforms online now, whatever the order", () => {
    const web = ev({ platform: "Web", eventTime: 20 });
    const ios = ev({ platform: "iOS", eventTime: 10 });
    const iosOff = ev({ platform: "iOS", action: "Logout", eventTime: 30 });
    expect(fold([web, ios]).onlineSince).toBe(10);
    expect(fold([ios, web]).onlineSince).toBe(10);
    expect(fold([web, ios, iosOff]).onlineSince).toBe(20);
    expect(fold([iosOff, web, ios]).onlineSince).toBe(20);
  });

  it("a kick is a leave: lastSeen moves to the kicking login's EventTime", () => {
    const s = fold([ev({ platform: "Web", eventTime: 5 }), ev({ platform: "iOS", eventTime: 9, kicked: ["Web"] })]);
    expect(s.lastSeen).toBe(9);
  });

  it("emits user.status_changed with from/to when the user-level status moves", () => {
    const r = reduce(fold([ev({ eventTime: 1 })]), ev({ action: "Logout", eventTime: 2 }));
    expect(r.effects).toContainEqual({ kind: "user.status_changed", from: "online", to: "offline", at: 2 });
  });

  it("version counts applied changes only", () => {
    const e = ev({ eventTime: 1 });
    const s = fold([e, e, ev({ action: "Logout", eventTime: 0 }), ev({ action: "Logout", eventTime: 2 })]);
    expect(s.version).toBe(2);
  });
});

describe("reduce: ordering and duplicates", () => {
  it("an exact repeat is a duplicate: no change, no effects", () => {
    const e = ev({ eventTime: 7, kicked: ["Web"] });
    const s = fold([e]);
    const r = reduce(s, e);
    expect(r.outcome).toBe("duplicate");
    expect(r.state).toBe(s);
    expect(r.effects).toEqual([]);
  });

  it("an event older than the platform's last change is stale", () => {
    const s = fold([ev({ action: "Logout", eventTime: 10 })]);
    const r = reduce(s, ev({ action: "Login", eventTime: 9 }));
    expect(r.outcome).toBe("stale");
    expect(r.state).toBe(s);
    expect(r.effects).toEqual([]);
  });

  it("at equal EventTime offline beats disconnected beats online, whatever the arrival order", () => {
    const login = ev({ action: "Login", eventTime: 5 });
    const disconnect = ev({ action: "Disconnect", reason: "LinkClose", eventTime: 5 });
    const logout = ev({ action: "Logout", reason: "Unregister", eventTime: 5 });
    for (const order of [
      [login, disconnect, logout],
      [logout, disconnect, login],
      [disconnect, login, logout],
      [logout, login, disconnect],
    ]) {
      expect(fold(order).platforms.iOS?.status).toBe("offline");
    }
    expect(fold([login, disconnect]).platforms.iOS?.status).toBe("disconnected");
    expect(fold([disconnect, login]).platforms.iOS?.status).toBe("disconnected");
    expect(reduce(fold([disconnect]), login).outcome).toBe("stale");
  });

  it("a stale login still applies its kick to a platform that has not moved on", () => {
    const s = fold([ev({ platform: "iOS", eventTime: 10 }), ev({ platform: "Windows", eventTime: 1 })]);
    const r = reduce(s, ev({ platform: "iOS", eventTime: 5, kicked: ["Windows"] }));
    expect(r.outcome).toBe("applied");
    expect(r.state.platforms.Windows?.status).toBe("offline");
    expect(r.state.platforms.iOS?.since).toBe(10);
  });

  it("a kick reported late is still listed, so the kick list does not depend on arrival order", () => {
    const kick = ev({ platform: "iOS", eventTime: 5, kicked: ["Windows"] });
    const logout = ev({ platform: "Windows", action: "Logout", reason: "Unregister", eventTime: 6 });
    const late = reduce(fold([logout]), kick);
    expect(late.outcome).toBe("applied");
    expect(late.state.platforms.Windows?.reason).toBe("Unregister");
    expect(late.effects.filter((e) => e.kind === "device.kicked")).toEqual([
      { kind: "device.kicked", platform: "Windows", by: "iOS" },
    ]);
    expect(late.state.kicks).toEqual(fold([kick, logout]).kicks);
  });

  it("custom status follows its own EventTime: an older change is stale", () => {
    const s = fold([ev({ action: "CustomStatusChange", eventTime: 10, customStatus: "new" })]);
    const r = reduce(s, ev({ action: "CustomStatusChange", eventTime: 9, customStatus: "old" }));
    expect(r.outcome).toBe("stale");
    expect(r.state.customStatus).toBe("new");
  });

  it("clearing an unset custom status is remembered, so an older set stays stale", () => {
    const a = fold([
      ev({ action: "CustomStatusChange", eventTime: 5, customStatus: null }),
      ev({ action: "CustomStatusChange", eventTime: 3, customStatus: "x" }),
    ]);
    const b = fold([
      ev({ action: "CustomStatusChange", eventTime: 3, customStatus: "x" }),
      ev({ action: "CustomStatusChange", eventTime: 5, customStatus: null }),
    ]);
    expect(a.customStatus).toBeNull();
    expect(b.customStatus).toBeNull();
  });
});
