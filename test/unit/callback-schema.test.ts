import { describe, expect, it } from "vitest";
import { parseStateChange } from "../../src/tencent/callback-schema";
import { stateChangeBody } from "../support/callback";

const ctx = { optPlatform: "IOS", clientIp: "1.2.3.4", receivedAt: 1_700_000_000_000 };

describe("State.StateChange body", () => {
  it("parses the documented example into a domain event", () => {
    const parsed = parseStateChange(
      {
        CallbackCommand: "State.StateChange",
        EventTime: 1629883332497,
        Info: { Action: "Login", To_Account: "testuser316", Reason: "Register" },
        KickedDevice: [{ Platform: "Windows" }, { Platform: "Android" }],
      },
      ctx,
    );
    expect(parsed).toEqual({
      ok: true,
      account: "testuser316",
      timed: true,
      event: {
        action: "Login",
        reason: "Register",
        platform: "iOS",
        eventTime: 1629883332497,
        receivedAt: ctx.receivedAt,
        clientIp: "1.2.3.4",
        kicked: ["Windows", "Android"],
        customStatus: null,
      },
    });
  });

  it("uses the receive time when EventTime is missing", () => {
    const parsed = parseStateChange(stateChangeBody({ account: "a", action: "Logout" }), ctx);
    expect(parsed.ok && parsed.event.eventTime).toBe(ctx.receivedAt);
  });

  it("matches reasons case-insensitively and keeps unknown reasons as sent", () => {
    const timeout = parseStateChange(stateChangeBody({ account: "a", action: "Disconnect", reason: "Timeout" }), ctx);
    expect(timeout.ok && timeout.event.reason).toBe("TimeOut");
    const odd = parseStateChange(stateChangeBody({ account: "a", action: "Disconnect", reason: "NetworkGone" }), ctx);
    expect(odd.ok && odd.event.reason).toBe("NetworkGone");
  });

  it("reads CustomStatus inside Info or at top level; empty means cleared", () => {
    const inside = parseStateChange(
      stateChangeBody({ account: "a", action: "CustomStatusChange", customStatus: "busy" }),
      ctx,
    );
    expect(inside.ok && inside.event.customStatus).toBe("busy");
    const top = parseStateChange(
      { Info: { Action: "CustomStatusChange", To_Account: "a" }, CustomStatus: "away" },
      ctx,
    );
    expect(top.ok && top.event.customStatus).toBe("away");
    const cleared = parseStateChange(
      stateChangeBody({ account: "a", action: "CustomStatusChange", customStatus: "" }),
      ctx,
    );
    expect(cleared.ok && cleared.event.customStatus).toBeNull();
  });

  it("keeps KickedDevice only on Login, normalised and deduplicated", () => {
    const login = parseStateChange(
      stateChangeBody({ account: "a", action: "Login", kicked: ["iOS", "IOS", "macOS"] }),
      ctx,
    );
    expect(login.ok && login.event.kicked).toEqual(["iOS", "Mac"]);
    const logout = parseStateChange(stateChangeBody({ account: "a", action: "Logout", kicked: ["Web"] }), ctx);
    expect(logout.ok && logout.event.kicked).toEqual([]);
  });

  it("ignores unknown extra fields", () => {
    const parsed = parseStateChange({ ...stateChangeBody({ account: "a", action: "Login" }), Extra: { x: 1 } }, ctx);
    expect(parsed.ok).toBe(true);
  });

  it.each([
    [{ Info: { Action: "Jump", To_Account: "a" } }, "Info.Action"],
    [{ Info: { Action: "Login", To_Account: "" } }, "Info.To_Account"],
    [{ Info: { Action: "Login", To_Account: "x".repeat(129) } }, "Info.To_Account"],
    [{ Info: { Action: "Login", To_Account: "é".repeat(65) } }, "Info.To_Account"],
    [{ Info: { Action: "Login", To_Account: 7 } }, "Info.To_Account"],
    [{ EventTime: -1, Info: { Action: "Login", To_Account: "a" } }, "EventTime"],
    [{ EventTime: 1.5, Info: { Action: "Login", To_Account: "a" } }, "EventTime"],
    [{ EventTime: "1", Info: { Action: "Login", To_Account: "a" } }, "EventTime"],
    [{ EventTime: ctx.receivedAt + 5 * 60_000 + 1, Info: { Action: "Login", To_Account: "a" } }, "EventTime"],
    [{ Info: { Action: "Login", To_Account: "a", Reason: "r".repeat(65) } }, "Info.Reason"],
    [{ Info: "x" }, "Info"],
    [{}, "Info"],
    [[], "body"],
    [null, "body"],
  ])("rejects %j naming %s", (body, field) => {
    const parsed = parseStateChange(body, ctx);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.field).toBe(field);
      expect(parsed.message).toContain(field);
    }
  });

  it("accepts an account of exactly 128 bytes and EventTime exactly 5 minutes ahead", () => {
    const parsed = parseStateChange(
      { EventTime: ctx.receivedAt + 5 * 60_000, Info: { Action: "Login", To_Account: "é".repeat(64) } },
      ctx,
    );
    expect(parsed.ok).toBe(true);
  });
});

describe("State.StateChange body: units and command", () => {
  it.each([0, 1, 1_629_883_332, 999_999_999_999])("EventTime %d (seconds, not milliseconds) is a 400", (t) => {
    const parsed = parseStateChange({ EventTime: t, Info: { Action: "Login", To_Account: "a" } }, ctx);
    expect(parsed).toMatchObject({ ok: false, field: "EventTime" });
    expect(!parsed.ok && parsed.message).toMatch(/^EventTime: .*milliseconds/);
  });

  it("EventTime of exactly 10^12 milliseconds is accepted", () => {
    const parsed = parseStateChange({ EventTime: 1e12, Info: { Action: "Login", To_Account: "a" } }, ctx);
    expect(parsed.ok).toBe(true);
  });

  it.each(["State.StateChange", "state.statechange", "STATE.STATECHANGE"])(
    "a body CallbackCommand %s is accepted",
    (c) => {
      const parsed = parseStateChange({ CallbackCommand: c, Info: { Action: "Login", To_Account: "a" } }, ctx);
      expect(parsed.ok).toBe(true);
    },
  );

  it.each(["C2C.CallbackAfterSendMsg", "State.StateChange2", "", "State"])(
    "a body CallbackCommand %j that differs from the query's is a 400",
    (c) => {
      const parsed = parseStateChange({ CallbackCommand: c, Info: { Action: "Login", To_Account: "a" } }, ctx);
      expect(parsed).toMatchObject({ ok: false, field: "CallbackCommand" });
      expect(!parsed.ok && parsed.message).toMatch(/^CallbackCommand: .*State\.StateChange/);
    },
  );
});
