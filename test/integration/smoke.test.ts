import { describe, expect, it } from "vitest";
import { getSnapshot } from "../support/api";
import { sendStateChange } from "../support/callback";

describe("smoke", () => {
  it("stores a login and reads it back", async () => {
    const res = await sendStateChange({
      account: "alice",
      action: "Login",
      eventTime: Date.now() - 1000,
      kicked: ["Windows"],
    });
    expect(await res.json()).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
    const snap = await getSnapshot("alice");
    expect(snap.status).toBe("online");
    expect(snap.platforms.iOS.status).toBe("online");
    expect(snap.platforms.Windows.reason).toBe("Kicked");
  });
});
