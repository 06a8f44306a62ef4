// The terminal tools' lines (scripts/lib/presence-text.ts): `npm run send` prints the presence
// after the reply, `npm run watch` each message, readable rather than raw JSON.
import { describe, expect, it } from "vitest";
import { clock, presenceLine, watchLine } from "../../scripts/lib/presence-text.ts";

const T = Date.UTC(2026, 0, 5, 14, 3, 7);

describe("presenceLine", () => {
  it("names each platform with its state, since when and why, and the custom status", () => {
    expect(
      presenceLine("alice", {
        status: "online",
        customStatus: "in a meeting",
        platforms: {
          iOS: { status: "offline", reason: "Kicked", since: T },
          Windows: { status: "online", reason: "Register", since: T + 1000 },
        },
      }),
    ).toBe(
      `alice is online: iOS offline since ${clock(T)} (Kicked), Windows online since ${clock(T + 1000)} (Register); custom status "in a meeting"`,
    );
  });

  it("says a never-seen user is unknown", () => {
    expect(presenceLine("bob", { status: "unknown", platforms: {} })).toBe("bob is unknown: never seen");
  });
});

describe("watchLine", () => {
  const event = (type: string, data: Record<string, unknown>) =>
    JSON.stringify({
      type: "event",
      event: { type, timestamp: new Date(T).toISOString(), data: { account: "alice", ...data } },
    });

  it("prints a snapshot as the user's presence", () => {
    const snapshot = { account: "alice", status: "offline", platforms: { iOS: { status: "offline", since: T } } };
    expect(watchLine(JSON.stringify({ type: "snapshot", snapshot }))).toBe(
      `alice is offline: iOS offline since ${clock(T)}`,
    );
  });

  it.each([
    ["user.status_changed", { from: "offline", to: "online" }, "alice offline → online"],
    [
      "device.status_changed",
      { platform: "iOS", from: "online", to: "disconnected", reason: "TimeOut" },
      "alice iOS online → disconnected (TimeOut)",
    ],
    [
      "device.status_changed",
      { platform: "iOS", from: "online", to: "offline", reason: "Reconciled", source: "reconcile" },
      "alice iOS online → offline (Reconciled) [reconciled with Tencent]",
    ],
    ["device.kicked", { platform: "Windows", by: "iOS" }, "alice Windows kicked by iOS"],
    ["user.custom_status_changed", { from: null, to: "away" }, 'alice custom status null → "away"'],
  ])("prints %s at the time of the event", (type, data, line) => {
    expect(watchLine(event(type, data))).toBe(`${clock(T)} ${line}`);
  });

  it("prints a refusal with its code, and anything else as it came", () => {
    expect(watchLine('{"type":"error","error":"bad_message","message":"accounts.0: must be 1 to 128 bytes"}')).toBe(
      "refused (bad_message): accounts.0: must be 1 to 128 bytes",
    );
    expect(watchLine('{"type":"pong"}')).toBe('{"type":"pong"}');
    expect(watchLine("not json")).toBe("not json");
  });
});
