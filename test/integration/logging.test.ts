// One structured JSON line per callback, with what an operator needs and no secret.
import { afterEach, describe, expect, it, vi } from "vitest";
import { TEST_CALLBACK_TOKEN } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";

afterEach(() => vi.restoreAllMocks());

function captureLogs() {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  return lines;
}

describe("callback logs", () => {
  it("writes one JSON line with app, platform, action, outcome, status and duration", async () => {
    const lines = captureLogs();
    await sendStateChange({ account: uniqueAccount(), action: "Login" }, { optPlatform: "Android" });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      msg: "callback",
      app: "1400000001",
      platform: "Android",
      action: "Login",
      outcome: "applied",
      http: 200,
    });
    expect(typeof entry.durationMs).toBe("number");
  });

  it("logs rejections without the token or the signature", async () => {
    const lines = captureLogs();
    const res = await sendStateChange({ account: uniqueAccount(), action: "Login" }, { token: "wrong-token" });
    expect(res.status).toBe(401);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "callback", http: 401, rejected: "mismatch" });
    expect(lines[0]).not.toContain("wrong-token");
    expect(lines[0]).not.toContain(TEST_CALLBACK_TOKEN);
    expect(lines[0]).not.toMatch(/[0-9a-f]{64}/);
  });
});
